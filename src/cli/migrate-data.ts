import { existsSync } from 'node:fs';
import { type Kysely, sql } from 'kysely';
import { parseConfig, redactedDatabaseUrl } from '../config/config.schema.js';
import { type Database, migrateToLatest, openDatabase } from '../storage/database.js';
import type { DatabaseSchema } from '../storage/tables.js';
import { UsageError } from './usage-error.js';

/** Rows read and written at a time. */
const DEFAULT_BATCH = 1000;

type TableName = keyof DatabaseSchema;

/**
 * Every table with data to move, parents before children, each with the columns of its primary key
 * (pages are read in that order, and a row already in the target is recognised by it). Leases are not
 * moved: they belong to running replicas.
 */
const TABLES: readonly { name: TableName; key: readonly string[] }[] = [
  { name: 'conversations', key: ['id'] },
  { name: 'feedback', key: ['id'] },
  { name: 'embeddings', key: ['owner_kind', 'owner_id', 'embedder'] },
  { name: 'status_checks', key: ['sequence'] },
  { name: 'service_state', key: ['key'] },
  { name: 'curated_answers', key: ['id'] },
  { name: 'knowledge_documents', key: ['id'] },
  { name: 'knowledge_chunks', key: ['id'] },
  { name: 'api_keys', key: ['id'] },
];

/** Auto-numbered keys whose sequence must continue after the moved rows. */
const SEQUENCES: readonly { table: TableName; column: string }[] = [
  { table: 'feedback', column: 'id' },
  { table: 'status_checks', column: 'sequence' },
];

export interface TableReport {
  table: string;
  source: number;
  /** Rows of the source not in the target before this run, now copied. */
  copied: number;
  /** The target's rows afterwards. */
  target: number;
  /** Text values that held NUL characters, which PostgreSQL cannot store: they were dropped from the text. */
  nulCleaned: number;
}

export interface MigrateDataOptions {
  from: string;
  to: string;
  batchSize?: number;
  print?: (line: string) => void;
}

/**
 * Moves an embedded installation to PostgreSQL: brings both databases to the current schema, copies
 * every row the target lacks (by primary key, in pages, one transaction per page), moves the auto-numbered
 * sequences past the copied rows, and checks by counts that every source row is in the target. Running it
 * again copies nothing and checks again. The service must not be writing to the source meanwhile.
 */
export async function migrateData(options: MigrateDataOptions): Promise<TableReport[]> {
  const print = options.print ?? (() => {});
  const batchSize = options.batchSize ?? DEFAULT_BATCH;
  const sourceConfig = parseConfig({ DATABASE_URL: `sqlite:${options.from}` }).database;
  const targetConfig = parseConfig({ DATABASE_URL: options.to }).database;
  if (sourceConfig.kind !== 'sqlite') throw new UsageError('--from: expected a SQLite database file');
  if (targetConfig.kind !== 'postgres') throw new UsageError('--to: expected a postgres:// URL');
  if (!existsSync(sourceConfig.file)) throw new UsageError(`--from: ${sourceConfig.file}: no such file`);

  const source = openDatabase(sourceConfig);
  let target: Database | undefined;
  try {
    await migrateToLatest(source.db);
    target = openDatabase(targetConfig);
    await migrateToLatest(target.db);
    print(`Moving ${sourceConfig.file} to ${redactedDatabaseUrl(targetConfig.url)}`);
    const reports: TableReport[] = [];
    for (const table of TABLES) {
      const report = await copyTable(source.db, target.db, table, batchSize);
      reports.push(report);
      print(
        `${table.name}: ${report.copied} copied; ${report.source} in the source, ${report.target} in the target${report.nulCleaned > 0 ? `; NUL characters dropped from ${report.nulCleaned} values` : ''}`,
      );
    }
    for (const { table, column } of SEQUENCES) {
      await sql`select setval(pg_get_serial_sequence(${table}, ${column}), coalesce((select max(${sql.ref(column)}) from ${sql.table(table)}), 0) + 1, false)`.execute(
        target.db,
      );
    }
    const missing = reports.filter((report) => report.target < report.source);
    if (missing.length > 0) {
      throw new Error(
        `the target lacks rows after copying: ${missing.map((report) => `${report.table} (${report.source} in the source, ${report.target} in the target)`).join(', ')}`,
      );
    }
    return reports;
  } finally {
    await target?.close();
    await source.close();
  }
}

async function copyTable(
  source: Kysely<DatabaseSchema>,
  target: Kysely<DatabaseSchema>,
  table: (typeof TABLES)[number],
  batchSize: number,
): Promise<TableReport> {
  const count = async (db: Kysely<DatabaseSchema>) =>
    Number(
      (await sql<{ count: number }>`select count(*) as count from ${sql.table(table.name)}`.execute(db))
        .rows[0]?.count ?? 0,
    );
  const sourceCount = await count(source);
  let copied = 0;
  let nulCleaned = 0;
  let after: Record<string, unknown> | undefined;
  for (;;) {
    const page = await readPage(source, table, after, batchSize);
    if (page.length === 0) break;
    const rows = page.map((row) => {
      const clean: Record<string, unknown> = {};
      for (const [column, value] of Object.entries(row)) {
        if (typeof value === 'string' && value.includes('\u0000')) {
          nulCleaned++;
          clean[column] = value.replaceAll('\u0000', '');
        } else {
          clean[column] = value;
        }
      }
      return clean;
    });
    copied += await target.transaction().execute(async (transaction) => {
      const result = await transaction
        .insertInto(table.name)
        .values(rows as never)
        .onConflict((conflict) => conflict.columns(table.key as never).doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0);
    });
    after = page.at(-1);
  }
  return { table: table.name, source: sourceCount, copied, target: await count(target), nulCleaned };
}

/** The next page of rows in primary-key order, after the row `after` (keyset pagination). */
async function readPage(
  db: Kysely<DatabaseSchema>,
  table: (typeof TABLES)[number],
  after: Record<string, unknown> | undefined,
  batchSize: number,
): Promise<Record<string, unknown>[]> {
  const keys = table.key.map((column) => sql.ref(column));
  const position =
    after === undefined
      ? sql`1 = 1`
      : sql`(${sql.join(keys)}) > (${sql.join(table.key.map((column) => after[column]))})`;
  const result = await sql<
    Record<string, unknown>
  >`select * from ${sql.table(table.name)} where ${position} order by ${sql.join(keys)} limit ${batchSize}`.execute(
    db,
  );
  return result.rows;
}
