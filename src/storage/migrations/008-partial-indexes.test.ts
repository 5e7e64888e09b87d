import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { temporaryDirectory } from '../../../test/helpers/test-service.js';
import { RatingEvidenceStore } from '../../curated/rating-evidence.store.js';
import { migrateToLatest } from '../database.js';
import type { DatabaseSchema } from '../tables.js';

describe('migration 008-partial-indexes', () => {
  let connection: SqliteDatabase.Database | undefined;
  afterEach(() => connection?.close());

  it('indexes only rated or curated-served conversations, and the queries by them still look rows up by index', async () => {
    connection = new SqliteDatabase(path.join(temporaryDirectory('vasdom-migration-'), 'partial.sqlite'));
    const executed: { sql: string; parameters: readonly unknown[] }[] = [];
    const db = new Kysely<DatabaseSchema>({
      dialect: new SqliteDialect({ database: connection }),
      log: (event) => {
        if (event.level === 'query') executed.push(event.query);
      },
    });
    await migrateToLatest(db);
    const indexes = connection
      .prepare("select name, sql from sqlite_master where type = 'index' and tbl_name = 'conversations'")
      .all() as { name: string; sql: string | null }[];
    const definition = (name: string) => indexes.find((index) => index.name === name)?.sql ?? '';
    expect(definition('conversations_answer_key')).toMatch(/where "rating" is not null$/);
    expect(definition('conversations_rating')).toMatch(/where "rating" is not null$/);
    expect(definition('conversations_curated_answer')).toMatch(/where "curated_answer_id" is not null$/);

    executed.length = 0;
    const evidence = new RatingEvidenceStore(db);
    await evidence.ofAnswer('key', 5);
    await evidence.ofCurated('curated-1', '2026-01-01');
    expect(executed.length).toBeGreaterThanOrEqual(4);
    for (const query of executed) {
      const plan = connection
        .prepare(`explain query plan ${query.sql}`)
        .all(...(query.parameters as unknown[])) as { detail: string }[];
      // Every table is reached through an index (which one is the planner's choice), none read whole.
      for (const step of plan.map((entry) => entry.detail)) {
        if (/^(SCAN|SEARCH) (conversations|feedback)\b/.test(step)) {
          expect(step, query.sql).toMatch(/^SEARCH \w+ USING (COVERING )?INDEX/);
        }
      }
    }
    await db.destroy();
    connection = undefined;
  });
});
