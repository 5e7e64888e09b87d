import { statfs } from 'node:fs/promises';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import {
  Kysely,
  type LogEvent,
  type Migration,
  type MigrationProvider,
  type MigrationResultSet,
  Migrator,
  PostgresDialect,
  SqliteDialect,
  sql,
} from 'kysely';
import pg from 'pg';
import type { DatabaseConfig } from '../config/config.schema.js';
import { DatabaseFileWatch, prepareDatabaseFile } from './database-file.js';
import * as initial from './migrations/001-initial.js';
import * as curatedAnswers from './migrations/002-curated-answers.js';
import * as corrections from './migrations/003-corrections.js';
import * as curatedLearning from './migrations/004-curated-learning.js';
import * as knowledge from './migrations/005-knowledge.js';
import * as llmAccounting from './migrations/006-llm-accounting.js';
import * as apiKeys from './migrations/007-api-keys.js';
import * as partialIndexes from './migrations/008-partial-indexes.js';
import * as leases from './migrations/009-leases.js';
import { type StatementWatch, withStatementCache } from './statement-cache.js';
import { StorageStatus, StorageUnavailableError } from './storage-faults.js';
import type { DatabaseSchema } from './tables.js';
import { BackgroundCheckpoints } from './wal-checkpoints.js';

/** Migrations in the order they apply; a new one is appended here and never edited once released. */
const migrations: Record<string, Migration> = {
  '001-initial': initial,
  '002-curated-answers': curatedAnswers,
  '003-corrections': corrections,
  '004-curated-learning': curatedLearning,
  '005-knowledge': knowledge,
  '006-llm-accounting': llmAccounting,
  '007-api-keys': apiKeys,
  '008-partial-indexes': partialIndexes,
  '009-leases': leases,
};

const migrationProvider: MigrationProvider = { getMigrations: async () => migrations };

export interface Database {
  db: Kysely<DatabaseSchema>;
  kind: DatabaseConfig['kind'];
  /** SQLite only: synchronous writes on Kysely's connection, for the hottest path. */
  embedded?: EmbeddedWrites;
  /** The storage fault in effect (a full disk, an unreachable server, a lost file), from what failed. */
  status: StorageStatus;
  /**
   * SQLite: checks that the database file is still the one opened, as every write does (health runs it
   * in the background too, so that a loss is noticed while nothing is written). PostgreSQL: nothing to check.
   */
  checkFiles(): void;
  /**
   * A write that needs new space: health tries it while a full disk or an outage lasts, and the fault is
   * over once it goes through. It changes nothing a reader sees.
   */
  probeWrite(): Promise<void>;
  close(): Promise<void>;
}

export interface EmbeddedWrites {
  /**
   * Runs `work` in one SQLite transaction, synchronously, on the connection Kysely uses: at once when no
   * transaction is open on it, else once Kysely's transaction has ended. A few statements cost a fraction
   * of as many asynchronous Kysely queries.
   */
  transaction<T>(work: (connection: SqliteDatabase.Database) => T): Promise<T>;
}

export interface OpenOptions {
  /**
   * SQLite: run WAL checkpoints on a worker thread instead of inside a commit, which they would stall (the
   * service does; short-lived commands keep SQLite's inline checkpoints). Failures are reported here.
   */
  backgroundCheckpoints?: { onError(message: string): void };
  /** Called for each statement that fails, by whether it reads or writes. */
  onStatementError?: (operation: 'read' | 'write') => void;
  /**
   * SQLite: the database file was deleted or replaced while open (`detail` says which); `openCopies` are
   * where this process still holds the deleted files, to copy them from before it stops.
   */
  onFileLost?: (detail: string, openCopies: string[]) => void;
  /** SQLite: the file did not exist and an empty database was made; `previous` is the marker of the one before, if any. */
  onCreated?: (previous: string | undefined) => void;
  /** PostgreSQL: a pooled connection failed while idle (the pool replaces it). */
  onConnectionError?: (message: string) => void;
}

