import { ProviderError, type ProviderErrorOptions, type ProviderFailureReason } from '../provider-error.js';

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

/** Why a chat model call failed: any reason a provider call can fail for (see ProviderFailureReason). */
export type ChatModelFailure = ProviderFailureReason;

export class ChatModelError extends ProviderError<ChatModelFailure> {
  constructor(message: string, reason: ChatModelFailure, options?: ProviderErrorOptions) {
    super('chat', message, reason, options);
    this.name = 'ChatModelError';
  }
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
