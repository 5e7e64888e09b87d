import type { ConversationTally } from '../conversations/conversation-tally.js';
import type { JobRunner } from '../platform/job-runner.js';
import type { ChatModel } from '../providers/chat/chat-model.js';
import type { CircuitState } from '../providers/resilience/circuit-breaker-policy.js';
import type { Embedder } from '../retrieval/embedder.js';
import type { IndexState } from '../retrieval/vector-index.js';
import { type Database, pingDatabase } from '../storage/database.js';
import type { StorageFault } from '../storage/storage-faults.js';
import type { SystemSampler } from './system-sampler.js';

export type HealthStatus = 'healthy' | 'degraded' | 'unhealthy';

const DISK_FULL_PERCENT = 95;
const MEMORY_FULL_PERCENT = 90;

/** How often each check runs in the background; a health call only reads their last results. */
export interface HealthIntervals {
  databaseMs: number;
  llmMs: number;
  /** Embedder self-test. */
  embedderMs: number;
}

const DEFAULT_INTERVALS: HealthIntervals = { databaseMs: 1000, llmMs: 30_000, embedderMs: 5000 };

interface LearningData {
  total_conversations: number;
  embeddings_cached: number;
  rated_conversations: number;
  max_storage_limit: number | null;
}

/** The last result of a background check. */
export interface ProbeResult {
  ok: boolean;
  latency_ms: number;
  checked_at: string;
  error?: string;
}

export interface HealthReport {
  status: HealthStatus;
  reasons: string[];
  timestamp: string;
  platform: string;
  version: string;
  uptime_seconds: number;
  services: {
    emergent_llm: boolean;
    embeddings: boolean;
    database: boolean;
    storage: boolean;
    http_client: boolean;
  };
  learning_data: LearningData;
  system_metrics: { cpu_percent: number; memory_percent: number; disk_percent: number };
  critical_checks: {
    ai_service_init: boolean;
    storage_accessible: boolean;
    config_loaded: boolean;
    embedding_creation: boolean;
  };
  database: { ok: boolean; latency_ms: number };
  /** Every check with its own figures. */
  checks: {
    database: ProbeResult;
    /** Whether writes can be kept: a full disk, an unreachable database or a lost file say why not. */
    storage: { writable: boolean; fault: StorageFault | null };
    llm: { configured: false } | ({ configured: true; circuit: CircuitState } & (ProbeResult | PendingProbe));
    embedder: ProbeResult;
    retrieval_index: { state: IndexState; items: number };
    disk: { writable: boolean; percent_used: number; free_bytes: number; sampled_at: string };
    memory: {
      system_percent: number;
      process_rss_bytes: number;
      process_heap_used_bytes: number;
      sampled_at: string;
    };
    /** Every background job of the job runner, in the order they were registered. */
    jobs: JobReport[];
  };
  response_time_ms: number;
}

/** A background job's status as the health report gives it. */
export interface JobReport {
  name: string;
  schedule: string;
  running: boolean;
  runs: number;
  failures: number;
  skipped: number;
  last_started_at: string | null;
  last_finished_at: string | null;
  last_result: 'success' | 'failure' | null;
  last_error: string | null;
}

export interface Readiness {
  ready: boolean;
  reasons: string[];
  checks: { migrations: boolean; retrieval_index: boolean; database: boolean; storage: boolean };
}

/** A check that has not finished its first run yet: it counts neither way. */
export interface PendingProbe {
  ok: null;
  latency_ms: null;
  checked_at: null;
}

const PENDING: PendingProbe = { ok: null, latency_ms: null, checked_at: null };

/** Runs a check and times it; a failure becomes a result, never an exception. */
async function probe(check: () => Promise<unknown>): Promise<ProbeResult> {
  const started = performance.now();
  try {
    await check();
    return {
      ok: true,
      latency_ms: Math.round((performance.now() - started) * 1000) / 1000,
      checked_at: new Date().toISOString(),
    };
  } catch (error) {
    return {
      ok: false,
      latency_ms: Math.round((performance.now() - started) * 1000) / 1000,
      checked_at: new Date().toISOString(),
      error: error instanceof Error ? error.message : String(error),
    };
  }
}

/**
 * Waits for a provider's check until the job runner stops: the check cannot be cut short, and shutdown must
 * not wait out a slow provider's timeout (its late result only updates the last result, which nobody reads).
 */
