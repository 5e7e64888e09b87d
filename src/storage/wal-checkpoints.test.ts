import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Worker } from 'node:worker_threads';
import SqliteDatabase from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventually } from '../../test/helpers/eventually.js';
import { BackgroundCheckpoints } from './wal-checkpoints.js';

describe('BackgroundCheckpoints', () => {
  let directory: string;
  let file: string;
  let connection: SqliteDatabase.Database;

  beforeEach(() => {
    directory = mkdtempSync(path.join(os.tmpdir(), 'vasdom-wal-'));
    file = path.join(directory, 'test.sqlite');
    connection = new SqliteDatabase(file);
    connection.pragma('journal_mode = WAL');
    connection.exec('create table notes (body blob not null)');
  });
  afterEach(() => {
    connection.close();
    rmSync(directory, { recursive: true, force: true });
  });

  function writeMegabytes(count: number): void {
    const insert = connection.prepare('insert into notes (body) values (?)');
    connection.transaction(() => {
      for (let row = 0; row < count * 256; row++) insert.run(Buffer.alloc(4096, row % 251));
    })();
  }

  it('copies the log into the database file from its own thread, not inside the commit', async () => {
    const errors: string[] = [];
    const checkpoints = new BackgroundCheckpoints(connection, file, (message) => errors.push(message));
    expect(connection.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
    const before = statSync(file).size;
    writeMegabytes(4);
    // The commit left the pages in the log; the worker moves them within about a second.
    expect(statSync(file).size).toBe(before);
    await eventually(() => statSync(file).size >= before + 4 * 1024 * 1024);
    await checkpoints.stop();
    expect(errors).toEqual([]);
  });

  it('goes back to inline checkpoints when its worker stops unexpectedly', async () => {
    const errors: string[] = [];
    const checkpoints = new BackgroundCheckpoints(connection, file, (message) => errors.push(message));
    // The worker is private: stopping it from outside stands in for a crash.
    await (checkpoints as unknown as { worker: Worker }).worker.terminate();
    await eventually(() => errors.length > 0);
    expect(errors.at(-1)).toMatch(/checkpointing inline again/);
    expect(connection.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
  });
});
