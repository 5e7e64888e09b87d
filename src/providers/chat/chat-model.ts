export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface ChatCompletion {
  text: string;
  /** The model that answered, as the provider reports it. */
  model: string;
  usage: { promptTokens: number; completionTokens: number } | undefined;
  /** Why the model stopped, as the provider says (stop, length, content_filter…), if it said. */
  finishReason?: string;
}

export interface ChatCallOptions {
  /** Aborts the call: the question's deadline, or the client that asked went away. */
  signal?: AbortSignal;
}

export interface ChatStreamOptions extends ChatCallOptions {
  /** Receives the answer's text as it arrives, piece by piece. */
  onDelta(text: string): void;
}

/** A chat model behind any provider; adapters translate errors into `ChatModelError`. */
export interface ChatModel {
  readonly name: string;
  complete(messages: readonly ChatMessage[], options?: ChatCallOptions): Promise<ChatCompletion>;
  /** The same answer, its text handed to `onDelta` as the provider streams it; resolves to the whole. */
  stream(messages: readonly ChatMessage[], options: ChatStreamOptions): Promise<ChatCompletion>;
  /** Checks that the provider answers and accepts the key; rejects with a ChatModelError otherwise. */
  probe(): Promise<void>;
}

/**
 * Why a call failed. unavailable: 429, 5xx or no connection (worth retrying); timeout: no answer in time;
 * rejected: the provider refused the request (a bad key, a bad request); malformed: an answer that cannot
 * be read (or a stream cut off before its end); aborted: the caller gave up (its client went away);
 * shutdown: cut short because the service is stopping; circuit_open: not tried, the provider has been
 * failing; overloaded: not tried, too many questions are waiting for it.
 */
export type ChatModelFailure =
  | 'timeout'
  | 'unavailable'
  | 'rejected'
  | 'malformed'
  | 'aborted'
  | 'shutdown'
  | 'circuit_open'
  | 'overloaded';

export class ChatModelError extends Error {
  /** What the provider asked to wait before trying again (Retry-After), if it said. */
  readonly retryAfterMs: number | undefined;

  constructor(
    message: string,
    readonly reason: ChatModelFailure,
    options?: { cause?: unknown; retryAfterMs?: number },
  ) {
    super(message, options);
    this.name = 'ChatModelError';
    this.retryAfterMs = options?.retryAfterMs;
  }
}

/** The reason calls are aborted with when the service shuts down; they fail with reason shutdown. */
export function shutdownAbortReason(): DOMException {
  return new DOMException('The service is shutting down', 'ShutdownError');
}

/**
 * The failure of a call its signal aborted, by the signal's reason: the question's deadline (a
 * TimeoutError), the service shutting down, or else the caller giving up (its client went away).
 */
export function abortedCallFailure(signal: AbortSignal, waiting = false): ChatModelError {
  switch ((signal.reason as Error | undefined)?.name) {
    case 'TimeoutError':
      return new ChatModelError('The model did not answer before the deadline', 'timeout');
    case 'ShutdownError':
      return new ChatModelError('The model call was cut short: the service is shutting down', 'shutdown');
    default:
      return new ChatModelError(
        waiting ? 'The question was abandoned while waiting for the LLM' : 'The model call was abandoned',
        'aborted',
      );
  }
}