function untilAborted(signal: AbortSignal, check: Promise<void>): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const onAbort = () => resolve();
    signal.addEventListener('abort', onAbort, { once: true });
    const done = () => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    };
    check.then(done, done);
  });
}

/**
 * Health from real checks, each run in the background on its own schedule (database ping, LLM provider,
 * embedder self-test, system sample): a health call composes their last results and never waits.
 * A component that is not configured (no LLM) does not degrade the service; a configured one that fails
 * does. Unhealthy (HTTP 503) means the service cannot keep what it is given: no database, no writable
 * data directory, or a storage fault (a full disk, a lost database file).
 */
export class HealthService {
  private database: ProbeResult = { ok: false, latency_ms: 0, checked_at: new Date(0).toISOString() };
  private llm: ProbeResult | PendingProbe = PENDING;
  private embedder: ProbeResult = { ok: false, latency_ms: 0, checked_at: new Date(0).toISOString() };
  private readonly startedAt = Date.now();
  private readonly intervals: HealthIntervals;

  constructor(
    private readonly dependencies: {
      /** Pinged, its storage status read, its files checked, a write tried while a storage fault lasts. */
      database: Pick<Database, 'db' | 'status' | 'checkFiles' | 'probeWrite'>;
      sampler: SystemSampler;
      /** Runs the checks in the background; its jobs' status is part of the report. */
      jobs: Pick<JobRunner, 'register' | 'status'>;
      embedder: Embedder;
      tally: ConversationTally;
      model: ChatModel | undefined;
      /** The LLM's circuit breaker: open means questions are answered without the LLM for a while. */
      llmCircuit?: () => CircuitState;
      index: () => { state: IndexState; items: number };
      version: string;
      platform: string;
      intervals?: Partial<HealthIntervals>;
    },
  ) {
    this.intervals = { ...DEFAULT_INTERVALS, ...dependencies.intervals };
  }

  /**
   * Runs the local checks once, then keeps every check running in the background. The LLM provider's
   * first probe is not waited for: a slow provider must not delay start-up.
   */
  async start(): Promise<void> {
    const { jobs, sampler, model } = this.dependencies;
    await Promise.all([sampler.start(jobs), this.pingDatabase(), this.testEmbedder()]);
    // A slow check is never run twice at once: the runner skips a run due while one goes.
    jobs.register({
      name: 'health-database-ping',
      schedule: { everyMs: this.intervals.databaseMs },
      work: () => this.pingDatabase(),
    });
    if (model) {
      jobs.register({
        name: 'health-llm-probe',
        schedule: { everyMs: this.intervals.llmMs },
        runAtStart: true,
        work: (signal) => untilAborted(signal, this.probeLlm()),
      });
    }
    jobs.register({
      name: 'health-embedder-self-test',
      schedule: { everyMs: this.intervals.embedderMs },
      work: (signal) => untilAborted(signal, this.testEmbedder()),
    });
  }

  private async pingDatabase(): Promise<void> {
    const { database } = this.dependencies;
    this.database = await probe(() => pingDatabase(database.db));
    database.checkFiles();
    const fault = database.status.fault;
    if (fault !== undefined && fault.kind !== 'file_lost') {
      // Nothing else may write while the service is not ready: this is how it finds that space is free
      // again, or the server back.
      await database.probeWrite().then(
        () => database.status.noteRecovered(),
        () => undefined,
      );
    }
  }

  private async probeLlm(): Promise<void> {
    const { model } = this.dependencies;
    if (model) this.llm = await probe(() => model.probe());
  }

  private async testEmbedder(): Promise<void> {
    const { embedder } = this.dependencies;
    this.embedder = await probe(async () => {
      const [vector] = await embedder.embed(['Сколько домов обслуживает компания?']);
      if ((vector?.indices.length ?? 0) === 0) throw new Error('the embedder returned an empty vector');
    });
  }

  private learningData(): LearningData {
    const { tally } = this.dependencies;
    const summary = tally.summary();
    return {
      total_conversations: summary.total,
      embeddings_cached: tally.embeddings,
      rated_conversations: summary.rated,
      max_storage_limit: null,
    };
  }

