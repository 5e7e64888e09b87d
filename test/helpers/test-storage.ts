import path from 'node:path';
import type { Kysely } from 'kysely';
import pg from 'pg';
import { parseConfig } from '../../src/config/config.schema.js';
import { type Database, openDatabase } from '../../src/storage/database.js';
import type { DatabaseSchema } from '../../src/storage/tables.js';

/**
 * Which database the suites run on: TEST_DATABASE=postgres puts every service a test starts on a
 * PostgreSQL database of its own (on the local server, TEST_POSTGRES_URL), else on SQLite under its DATA_DIR.
 */
export const TEST_DATABASE: 'sqlite' | 'postgres' =
  process.env.TEST_DATABASE === 'postgres' ? 'postgres' : 'sqlite';

/** A database on the server the test databases are made on (any database but theirs). */
export const POSTGRES_ADMIN_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Every test database's name starts with this. */
const TEST_DATABASE_PREFIX = 'vasdom_test_';
/** Those of this run (global-setup.ts sets the run's id when the run starts), which its teardown drops. */
const runPrefix = () => `${TEST_DATABASE_PREFIX}${process.env.VASDOM_TEST_RUN ?? 'adhoc'}_`;

/** The PostgreSQL database of each data directory, so that a service restarted on it finds its data. */
const databaseByDataDir = new Map<string, string>();
let created = 0;

function urlOf(database: string): string {
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${database}`;
  return url.toString();
}

async function withAdmin<T>(run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

/** A new, empty PostgreSQL database; its URL. */
export async function createPostgresDatabase(): Promise<string> {
  created++;
  const name = `${runPrefix()}${process.pid}_${created}_${Date.now().toString(36)}`;
  await withAdmin((client) => client.query(`create database "${name}"`));
  return urlOf(name);
}

/**
 * A new, empty PostgreSQL database whose tables live in `directory` (a tablespace there: the directory must
 * be empty and belong to the server's user); `drop` drops the database and the tablespace.
 */
export async function createPostgresDatabaseIn(
  directory: string,
): Promise<{ url: string; drop(): Promise<void> }> {
  created++;
  const tablespace = `${runPrefix()}${process.pid}_space_${created}`;
  await withAdmin((client) => client.query(`create tablespace "${tablespace}" location '${directory}'`));
  const name = `${runPrefix()}${process.pid}_${created}_${Date.now().toString(36)}`;
  await withAdmin((client) => client.query(`create database "${name}" tablespace "${tablespace}"`));
  return {
    url: urlOf(name),
    async drop() {
      await dropPostgresDatabase(urlOf(name));
      await withAdmin((client) => client.query(`drop tablespace if exists "${tablespace}"`));
    },
  };
}

/** Drops a database made by createPostgresDatabase, closing connections still open to it. */
export async function dropPostgresDatabase(url: string): Promise<void> {
  const name = new URL(url).pathname.slice(1);
  if (!name.startsWith(TEST_DATABASE_PREFIX)) throw new Error(`not a test database: ${name}`);
  await withAdmin((client) => client.query(`drop database if exists "${name}" with (force)`));
}

/**
 * What a service on `dataDir` needs in its environment to use the database under test: nothing for SQLite
 * (the file lives in DATA_DIR); for PostgreSQL, DATABASE_URL of the database kept for that directory.
 */
export async function storageEnvironment(dataDir: string): Promise<Record<string, string>> {
  if (TEST_DATABASE === 'sqlite') return {};
  const key = path.resolve(dataDir);
  let url = databaseByDataDir.get(key);
  if (url === undefined) {
    url = await createPostgresDatabase();
    databaseByDataDir.set(key, url);
  }
  return { DATABASE_URL: url };
}

/** Drops the PostgreSQL database kept for `dataDir`, if any: its data is gone with the directory. */
export async function removeStorage(dataDir: string): Promise<void> {
  const key = path.resolve(dataDir);
  const url = databaseByDataDir.get(key);
  if (url === undefined) return;
  databaseByDataDir.delete(key);
  await dropPostgresDatabase(url);
}

/** Opens the database of the service on `dataDir` (as it would), for a test to read or change rows. */
export async function openStorage(dataDir: string): Promise<Database> {
  const config = parseConfig({ DATA_DIR: dataDir, ...(await storageEnvironment(dataDir)) });
  return openDatabase(config.database);
}

/** Drops the test databases of this run still on the server (the global teardown's clean-up). */
export async function dropLeftoverTestDatabases(): Promise<number> {
  return withAdmin(async (client) => {
    const { rows } = await client.query<{ datname: string }>(
      'select datname from pg_database where starts_with(datname, $1)',
      [runPrefix()],
    );
    for (const { datname } of rows) await client.query(`drop database if exists "${datname}" with (force)`);
    return rows.length;
  });
}

/** How many rows a table holds. */
export async function countRows(db: Kysely<DatabaseSchema>, table: keyof DatabaseSchema): Promise<number> {
  const { count } = await db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .executeTakeFirstOrThrow();
  return Number(count);
}
