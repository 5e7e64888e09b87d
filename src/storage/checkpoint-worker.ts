/**
 * Copies the write-ahead log back into the SQLite database file on its own thread and connection. A
 * checkpoint writes and syncs megabytes; run inside a commit, as SQLite does by default, it would stall
 * the event loop for as long as that takes.
 */
import { parentPort, workerData } from 'node:worker_threads';
import SqliteDatabase from 'better-sqlite3';
import type { CheckpointWorkerData } from './wal-checkpoints.js';

if (!parentPort) throw new Error('checkpoint-worker runs as a worker thread');
const port = parentPort;
const { file, intervalMs } = workerData as CheckpointWorkerData;
const connection = new SqliteDatabase(file);
connection.pragma('busy_timeout = 1000');

function checkpoint(): void {
  try {
    // PASSIVE never waits for readers or the writer: it copies what it can and tries again next time.
    connection.pragma('wal_checkpoint(PASSIVE)');
  } catch (error) {
    port.postMessage({ error: error instanceof Error ? error.message : String(error) });
  }
}

const timer = setInterval(checkpoint, intervalMs);
port.on('message', (message: unknown) => {
  if (message !== 'stop') return;
  clearInterval(timer);
  checkpoint();
  connection.close();
  port.close();
});
