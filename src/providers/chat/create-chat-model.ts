import type { Logger } from 'pino';
import type { LlmConfig } from '../../config/config.schema.js';
import type { Metrics } from '../../observability/metrics.js';
import { CircuitBreakerChatModel } from '../resilience/circuit-breaker-chat-model.js';
import { ConcurrencyLimitedChatModel } from '../resilience/concurrency-limited-chat-model.js';
import { RetryingChatModel } from '../resilience/retrying-chat-model.js';
import { nodeHttpFetch } from '../transport/node-http-fetch.js';
import type { ChatModel } from './chat-model.js';
import { OpenAiChatModel } from './openai-chat-model.js';

/**
 * The configured LLM: the OpenAI-compatible adapter, with retries around each call, a circuit breaker
 * around both (one failed question, retries included, counts once) and a bound on calls at once around
 * all. The breaker is returned as well, for health and metrics to read its state.
 */
export function createChatModel(
  config: LlmConfig,
  metrics: Metrics,
  logger: Logger,
): { model: ChatModel; circuit: CircuitBreakerChatModel } {
  const retrying = new RetryingChatModel(new OpenAiChatModel(config, nodeHttpFetch()), config.retry, {
    onRetry: () => metrics.llmRetries.inc(),
  });
  const circuit = new CircuitBreakerChatModel(retrying, config.breaker, {
    onStateChange: (state) =>
      state === 'open'
        ? logger.warn(
            { cooldownMs: config.breaker.cooldownMs },
            'LLM circuit opened: answering without the LLM',
          )
        : logger.info('LLM circuit closed: the LLM answers again'),
  });
  // Outermost, so that questions turned away for overload never count against the provider.
  return { model: new ConcurrencyLimitedChatModel(circuit, config.concurrency), circuit };
}
