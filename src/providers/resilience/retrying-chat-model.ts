import { setTimeout as sleep } from 'node:timers/promises';
import type {
  ChatCallOptions,
  ChatCompletion,
  ChatMessage,
  ChatModel,
  ChatStreamOptions,
} from '../chat/chat-model.js';
import { ChatModelError } from '../chat/chat-model.js';

export interface RetryPolicy {
  /** Retries after the first attempt (LLM_RETRIES). */
  retries: number;
  /** The first retry waits up to this, each next one up to twice as long (full jitter). */
  baseDelayMs: number;
  /** No wait is longer; a Retry-After above it ends the retries instead. */
  maxDelayMs: number;
}

/**
 * Retries calls that failed on 429, 5xx or a lost connection, after an exponential backoff with full
 * jitter, or after what the provider's Retry-After asks when it says. A stream is retried only until its
 * first piece of text has been handed on. The caller's signal (the question's deadline) bounds it all.
 */
export class RetryingChatModel implements ChatModel {
  readonly name: string;

  constructor(
    private readonly inner: ChatModel,
    private readonly policy: RetryPolicy,
    private readonly hooks: { onRetry?: (reason: string) => void; random?: () => number } = {},
  ) {
    this.name = inner.name;
  }

  complete(messages: readonly ChatMessage[], options: ChatCallOptions = {}): Promise<ChatCompletion> {
    return this.withRetries(
      () => this.inner.complete(messages, options),
      options.signal,
      () => true,
    );
  }

  stream(messages: readonly ChatMessage[], options: ChatStreamOptions): Promise<ChatCompletion> {
    let started = false;
    return this.withRetries(
      () =>
        this.inner.stream(messages, {
          ...options,
          onDelta: (text) => {
            started = true;
            options.onDelta(text);
          },
        }),
      options.signal,
      () => !started,
    );
  }

  probe(): Promise<void> {
    return this.inner.probe();
  }

  private async withRetries<T>(
    call: () => Promise<T>,
    signal: AbortSignal | undefined,
    mayRetry: () => boolean,
  ): Promise<T> {
    for (let retry = 0; ; retry++) {
      try {
        return await call();
      } catch (error) {
        if (
          !(error instanceof ChatModelError) ||
          error.reason !== 'unavailable' ||
          retry >= this.policy.retries ||
          !mayRetry() ||
          signal?.aborted
        ) {
          throw error;
        }
        const delay = error.retryAfterMs ?? this.backoff(retry);
        if (delay > this.policy.maxDelayMs) throw error;
        this.hooks.onRetry?.(error.reason);
        try {
          await sleep(delay, undefined, { signal });
        } catch {
          // The deadline came while waiting: the last failure is the answer.
          throw error;
        }
      }
    }
  }

  private backoff(retry: number): number {
    const ceiling = Math.min(this.policy.maxDelayMs, this.policy.baseDelayMs * 2 ** retry);
    return Math.round((this.hooks.random ?? Math.random)() * ceiling);
  }
}
