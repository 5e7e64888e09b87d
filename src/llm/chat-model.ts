export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface ChatCompletion {
  text: string;
  /** The model that answered, as the provider reports it. */
  model: string;
  usage: { promptTokens: number; completionTokens: number } | undefined;
}

/** A chat model behind any provider; adapters translate errors into `ChatModelError`. */
export interface ChatModel {
  readonly name: string;
  complete(messages: readonly ChatMessage[], options?: { signal?: AbortSignal }): Promise<ChatCompletion>;
  /** Checks that the provider answers and accepts the key; rejects with a ChatModelError otherwise. */
  probe(): Promise<void>;
}

export class ChatModelError extends Error {
  constructor(
    message: string,
    readonly reason: 'timeout' | 'unavailable' | 'rejected' | 'malformed',
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ChatModelError';
  }
}