export function openDatabase(config: DatabaseConfig, options: OpenOptions = {}): Database {
  return config.kind === 'postgres' ? openPostgres(config, options) : openSqlite(config, options);
}

/** Free space on the SQLite file's file system from which a full disk counts as over: about a second of busy writes. */
const RECOVERED_FREE_BYTES = 4 * 1024 * 1024;

/** Why SQLite writes are refused once the file is lost (what clients are told is the HTTP layer's). */
const FILE_LOST_MESSAGE =
  'the database file was deleted or replaced while the service ran: writes are refused';

function openSqlite(config: Extract<DatabaseConfig, { kind: 'sqlite' }>, options: OpenOptions): Database {
  const prepared = prepareDatabaseFile(config.file, config.allowNew ?? false);
  if (prepared.created) options.onCreated?.(prepared.previous);
  const connection = new SqliteDatabase(config.file);
  // WAL keeps readers and the writer apart; a committed transaction survives a kill of the process with
  // synchronous=NORMAL, and a power loss too with FULL.
  connection.pragma('journal_mode = WAL');
  connection.pragma(`synchronous = ${config.synchronous}`);
  connection.pragma('foreign_keys = ON');
  connection.pragma('busy_timeout = 5000');
  // 32 MB of page cache (the default is 2 MB): the hot parts of the indexes of 100,000 conversations.
  connection.pragma('cache_size = -32768');
  const checkpoints =
    options.backgroundCheckpoints &&
    new BackgroundCheckpoints(connection, config.file, options.backgroundCheckpoints.onError);
  const status = new StorageStatus();
  const files = new DatabaseFileWatch(config.file);
  const onStatementError = options.onStatementError ?? (() => undefined);
  /** Throws once the file is lost: a write to a deleted file would be acknowledged, then gone at restart. */
  const checkFiles = () => {
    if (status.fault?.kind !== 'file_lost') {
      const lost = files.lostFile();
      if (lost === undefined) return;
      status.noteFileLost(lost);
      options.onFileLost?.(lost, files.openCopies());
    }
    throw new StorageUnavailableError('file_lost', FILE_LOST_MESSAGE);
  };
  const watch: StatementWatch = {
    beforeWrite: checkFiles,
    onError(operation, error) {
      status.noteFailure(error);
      onStatementError(operation);
    },
  };
  const db = new Kysely<DatabaseSchema>({
    dialect: new SqliteDialect({ database: withStatementCache(connection, { watch }) }),
  });
  // Made once: each call of connection.transaction() wraps its function four ways (one per transaction
  // mode) and defines their properties.
  const asTransaction = connection.transaction((work: (connection: SqliteDatabase.Database) => unknown) =>
    work(connection),
  );
  const runTransaction = <T>(work: (connection: SqliteDatabase.Database) => T): T => {
    try {
      checkFiles();
      return asTransaction(work) as T;
    } catch (error) {
      watch.onError('write', error);
      throw error;
    }
  };
  const embedded: EmbeddedWrites = {
    transaction: async (work) => {
      // The work is synchronous, so nothing can come between its statements. Only a Kysely transaction
      // open across awaits must end first: begun inside it, the work would become part of it.
      if (!connection.inTransaction) return runTransaction(work);
      return db.connection().execute(async () => runTransaction(work));
    },
  };
  return {
    db,
    kind: config.kind,
    embedded,
    status,
    checkFiles() {
      try {
        checkFiles();
      } catch {
        // Recorded in the status: what health reports.
      }
    },
    async probeWrite() {
      // SQLite reuses the space its write-ahead log already holds, so a small write can go through on a
      // full disk: free space on the file system is what says the disk is no longer full.
      const { bavail, bsize } = await statfs(path.dirname(config.file));
      if (bavail * bsize < RECOVERED_FREE_BYTES) {
        throw new StorageUnavailableError('disk_full', `${bavail * bsize} bytes free`);
      }
      const now = new Date().toISOString();
      await sql`insert into service_state (key, value, updated_at) values ('storage_write_probe', ${now}, ${now})
        on conflict (key) do update set value = excluded.value, updated_at = excluded.updated_at`.execute(db);
    },
    async close() {
      await checkpoints?.stop();
      await db.destroy();
    },
  };
}

