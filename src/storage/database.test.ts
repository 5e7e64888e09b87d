import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Database, openDatabase } from './database.js';

describe('embedded writes (SQLite)', () => {
  let directory: string;
  let file: string;
  let database: Database;

  beforeEach(async () => {
    directory = mkdtempSync(path.join(os.tmpdir(), 'vasdom-embedded-'));
    file = path.join(directory, 'test.sqlite');
    database = openDatabase({ kind: 'sqlite', file, synchronous: 'NORMAL' });
    await sql`create table notes (body text not null)`.execute(database.db);
  });
  afterEach(async () => {
    await database.close();
    rmSync(directory, { recursive: true, force: true });
  });

  const embedded = () => database.embedded as NonNullable<Database['embedded']>;
  const bodies = async () =>
    (await sql<{ body: string }>`select body from notes order by rowid`.execute(database.db)).rows.map(
      (row) => row.body,
    );

  it('runs at once when no transaction is open', async () => {
    const written = embedded().transaction((connection) => {
      connection.prepare('insert into notes (body) values (?)').run('сразу');
      return 'written';
    });
    // Read synchronously, on a connection of its own: committed before the call returned.
    const reader = new SqliteDatabase(file, { readonly: true });
    try {
      expect(reader.prepare('select count(*) from notes').pluck().get()).toBe(1);
    } finally {
      reader.close();
    }
    expect(await written).toBe('written');
  });

  it('waits for a Kysely transaction open across awaits, and is not undone with it', async () => {
    let release: () => void = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    let entered: () => void = () => {};
    const open = new Promise<void>((resolve) => {
      entered = resolve;
    });
    const rolledBack = database.db.transaction().execute(async (transaction) => {
      await sql`insert into notes (body) values ('отменённая')`.execute(transaction);
      entered();
      await released;
      throw new Error('roll back');
    });
    await open;
    const written = embedded().transaction((connection) =>
      connection.prepare('insert into notes (body) values (?)').run('своя'),
    );
    release();
    await expect(rolledBack).rejects.toThrow('roll back');
    await written;
    expect(await bodies()).toEqual(['своя']);
  });

  it('reports a failed write and rolls back its statements', async () => {
    await expect(
      embedded().transaction((connection) => {
        connection.prepare('insert into notes (body) values (?)').run('первая');
        connection.prepare('insert into notes (body) values (?)').run(null);
      }),
    ).rejects.toThrow(/NOT NULL/);
    expect(await bodies()).toEqual([]);
  });
});
