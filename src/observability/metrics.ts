import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { RatingSummary } from '../conversations/feedback.store.js';
import { JOB_RESULTS, type JobResult, type JobRunnerHooks } from '../platform/job-runner.js';
import type { CircuitState } from '../providers/resilience/circuit-breaker-policy.js';
import type { IndexState } from '../retrieval/vector-index.js';
import type { HealthStatus } from './health.service.js';

/** error: the LLM failed (the question is answered without it, and counted once more by that source). */
export type AnswerOutcome =
  | 'llm'
  | 'curated'
  | 'retrieval'
  | 'knowledge'
  | 'fallback'
  | 'error'
  | 'interrupted';
const ANSWER_OUTCOMES: readonly AnswerOutcome[] = [
  'llm',
  'curated',
  'retrieval',
  'knowledge',
  'fallback',
  'error',
  'interrupted',
];

/** Where gauges read the service's current state, at scrape time. */
export interface MetricSources {
  health(): { status: HealthStatus; systemMemoryPercent: number };
  index(): { state: IndexState; items: number };
  /** All-time rating figures (kept in memory: reading them costs nothing). */
  ratings(): RatingSummary;
  retrainingThreshold: number;
  /** The LLM's circuit breaker; undefined without an LLM. */
  llmCircuit?: () => CircuitState;
  /** Log lines dropped so far, by destination (see createLogging). */
  logLinesDropped?: () => Readonly<Record<string, number>>;
}

const CIRCUIT_STATES: readonly CircuitState[] = ['closed', 'open', 'half_open'];

