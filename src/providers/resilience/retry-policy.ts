import { setTimeout as sleep } from 'node:timers/promises';
import {
  type RetryPolicy as CockatielRetryPolicy,
  ConstantBackoff,
  ExponentialBackoff,
  fullJitterGenerator,
  handleWhen,
  type IBackoff,
  retry,
} from 'cockatiel';
import { ProviderError } from '../provider-error.js';
import type { CallContext } from './call-context.js';

export interface RetrySettings {
  /** Retries after the first attempt (LLM_RETRIES). */
  retries: number;
  /** The first retry waits up to this, each next one up to twice as long (full jitter). */
  baseDelayMs: number;
  /** No wait is longer; a Retry-After above it ends the retries instead. */
  maxDelayMs: number;
}

/**
 * Retries calls that failed with a retryable ProviderError (429, 5xx or a lost connection), after an
 * exponential backoff with full jitter, or after what the provider's Retry-After asks when it says. The
 * call's signal (a question's deadline) bounds it all: no retry once it has fired, and a wait it cuts short
 * ends the call with the last failure. A call whose context says it may no longer be retried is not.
 *
 * cockatiel's retry policy decides whether to try again (its error filter, its attempt count, no retry
 * once the signal has fired) and tells `onRetry`; its exponential backoff with full jitter gives the
 * waits. The wait itself happens here, in the attempt, because cockatiel 3.2 waits on a bare timer that
 * the signal cannot cut short (the deadline would pass while the question still waits), and it has no
 * notion of Retry-After; its own wait is therefore 0 ms.
 */
export class RetryPolicy {
  readonly #retry: CockatielRetryPolicy;
  readonly #backoff: ExponentialBackoff<unknown>;
  /**
   * Failures of calls that may no longer be retried. cockatiel's error filter sees only the error, so a
   * call's own "no more retries" travels with its failure.
   */
  readonly #final = new WeakSet<object>();

  constructor(
    private readonly settings: RetrySettings,
    hooks: { onRetry?: (error: ProviderError) => void } = {},
  ) {
    this.#backoff = new ExponentialBackoff({
      initialDelay: settings.baseDelayMs,
      maxDelay: settings.maxDelayMs,
      exponent: 2,
      generator: fullJitterGenerator,
    });
    this.#retry = retry(
      handleWhen((error) => this.#worthRetrying(error)),
      { maxAttempts: settings.retries, backoff: new ConstantBackoff(0) },
    );
    const onRetry = hooks.onRetry;
    if (onRetry) this.#retry.onRetry((event) => 'error' in event && onRetry(event.error as ProviderError));
  }

  execute<T>(call: () => Promise<T>, { signal, mayRetry }: CallContext = {}): Promise<T> {
    let failure: unknown;
    let backoff: IBackoff<unknown> | undefined;
    return this.#retry.execute(async ({ attempt }) => {
      if (attempt > 0) {
        // Every retry moves the backoff on, whether or not Retry-After set this wait.
        backoff = backoff ? backoff.next(undefined) : this.#backoff.next();
        try {
          await sleep((failure as ProviderError).retryAfterMs ?? backoff.duration, undefined, { signal });
        } catch {
          // The deadline came while waiting: the last failure is the answer.
          throw failure;
        }
      }
      try {
        return await call();
      } catch (error) {
        failure = error;
        if (mayRetry && !mayRetry() && typeof error === 'object' && error !== null) this.#final.add(error);
        throw error;
      }
    }, signal);
  }

  #worthRetrying(error: Error): boolean {
    return (
      error instanceof ProviderError &&
      error.retryable &&
      !this.#final.has(error) &&
      !((error.retryAfterMs ?? 0) > this.settings.maxDelayMs)
    );
  }
}