/** PostgreSQL's bigint (counts) and numeric (sums, averages) come as strings by default; here as numbers. */
const BIGINT_OID = 20;
const NUMERIC_OID = 1700;

function openPostgres(config: Extract<DatabaseConfig, { kind: 'postgres' }>, options: OpenOptions): Database {
  const pool = new pg.Pool({
    connectionString: config.url,
    max: config.poolSize,
    application_name: 'vasdom-audiobot',
    connectionTimeoutMillis: 10_000,
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === BIGINT_OID || oid === NUMERIC_OID
          ? (value: string) => Number(value)
          : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  // An idle connection that breaks (a server restart) must not crash the process: the pool drops it.
  pool.on('error', (error) => options.onConnectionError?.(error.message));
  const onStatementError = options.onStatementError ?? (() => undefined);
  const status = new StorageStatus();
  const db = new Kysely<DatabaseSchema>({
    dialect: new PostgresDialect({
      // A connection that cannot be made fails before Kysely reports a query: noted here.
      pool: {
        connect: () =>
          pool.connect().catch((error: unknown) => {
            status.noteFailure(error);
            throw error;
          }),
        end: () => pool.end(),
      },
    }),
    // Kysely reports each failed query here: what the storage status is made of.
    log: (event: LogEvent) => {
      if (event.level !== 'error') return;
      status.noteFailure(event.error);
      onStatementError(event.query.query.kind === 'SelectQueryNode' ? 'read' : 'write');
    },
  });
  return {
    db,
    kind: config.kind,
    status,
    checkFiles: () => undefined,
    // PostgreSQL writes a new page of a table to disk as it adds it: a temporary table given a few pages
    // needs that much free space on the server, and is gone with the rollback.
    probeWrite: () =>
      db.connection().execute(async (connection) => {
        await sql`begin`.execute(connection);
        try {
          await sql`create temporary table storage_write_probe (filler text) on commit drop`.execute(
            connection,
          );
          await sql`insert into storage_write_probe select repeat('x', 1000) from generate_series(1, 64)`.execute(
            connection,
          );
        } finally {
          await sql`rollback`.execute(connection);
        }
      }),
    close: () => db.destroy(),
  };
}

export interface MigrationReport {
  applied: string[];
  current: string | undefined;
}

export function migrateToLatest(db: Kysely<DatabaseSchema>): Promise<MigrationReport> {
  return migrate(db, (migrator) => migrator.migrateToLatest());
}

/** Applies the migrations up to and including `name` (tests use it to build an older schema). */
export function migrateUpTo(db: Kysely<DatabaseSchema>, name: string): Promise<MigrationReport> {
  return migrate(db, (migrator) => migrator.migrateTo(name));
}

async function migrate(
  db: Kysely<DatabaseSchema>,
  run: (migrator: Migrator) => Promise<MigrationResultSet>,
): Promise<MigrationReport> {
  const migrator = new Migrator({ db, provider: migrationProvider });
  const { error, results = [] } = await run(migrator);
  if (error) {
    const failed = results.find((result) => result.status === 'Error');
    throw new Error(`Migration ${failed?.migrationName ?? ''} failed: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const all = await migrator.getMigrations();
  const executed = all.filter((migration) => migration.executedAt !== undefined);
  return {
    applied: results.filter((result) => result.status === 'Success').map((result) => result.migrationName),
    current: executed.at(-1)?.name,
  };
}

export async function pingDatabase(db: Kysely<DatabaseSchema>): Promise<void> {
  await sql`select 1`.execute(db);
}
