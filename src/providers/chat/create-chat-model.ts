import type { Logger } from 'pino';
import type { LlmConfig } from '../../config/config.schema.js';
import type { Metrics } from '../../observability/metrics.js';
import { BulkheadPolicy } from '../resilience/bulkhead-policy.js';
import { CircuitBreakerPolicy } from '../resilience/circuit-breaker-policy.js';
import { ProviderResilience } from '../resilience/provider-resilience.js';
import { RetryPolicy } from '../resilience/retry-policy.js';
import { nodeHttpFetch } from '../transport/node-http-fetch.js';
import { OpenAiChatModel } from './openai-chat-model.js';
import { chatPolicyFailures, ResilientChatModel } from './resilient-chat-model.js';

/**
 * The configured LLM: the OpenAI-compatible adapter over Node's HTTP client, with a bound on calls at
 * once, a circuit breaker and retries (LLM_MAX_CONCURRENT, LLM_QUEUE_SIZE, LLM_BREAKER_*, LLM_RETRY*).
 * The breaker is returned as well, for health and metrics to read its state.
 */
export function createChatModel(
  config: LlmConfig,
  metrics: Metrics,
  logger: Logger,
): { model: ResilientChatModel; circuit: CircuitBreakerPolicy } {
  const circuit = new CircuitBreakerPolicy(config.breaker, chatPolicyFailures, {
    onStateChange: (state) =>
      state === 'open'
        ? logger.warn(
            { cooldownMs: config.breaker.cooldownMs },
            'LLM circuit opened: answering without the LLM',
          )
        : logger.info('LLM circuit closed: the LLM answers again'),
  });
  const resilience = new ProviderResilience({
    bulkhead: new BulkheadPolicy(config.concurrency, chatPolicyFailures),
    circuitBreaker: circuit,
    retry: new RetryPolicy(config.retry, { onRetry: () => metrics.llmRetries.inc() }),
  });
  return { model: new ResilientChatModel(new OpenAiChatModel(config, nodeHttpFetch()), resilience), circuit };
}
