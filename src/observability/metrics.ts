import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

export type AnswerOutcome = 'llm' | 'retrieval' | 'fallback' | 'error';

/** The service's Prometheus series; one registry per service instance (tests build several). */
export class Metrics {
  readonly registry = new Registry();

  readonly requests = new Counter({
    name: 'vasdom_requests_total',
    help: 'HTTP requests by method, route template and status code',
    labelNames: ['method', 'endpoint', 'status'] as const,
    registers: [this.registry],
  });

  readonly requestDuration = new Histogram({
    name: 'vasdom_request_duration_seconds',
    help: 'HTTP request duration by method and route template',
    labelNames: ['method', 'endpoint'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  readonly aiResponses = new Counter({
    name: 'vasdom_ai_responses_total',
    help: 'Answers given, by where they came from',
    labelNames: ['status'] as const,
    registers: [this.registry],
  });

  readonly feedback = new Counter({
    name: 'vasdom_learning_feedback_total',
    help: 'Ratings received, by rating',
    labelNames: ['rating'] as const,
    registers: [this.registry],
  });

  readonly llmFailures = new Counter({
    name: 'vasdom_llm_failures_total',
    help: 'LLM calls that failed, by reason',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  readonly learningPasses = new Counter({
    name: 'vasdom_learning_passes_total',
    help: 'Learning passes run, by result',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });

  readonly indexSize = new Gauge({
    name: 'vasdom_retrieval_index_items',
    help: 'Items in the retrieval index',
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    // Expose the outcome series from the start, so rates exist before the first answer.
    for (const outcome of ['llm', 'retrieval', 'fallback', 'error'] satisfies AnswerOutcome[]) {
      this.aiResponses.inc({ status: outcome }, 0);
    }
  }
}
