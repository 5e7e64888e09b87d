import type { ProviderResilience } from '../resilience/provider-resilience.js';
import {
  abortedCallFailure,
  type ChatCallOptions,
  type ChatCompletion,
  type ChatMessage,
  type ChatModel,
  ChatModelError,
  type ChatStreamOptions,
} from './chat-model.js';

/** How the resilience policies fail a chat model call they do not make. */
export const chatPolicyFailures = {
  circuitOpen: () =>
    new ChatModelError('The LLM has been failing; it is not called for a while', 'circuit_open'),
  overloaded: () => new ChatModelError('Too many questions are waiting for the LLM', 'overloaded'),
  abandonedWhileWaiting: (signal: AbortSignal) => abortedCallFailure(signal, true),
};

/**
 * A chat model with its provider's resilience policies around every call. A stream is retried only until
 * its first piece of text has been handed on.
 */
export class ResilientChatModel implements ChatModel {
  readonly name: string;

  constructor(
    private readonly inner: ChatModel,
    private readonly resilience: ProviderResilience,
  ) {
    this.name = inner.name;
  }

  /** Calls waiting for a slot. */
  get queued(): number {
    return this.resilience.policies.bulkhead?.queued ?? 0;
  }

  complete(messages: readonly ChatMessage[], options: ChatCallOptions = {}): Promise<ChatCompletion> {
    return this.resilience.execute(() => this.inner.complete(messages, options), options);
  }

  stream(messages: readonly ChatMessage[], options: ChatStreamOptions): Promise<ChatCompletion> {
    let started = false;
    return this.resilience.execute(
      () => {
        const attempt: ChatStreamOptions = {
          ...options,
          onDelta: (text) => {
            // Once the first piece is out, the caller's own handler takes the rest: no work per piece here.
            started = true;
            attempt.onDelta = options.onDelta;
            options.onDelta(text);
          },
        };
        return this.inner.stream(messages, attempt);
      },
      { signal: options.signal, mayRetry: () => !started },
    );
  }

  probe(): Promise<void> {
    return this.inner.probe();
  }
}