const HEALTH_STATUSES: readonly HealthStatus[] = ['healthy', 'degraded', 'unhealthy'];

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** The service's Prometheus series; one registry per service instance (tests build several). */
export class Metrics {
  readonly registry = new Registry();
  private sources: MetricSources | undefined;

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
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  readonly aiResponses = new Counter({
    name: 'vasdom_ai_responses_total',
    help: 'Answers by where they came from (llm, curated, retrieval, knowledge, fallback); error counts failed LLM calls, whose questions are then answered and counted by the outcome served',
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

  readonly llmRetries = new Counter({
    name: 'vasdom_llm_retries_total',
    help: 'LLM calls tried again after a 429, a 5xx or a lost connection',
    registers: [this.registry],
  });

  readonly embedderFailures = new Counter({
    name: 'vasdom_embedder_failures_total',
    help: 'Questions the embedder could not embed (answered without retrieval), by reason',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  readonly llmDuration = new Histogram({
    name: 'vasdom_llm_request_duration_seconds',
    help: 'Duration of LLM calls by result (success or the failure reason)',
    labelNames: ['result'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60],
    registers: [this.registry],
  });

  readonly llmTokens = new Counter({
    name: 'vasdom_llm_tokens_total',
    help: 'Tokens used by LLM calls, by kind (prompt or completion)',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });

  readonly retrievalDuration = new Histogram({
    name: 'vasdom_retrieval_duration_seconds',
    help: 'Time to find similar rated conversations for a question (embedding, index search, look-up)',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [this.registry],
  });

  readonly indexRestarts = new Counter({
    name: 'vasdom_retrieval_index_restarts_total',
    help: 'Times the retrieval index worker stopped and was started again',
    registers: [this.registry],
  });

  readonly learningPasses = new Counter({
    name: 'vasdom_learning_passes_total',
    help: 'Learning passes run, by result',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });

  readonly learningPassDuration = new Histogram({
    name: 'vasdom_learning_pass_duration_seconds',
    help: 'Duration of learning passes, by result',
    labelNames: ['result'] as const,
    buckets: [0.001, 0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60],
    registers: [this.registry],
  });

  readonly databaseErrors = new Counter({
    name: 'vasdom_database_errors_total',
    help: 'Database statements that failed, by operation (read or write)',
    labelNames: ['operation'] as const,
    registers: [this.registry],
  });

  readonly jobRuns = new Counter({
    name: 'vasdom_job_runs_total',
    help: 'Background job runs, by job and result (skipped: due but not run, as another replica holds its lease or a run was still going)',
    labelNames: ['job', 'result'] as const,
    registers: [this.registry],
  });

  readonly jobDuration = new Histogram({
    name: 'vasdom_job_duration_seconds',
    help: 'Duration of background job runs (succeeded or failed), by job',
    labelNames: ['job'] as const,
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300],
    registers: [this.registry],
  });

  /** What the job runner calls to count its jobs' runs. */
  readonly jobHooks: Required<Pick<JobRunnerHooks, 'onRegistered' | 'onRun'>> = {
    onRegistered: (job) => {
      for (const result of JOB_RESULTS) this.jobRuns.inc({ job, result }, 0);
    },
    onRun: (job: string, result: JobResult, durationSeconds?: number) => {
      this.jobRuns.inc({ job, result });
      if (durationSeconds !== undefined) this.jobDuration.observe({ job }, durationSeconds);
    },
  };

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    // Expose the labelled series from the start, so that rates and alerts have them before the first event.
    for (const outcome of ANSWER_OUTCOMES) this.aiResponses.inc({ status: outcome }, 0);
    for (const operation of ['read', 'write']) this.databaseErrors.inc({ operation }, 0);
    this.learningPasses.inc({ result: 'success' }, 0);
    this.learningPasses.inc({ result: 'failure' }, 0);
    this.stateGauges();
  }

  /** Connects the gauges that report current state to where it lives. */
  observe(sources: MetricSources): void {
    this.sources = sources;
  }

  private stateGauges(): void {
    const metrics = this;
    const gauge = (name: string, help: string, read: (sources: MetricSources) => number | undefined) =>
      new Gauge({
        name,
        help,
        registers: [this.registry],
        collect() {
          // NaN until there is something to measure: comparisons with it are false, so no alert fires.
          this.set((metrics.sources && read(metrics.sources)) ?? Number.NaN);
        },
      });
    const healthStatus = new Gauge({
      name: 'vasdom_health_status',
      help: 'The status GET /api/health reports: 1 for the current one, 0 for the others',
      labelNames: ['status'] as const,
      registers: [this.registry],
      collect() {
        const current = metrics.sources?.health().status;
        for (const status of HEALTH_STATUSES) this.set({ status }, status === current ? 1 : 0);
      },
    });
    for (const status of HEALTH_STATUSES) healthStatus.set({ status }, 0);
    const logLinesDropped = new Counter({
      name: 'vasdom_log_lines_dropped_total',
      help: 'Log lines dropped because their destination (console or file) could not keep up, or failed',
      labelNames: ['destination'] as const,
      registers: [this.registry],
      collect() {
        const dropped = metrics.sources?.logLinesDropped?.();
        if (dropped === undefined) return;
        // The logger keeps the counts (it exists before the metrics); they are copied here.
        this.reset();
        for (const [destination, lines] of Object.entries(dropped)) this.inc({ destination }, lines);
      },
    });
    logLinesDropped.inc({ destination: 'console' }, 0);
    new Gauge({
      name: 'vasdom_llm_circuit_state',
      help: "The LLM circuit breaker's state: 1 for the current one, 0 for the others (all 0 without an LLM)",
      labelNames: ['state'] as const,
      registers: [this.registry],
      collect() {
        const current = metrics.sources?.llmCircuit?.();
        for (const state of CIRCUIT_STATES) this.set({ state }, state === current ? 1 : 0);
      },
    });
    gauge(
      'vasdom_system_memory_used_ratio',
      'Share of the machine memory in use (reclaimable cache counted as free), sampled in the background',
      (sources) => sources.health().systemMemoryPercent / 100,
    );
    gauge('vasdom_retrieval_index_items', 'Items in the retrieval index', (sources) => sources.index().items);
    gauge(
      'vasdom_retrieval_index_ready',
      '1 when the retrieval index is loaded and serving, else 0',
      (sources) => (sources.index().state === 'ready' ? 1 : 0),
    );
    gauge(
      'vasdom_quality_rated_conversations',
      'Conversations with a rating',
      (sources) => sources.ratings().rated,
    );
    gauge(
      'vasdom_quality_average_rating',
      'Average current rating of rated conversations (NaN until the first rating)',
      (sources) => sources.ratings().averageRating ?? undefined,
    );
    gauge('vasdom_quality_satisfaction_ratio', 'Share of rated conversations rated 4 or 5', (sources) => {
      const { rated, positive } = sources.ratings();
      return rated === 0 ? undefined : positive / rated;
    });
    gauge('vasdom_quality_negative_ratio', 'Share of rated conversations rated 1 or 2', (sources) => {
      const { rated, negative } = sources.ratings();
      return rated === 0 ? undefined : negative / rated;
    });
    gauge(
      'vasdom_quality_retraining_threshold',
      'RETRAINING_THRESHOLD: an average rating below it asks for retraining',
      (sources) => sources.retrainingThreshold,
    );
  }
}
