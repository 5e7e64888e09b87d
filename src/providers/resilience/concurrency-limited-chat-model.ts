import type {
  ChatCallOptions,
  ChatCompletion,
  ChatMessage,
  ChatModel,
  ChatStreamOptions,
} from '../chat/chat-model.js';
import { abortedCallFailure, ChatModelError } from '../chat/chat-model.js';

export interface ConcurrencyLimits {
  /** Calls to the provider at once (LLM_MAX_CONCURRENT). */
  maxConcurrent: number;
  /** Calls waiting for a free slot (LLM_QUEUE_SIZE); one more fails at once, reason overloaded. */
  maxQueued: number;
}

/**
 * Bounds the calls in flight to the provider: the next ones wait in a queue, in order; when the queue is
 * full a call fails at once (reason overloaded). A waiting call the caller abandons leaves the queue.
 */
export class ConcurrencyLimitedChatModel implements ChatModel {
  readonly name: string;
  private running = 0;
  private readonly waiting: { start(): void; giveUp(error: ChatModelError): void }[] = [];

  constructor(
    private readonly inner: ChatModel,
    private readonly limits: ConcurrencyLimits,
  ) {
    this.name = inner.name;
  }

  get queued(): number {
    return this.waiting.length;
  }

  complete(messages: readonly ChatMessage[], options: ChatCallOptions = {}): Promise<ChatCompletion> {
    return this.limited(() => this.inner.complete(messages, options), options.signal);
  }

  stream(messages: readonly ChatMessage[], options: ChatStreamOptions): Promise<ChatCompletion> {
    return this.limited(() => this.inner.stream(messages, options), options.signal);
  }

  probe(): Promise<void> {
    return this.inner.probe();
  }

  private async limited<T>(call: () => Promise<T>, signal: AbortSignal | undefined): Promise<T> {
    if (this.running < this.limits.maxConcurrent) this.running++;
    else await this.waitForSlot(signal);
    try {
      return await call();
    } finally {
      // The slot goes to the next in line, or is freed.
      const next = this.waiting.shift();
      if (next) next.start();
      else this.running--;
    }
  }

  private waitForSlot(signal: AbortSignal | undefined): Promise<void> {
    if (this.waiting.length >= this.limits.maxQueued) {
      return Promise.reject(new ChatModelError('Too many questions are waiting for the LLM', 'overloaded'));
    }
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        const position = this.waiting.indexOf(entry);
        if (position >= 0) this.waiting.splice(position, 1);
        entry.giveUp(abortedCallFailure(signal as AbortSignal, true));
      };
      const entry = {
        start: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        giveUp: reject,
      };
      this.waiting.push(entry);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}
