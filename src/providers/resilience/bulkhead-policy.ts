import { bulkhead, type BulkheadPolicy as CockatielBulkhead } from 'cockatiel';
import type { ProviderError } from '../provider-error.js';
import type { CallContext } from './call-context.js';

export interface ConcurrencyLimits {
  /** Calls to the provider at once (LLM_MAX_CONCURRENT). */
  maxConcurrent: number;
  /** Calls waiting for a free slot (LLM_QUEUE_SIZE); one more fails at once (the kind's overloaded error). */
  maxQueued: number;
}

/**
 * Bounds the calls in flight to the provider: the next ones wait in a queue, in order; when the queue is
 * full a call fails at once. A waiting call whose signal fires leaves the queue at once, failing with what
 * the signal says (deadline, shutdown, caller gone).
 *
 * cockatiel's bulkhead holds the slots and the queue. It only notices an aborted signal when the waiting
 * call's turn comes (the question would wait for the provider after its deadline, or after shutdown), and
 * a call it then drops does not hand the slot on. So the signal is not given to it: a call abandoned while
 * waiting fails here at once and, when its turn comes, gives the slot on without calling the provider. Its
 * place in cockatiel's queue is kept until then, so the queue's bound counts the calls still waiting, here.
 */
export class BulkheadPolicy {
  readonly #bulkhead: CockatielBulkhead;
  #waiting = 0;

  constructor(
    private readonly limits: ConcurrencyLimits,
    private readonly failures: {
      overloaded(): ProviderError;
      abandonedWhileWaiting(signal: AbortSignal): ProviderError;
    },
  ) {
    this.#bulkhead = bulkhead(limits.maxConcurrent, Number.POSITIVE_INFINITY);
  }

  /** Calls waiting for a slot. */
  get queued(): number {
    return this.#waiting;
  }

  execute<T>(call: () => Promise<T>, { signal }: CallContext = {}): Promise<T> {
    if (this.#bulkhead.executionSlots > 0) return this.#bulkhead.execute(call);
    if (this.#waiting >= this.limits.maxQueued) return Promise.reject(this.failures.overloaded());
    this.#waiting++;
    return new Promise<T>((resolve, reject) => {
      let abandoned = false;
      const onAbort = () => {
        abandoned = true;
        this.#waiting--;
        reject(this.failures.abandonedWhileWaiting(signal as AbortSignal));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#bulkhead
        .execute(() => {
          if (abandoned) return undefined;
          this.#waiting--;
          signal?.removeEventListener('abort', onAbort);
          return call();
        })
        .then(resolve as (value: T | undefined) => void, reject);
    });
  }
}
