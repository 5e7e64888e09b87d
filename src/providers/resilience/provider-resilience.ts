import type { BulkheadPolicy } from './bulkhead-policy.js';
import type { CallContext } from './call-context.js';
import type { CircuitBreakerPolicy } from './circuit-breaker-policy.js';
import type { RetryPolicy } from './retry-policy.js';

export interface ResiliencePolicies {
  bulkhead?: BulkheadPolicy;
  circuitBreaker?: CircuitBreakerPolicy;
  retry?: RetryPolicy;
}

/**
 * The resilience policies of one provider, applied to any of its calls, whatever the kind of model. Their
 * order is fixed: the bulkhead outermost, so that calls turned away for overload never count against the
 * provider; the circuit breaker around the retries, so that one failed call, retries included, counts
 * once. A policy left out is skipped.
 */
export class ProviderResilience {
  constructor(readonly policies: ResiliencePolicies) {}

  execute<T>(call: () => Promise<T>, context: CallContext = {}): Promise<T> {
    const { bulkhead, circuitBreaker, retry } = this.policies;
    const retried = retry ? () => retry.execute(call, context) : call;
    const guarded = circuitBreaker ? () => circuitBreaker.execute(retried) : retried;
    return bulkhead ? bulkhead.execute(guarded, context) : guarded();
  }
}
