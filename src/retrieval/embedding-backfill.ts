import type { Logger } from 'pino';
import type { JobRunner } from '../platform/job-runner.js';
import type { EmbeddingUpdateReport, RetrievalService } from './retrieval.service.js';

/** Small batches keep each turn of the event loop short while the embedder works in this thread. */
const BATCH_SIZE = 200;

export interface BackfillStatus {
  state: 'idle' | 'running' | 'done' | 'failed';
  /** Conversations without a vector when the run started. */
  missingAtStart: number;
  processed: number;
  errors: number;
  startedAt: string | null;
  finishedAt: string | null;
}

/**
 * Gives every stored conversation a vector from the current embedder, in the background: after a change
 * of embedder the service keeps answering (from what is already indexed) while the rest is embedded and
 * indexed batch by batch.
 */
export class EmbeddingBackfill {
  private current: BackfillStatus = {
    state: 'idle',
    missingAtStart: 0,
    processed: 0,
    errors: 0,
    startedAt: null,
    finishedAt: null,
  };
  private jobs: Pick<JobRunner, 'register' | 'trigger'> | undefined;

  constructor(
    private readonly retrieval: RetrievalService,
    private readonly logger: Logger,
    /** A cheap first look (counting the table takes a while): false when every conversation has a vector. */
    private readonly mayHaveMissing: () => boolean = () => true,
    private readonly replicas: {
      /** Whether this replica runs the background work for all (it holds the embeddings lease). */
      runsForAll: () => boolean;
      /** Tells the other replicas that stored vectors changed, so that they load their index again. */
      announce: () => Promise<void>;
    } = { runsForAll: () => true, announce: async () => {} },
  ) {}

  get status(): BackfillStatus {
    return { ...this.current };
  }

  /**
   * Runs now, then every `intervalMs` (the runner's job `embedding-backfill`, on the replica that runs it
   * for all), for conversations stored without a vector since (the embedder failed on their question); a
   * run finds nothing to do cheaply. The runner stopping ends a run between batches.
   */
  start(jobs: Pick<JobRunner, 'register' | 'trigger'>, intervalMs: number): void {
    jobs.register({
      name: 'embedding-backfill',
      schedule: { everyMs: intervalMs },
      runAtStart: true,
      runsHere: this.replicas.runsForAll,
      work: (signal) => this.run(signal),
      onError: (error) =>
        this.logger.error({ error: (error as Error).message }, 'background embedding failed'),
    });
    this.jobs = jobs;
  }

  /** Asks for a run (once started); resolves when a run that started after the call has finished. */
  requestRun(): Promise<void> {
    return this.jobs?.trigger('embedding-backfill') ?? Promise.resolve();
  }

  /** Embeds one batch now, whichever replica is asked (an administrator's request). */
  async embedNow(batchSize: number): Promise<EmbeddingUpdateReport> {
    const report = await this.retrieval.embedMissing(batchSize);
    if (report.processed > 0) await this.replicas.announce();
    return report;
  }

  private async run(signal: AbortSignal): Promise<void> {
    if (!this.mayHaveMissing()) return;
    const missing = await this.retrieval.countMissingVectors();
    if (missing === 0) return;
    this.current = {
      state: 'running',
      missingAtStart: missing,
      processed: 0,
      errors: 0,
      startedAt: new Date().toISOString(),
      finishedAt: null,
    };
    this.logger.info({ missing }, 'embedding stored conversations in the background');
    try {
      while (!signal.aborted) {
        const batch = await this.retrieval.embedBatch(BATCH_SIZE);
        this.current.processed += batch.processed;
        this.current.errors += batch.errors;
        // Nothing left, or nothing this batch could embed: retrying now would fail the same way.
        if (batch.processed === 0) break;
        await new Promise((resolve) => setImmediate(resolve));
      }
      this.current.state = this.current.errors > 0 ? 'failed' : 'done';
    } catch (error) {
      this.current.state = 'failed';
      throw error;
    } finally {
      this.current.finishedAt = new Date().toISOString();
      this.logger.info({ ...this.current }, 'background embedding finished');
      if (this.current.processed > 0) await this.replicas.announce();
    }
  }
}
