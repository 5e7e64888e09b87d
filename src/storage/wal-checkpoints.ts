import { once } from 'node:events';
import type { Worker } from 'node:worker_threads';
import type SqliteDatabase from 'better-sqlite3';
import { startWorkerModule } from '../platform/worker-module.js';

export interface CheckpointWorkerData {
  file: string;
  intervalMs: number;
}

/** How often the log is copied back: about what a busy second writes, a few megabytes. */
const CHECKPOINT_INTERVAL_MS = 1000;
/** SQLite's own default, restored should the worker stop: the log then never grows without bound. */
const INLINE_CHECKPOINT_PAGES = 1000;

/**
 * WAL checkpoints taken off the committing connection and run by a worker thread (checkpoint-worker.ts).
 * Should the worker fail, the connection goes back to checkpointing inline.
 */
export class BackgroundCheckpoints {
  private readonly worker: Worker;
  private readonly exited: Promise<unknown>;
  private stopping = false;

  constructor(connection: SqliteDatabase.Database, file: string, onError: (message: string) => void) {
    connection.pragma('wal_autocheckpoint = 0');
    this.worker = startWorkerModule(import.meta.url, 'checkpoint-worker', {
      workerData: { file, intervalMs: CHECKPOINT_INTERVAL_MS } satisfies CheckpointWorkerData,
    });
    this.exited = once(this.worker, 'exit');
    this.worker.on('message', (message: { error?: string }) => {
      if (message.error) onError(`WAL checkpoint failed: ${message.error}`);
    });
    this.worker.on('error', (error) => onError(`WAL checkpoint worker failed: ${error.message}`));
    this.worker.on('exit', () => {
      if (this.stopping || !connection.open) return;
      connection.pragma(`wal_autocheckpoint = ${INLINE_CHECKPOINT_PAGES}`);
      onError('WAL checkpoint worker stopped; checkpointing inline again');
    });
  }

  /** Takes a last checkpoint and stops the worker. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.worker.postMessage('stop');
    await this.exited;
  }
}