  readiness(): Readiness {
    const index = this.dependencies.index();
    // Migrations are applied before the service is built, so a running service has them.
    const fault = this.dependencies.database.status.fault;
    const checks = {
      migrations: true,
      retrieval_index: index.state === 'ready',
      database: this.database.ok,
      storage: fault === undefined,
    };
    const reasons: string[] = [];
    if (!checks.retrieval_index) reasons.push(`retrieval index ${index.state}`);
    if (!checks.database) reasons.push('database unreachable');
    if (fault !== undefined) reasons.push(fault.detail);
    return { ready: reasons.length === 0, reasons, checks };
  }

  /** The status and its reasons, from the checks' last results (what /api/health and the metrics report). */
  assess(): { status: HealthStatus; reasons: string[]; systemMemoryPercent: number } {
    const { sampler, model } = this.dependencies;
    const system = sampler.latest;
    const index = this.dependencies.index();
    const fault = this.dependencies.database.status.fault;
    const reasons: string[] = [];
    if (!this.database.ok) reasons.push('database unreachable');
    if (fault !== undefined) reasons.push(fault.detail);
    if (!system.storageWritable) reasons.push('data directory not writable');
    if (model && this.llm.ok === false) reasons.push('LLM provider unreachable');
    if (this.dependencies.llmCircuit?.() === 'open') reasons.push('LLM circuit breaker open');
    if (!this.embedder.ok) reasons.push('embedder self-test failed');
    if (index.state !== 'ready') reasons.push(`retrieval index ${index.state}`);
    if (system.diskPercent >= DISK_FULL_PERCENT) reasons.push(`disk ${system.diskPercent}% full`);
    if (system.memoryPercent >= MEMORY_FULL_PERCENT) reasons.push(`memory ${system.memoryPercent}% used`);
    const status: HealthStatus =
      !this.database.ok || !system.storageWritable || fault !== undefined
        ? 'unhealthy'
        : reasons.length > 0
          ? 'degraded'
          : 'healthy';
    return { status, reasons, systemMemoryPercent: system.memoryPercent };
  }

  check(): HealthReport {
    const started = performance.now();
    const { sampler, model } = this.dependencies;
    const system = sampler.latest;
    const index = this.dependencies.index();
    const fault = this.dependencies.database.status.fault;
    const { status, reasons } = this.assess();
    return {
      status,
      reasons,
      timestamp: new Date().toISOString(),
      platform: this.dependencies.platform,
      version: this.dependencies.version,
      uptime_seconds: Math.round((Date.now() - this.startedAt) / 1000),
      services: {
        emergent_llm: model !== undefined,
        embeddings: this.embedder.ok,
        database: this.database.ok,
        storage: system.storageWritable,
        http_client: model !== undefined && this.llm.ok === true,
      },
      learning_data: this.learningData(),
      system_metrics: {
        cpu_percent: system.cpuPercent,
        memory_percent: system.memoryPercent,
        disk_percent: system.diskPercent,
      },
      critical_checks: {
        ai_service_init: true,
        storage_accessible: system.storageWritable,
        config_loaded: true,
        embedding_creation: this.embedder.ok,
      },
      database: { ok: this.database.ok, latency_ms: this.database.latency_ms },
      checks: {
        database: this.database,
        storage: { writable: fault === undefined, fault: fault ?? null },
        llm: model
          ? { configured: true, ...this.llm, circuit: this.dependencies.llmCircuit?.() ?? 'closed' }
          : { configured: false },
        embedder: this.embedder,
        retrieval_index: index,
        disk: {
          writable: system.storageWritable,
          percent_used: system.diskPercent,
          free_bytes: system.diskFreeBytes,
          sampled_at: system.sampledAt,
        },
        memory: {
          system_percent: system.memoryPercent,
          process_rss_bytes: system.processRssBytes,
          process_heap_used_bytes: system.processHeapUsedBytes,
          sampled_at: system.sampledAt,
        },
        jobs: this.dependencies.jobs.status().map((job) => ({
          name: job.name,
          schedule: job.schedule,
          running: job.running,
          runs: job.runs,
          failures: job.failures,
          skipped: job.skipped,
          last_started_at: job.lastStartedAt,
          last_finished_at: job.lastFinishedAt,
          last_result: job.lastResult,
          last_error: job.lastError,
        })),
      },
      response_time_ms: Math.round((performance.now() - started) * 1000) / 1000,
    };
  }
}
