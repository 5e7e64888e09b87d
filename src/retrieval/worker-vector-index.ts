import type { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { startWorkerModule } from '../platform/worker-module.js';
import type { VectorKind } from './in-process-index.js';
import type { IndexReply, IndexRequest } from './index-protocol.js';
import type { SparseVector } from './sparse-vector.js';
import type { IndexState, LoadReport, ScoredItem, StoredVector, VectorIndex } from './vector-index.js';

/** Thrown while the index is being rebuilt after its worker stopped: callers do without it meanwhile. */
export class IndexUnavailableError extends Error {
  constructor() {
    super('The retrieval index is being rebuilt after a failure');
    this.name = 'IndexUnavailableError';
  }
}

/** Restarts of a worker that keeps failing wait longer each time, up to this. */
const MAX_RESTART_DELAY_MS = 30_000;
const FIRST_RESTART_DELAY_MS = 500;
/** A worker that has run this long without failing resets the restart delay. */
const STABLE_AFTER_MS = 60_000;

type Result = (IndexReply & { ok: true })['result'];

/**
 * The retrieval index, kept in a worker thread (index-worker.ts): searches use another core than the
 * HTTP event loop, and a slow search never delays other requests. Requests are answered in the order
 * they are made. Should the worker stop, pending calls fail, a new worker is started and filled again
 * from the last load's source; calls fail fast with IndexUnavailableError until it is ready.
 */
export class WorkerVectorIndex implements VectorIndex {
  private worker: Worker;
  private startedAt = Date.now();
  private readonly pending = new Map<number, { resolve(result: Result): void; reject(error: Error): void }>();
  private nextRequestId = 1;
  private knownSize = 0;
  /** Calls wait for this: the load in progress, if any. Never rejects. */
  private ready: Promise<unknown> = Promise.resolve();
  private source: (() => AsyncIterable<StoredVector[]>) | undefined;
  /** Set while a new worker is being started and filled after the last one stopped. */
  private recovery: Promise<void> | undefined;
  private restarts = 0;
  private closed = false;
  private loadState: 'loading' | 'ready' | 'failed' = 'loading';

  constructor(
    private readonly logger: Logger,
    private readonly options: { vectorKind?: VectorKind; onRestart?: () => void } = {},
  ) {
    this.worker = this.spawn();
  }

  get size(): number {
    return this.knownSize;
  }

  get state(): IndexState {
    if (this.closed) return 'closed';
    if (this.recovery) return 'rebuilding';
    return this.loadState;
  }

  load(source: () => AsyncIterable<StoredVector[]>): Promise<LoadReport> {
    this.source = source;
    this.loadState = 'loading';
    const loading = this.ready.then(() => this.fill(source));
    this.ready = loading.then(
      () => {
        this.loadState = 'ready';
      },
      () => {
        this.loadState = 'failed';
      },
    );
    return loading;
  }

  async upsert(id: string, vector: SparseVector): Promise<void> {
    await this.whenReady();
    await this.send({ kind: 'upsert', requestId: this.nextRequestId++, id, ...vector });
  }

  async remove(id: string): Promise<boolean> {
    await this.whenReady();
    return (await this.send({ kind: 'remove', requestId: this.nextRequestId++, id })) as boolean;
  }

  async search(
    query: SparseVector,
    limit: number,
    minScore: number,
    excludeId?: string,
  ): Promise<ScoredItem[]> {
    await this.whenReady();
    return (await this.send({
      kind: 'search',
      requestId: this.nextRequestId++,
      indices: query.indices,
      values: query.values,
      limit,
      minScore,
      excludeId,
    })) as ScoredItem[];
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.worker.terminate();
    this.failPending(new Error('The retrieval index is closed'));
  }

  private async whenReady(): Promise<void> {
    if (this.closed) throw new Error('The retrieval index is closed');
    if (this.recovery) throw new IndexUnavailableError();
    await this.ready;
  }

  private async fill(source: () => AsyncIterable<StoredVector[]>): Promise<LoadReport> {
    this.worker.postMessage({ kind: 'load-start' } satisfies IndexRequest);
    for await (const page of source()) {
      this.worker.postMessage({
        kind: 'load-page',
        ids: page.map((item) => item.id),
        vectors: page.map((item) => item.vector),
      } satisfies IndexRequest);
    }
    const skipped = (await this.send({ kind: 'load-end', requestId: this.nextRequestId++ })) as number;
    return { indexed: this.knownSize, skipped };
  }

  private send(request: IndexRequest & { requestId: number }): Promise<Result> {
    return new Promise((resolve, reject) => {
      this.pending.set(request.requestId, { resolve, reject });
      this.worker.postMessage(request);
    });
  }

  private spawn(): Worker {
    const worker = startWorkerModule(import.meta.url, 'index-worker', {
      workerData: { vectorKind: this.options.vectorKind ?? 'sparse' },
    });
    this.startedAt = Date.now();
    worker.on('message', (reply: IndexReply) => {
      const waiting = this.pending.get(reply.requestId);
      if (!waiting) return;
      this.pending.delete(reply.requestId);
      this.knownSize = reply.size;
      if (reply.ok) waiting.resolve(reply.result);
      else waiting.reject(new Error(`Retrieval index: ${reply.error}`));
    });
    worker.on('error', (error) => {
      this.logger.error({ error: error.message }, 'retrieval index worker failed');
    });
    worker.on('exit', (code) => {
      if (!this.closed) this.restart(code);
    });
    return worker;
  }

  private failPending(error: Error): void {
    for (const waiting of this.pending.values()) waiting.reject(error);
    this.pending.clear();
  }

  /** Replaces a worker that stopped, and fills the new one from the last load's source. */
  private restart(exitCode: number): void {
    this.failPending(new Error(`The retrieval index worker stopped (exit code ${exitCode})`));
    if (Date.now() - this.startedAt >= STABLE_AFTER_MS) this.restarts = 0;
    const delayMs =
      this.restarts === 0 ? 0 : Math.min(MAX_RESTART_DELAY_MS, FIRST_RESTART_DELAY_MS * 2 ** this.restarts);
    this.restarts++;
    this.knownSize = 0;
    this.options.onRestart?.();
    this.logger.warn({ exitCode, delayMs }, 'restarting the retrieval index worker');
    const source = this.source;
    const recovery: Promise<void> = new Promise((resolve) => setTimeout(resolve, delayMs))
      .then(async () => {
        if (this.closed) return;
        this.worker = this.spawn();
        if (!source) return;
        const report = await this.fill(source);
        this.loadState = 'ready';
        this.logger.info({ ...report }, 'retrieval index rebuilt');
      })
      .catch((error: unknown) => {
        this.loadState = 'failed';
        this.logger.error({ error: (error as Error).message }, 'rebuilding the retrieval index failed');
      })
      .finally(() => {
        // A failure during the rebuild has started another recovery: that one is current now.
        if (this.recovery === recovery) this.recovery = undefined;
      });
    this.recovery = recovery;
    this.ready = recovery;
  }
}
