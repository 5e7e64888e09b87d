import {
  type CircuitBreakerPolicy as CockatielCircuitBreaker,
  CircuitState as CockatielCircuitState,
  circuitBreaker,
  type FailureReason,
  handleAll,
  type IBackoff,
  type IBreaker,
  type IHalfOpenAfterBackoffContext,
  isBrokenCircuitError,
} from 'cockatiel';
import { isAbandonedCall, type ProviderError } from '../provider-error.js';

export type CircuitState = 'closed' | 'open' | 'half_open';

export interface CircuitSettings {
  /** Consecutive failed calls that open the circuit (LLM_BREAKER_FAILURES). */
  failureThreshold: number;
  /** How long it stays open before one call may try again (LLM_BREAKER_COOLDOWN_MS). */
  cooldownMs: number;
}

/**
 * Stops calling a provider that keeps failing. After `failureThreshold` failures in a row the circuit
 * opens: calls fail at once (the kind's circuit_open error). After `cooldownMs` it is half open: one call
 * tries the provider, the others still fail at once; its success closes the circuit, its failure opens it
 * for another cooldown. Calls the caller abandoned, or shutdown cut short, do not count.
 *
 * cockatiel's circuit breaker keeps the state, with three adapters where it does otherwise:
 * - while a trial runs, cockatiel makes the other calls wait for it and then runs them; here they fail
 *   at once, since a question should not wait on a provider that has been failing;
 * - cockatiel counts a failure it does not handle as no failure when closed, but closes the circuit when
 *   a half-open trial ends so; an abandoned trial says nothing of the provider, so here every failure is
 *   handled, `ConsecutiveFailures` does not count abandoned calls, and an abandoned trial leaves the
 *   circuit due for a trial at once (a cooldown of 0) instead of closing it;
 * - cockatiel's state moves to half open only when a call comes; `state` reports it once the cooldown
 *   has passed, as health and metrics did.
 */
export class CircuitBreakerPolicy {
  readonly #breaker: CockatielCircuitBreaker;
  /** When the provider last failed the circuit open (an abandoned trial leaves it as it was). */
  #openedAt = 0;

  constructor(
    private readonly settings: CircuitSettings,
    private readonly failures: { circuitOpen(): ProviderError },
    hooks: { onStateChange?: (state: 'open' | 'closed') => void } = {},
  ) {
    const cooldown = (context: IHalfOpenAfterBackoffContext): IBackoff<IHalfOpenAfterBackoffContext> =>
      isAbandoned(context.result) ? trialAtOnce : afterCooldown;
    const afterCooldown = { duration: settings.cooldownMs, next: cooldown };
    const trialAtOnce = { duration: 0, next: cooldown };
    const breaker = new ConsecutiveFailures(settings.failureThreshold, () => this.#breaker.lastFailure);
    this.#breaker = circuitBreaker(handleAll, { halfOpenAfter: { next: cooldown }, breaker });
    this.#breaker.onBreak((reason) => {
      if ('isolated' in reason || isAbandoned(reason)) return;
      this.#openedAt = Date.now();
      hooks.onStateChange?.('open');
    });
    this.#breaker.onReset(() => hooks.onStateChange?.('closed'));
  }

  get state(): CircuitState {
    switch (this.#breaker.state) {
      case CockatielCircuitState.Closed:
        return 'closed';
      case CockatielCircuitState.HalfOpen:
        return 'half_open';
      default:
        return Date.now() - this.#openedAt >= this.settings.cooldownMs ? 'half_open' : 'open';
    }
  }

  async execute<T>(call: () => Promise<T>): Promise<T> {
    if (this.#breaker.state === CockatielCircuitState.HalfOpen) throw this.failures.circuitOpen();
    try {
      return await this.#breaker.execute(call);
    } catch (error) {
      throw isBrokenCircuitError(error) ? this.failures.circuitOpen() : error;
    }
  }
}

/** cockatiel's ConsecutiveBreaker, except that calls the caller abandoned neither count nor reset the count. */
class ConsecutiveFailures implements IBreaker {
  state = 0;

  constructor(
    private readonly threshold: number,
    private readonly lastFailure: () => FailureReason<unknown> | undefined,
  ) {}

  success(): void {
    this.state = 0;
  }

  failure(): boolean {
    // cockatiel records the failure just before it asks whether the failure opens the circuit.
    if (isAbandoned(this.lastFailure())) return false;
    return ++this.state >= this.threshold;
  }
}

function isAbandoned(reason: FailureReason<unknown> | undefined): boolean {
  return reason !== undefined && 'error' in reason && isAbandonedCall(reason.error);
}
