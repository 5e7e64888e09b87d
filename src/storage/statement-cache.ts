import type SqliteDatabase from 'better-sqlite3';
import type { SqliteDatabase as KyselySqliteDatabase } from 'kysely';

/** Enough for every distinct query the service issues, with room for `in (…)` lists of varying length. */
const DEFAULT_CAPACITY = 256;

/**
 * Kysely's SQLite driver prepares every query anew, and SQLite's parsing then costs more than running
 * the statement. This keeps the most recently used prepared statements by their SQL text. Reusing a
 * statement is safe because Kysely runs one query at a time on its single connection, and a streamed
 * query holds the connection until its iterator is done.
 */
export function withStatementCache(
  connection: SqliteDatabase.Database,
  options: { capacity?: number; watch?: StatementWatch } = {},
): KyselySqliteDatabase {
  const capacity = options.capacity ?? DEFAULT_CAPACITY;
  const watch = options.watch ?? UNWATCHED;
  const statements = new Map<string, SqliteStatement>();
  return {
    close: () => connection.close(),
    prepare(sql: string) {
      let statement = statements.get(sql);
      if (statement) {
        // Re-inserting keeps the map in least-recently-used order.
        statements.delete(sql);
      } else {
        try {
          statement = watched(connection.prepare(sql), watch);
        } catch (error) {
          watch.onError('read', error);
          throw error;
        }
        if (statements.size >= capacity) statements.delete(statements.keys().next().value as string);
      }
      statements.set(sql, statement);
      return statement;
    },
  };
}

type SqliteStatement = ReturnType<KyselySqliteDatabase['prepare']>;

/** What the database learns of every statement's runs. */
export interface StatementWatch {
  /** Before a statement that changes the database runs; throws to refuse it. */
  beforeWrite(): void;
  /** A run failed; `operation` says whether the statement reads or writes. */
  onError(operation: 'read' | 'write', error: unknown): void;
}

const UNWATCHED: StatementWatch = {
  beforeWrite: () => undefined,
  onError: () => undefined,
};

/**
 * A statement whose runs are reported to the watch: each failure (by whether it reads or writes) before
 * rethrowing, and each change of the database before it is made. Transaction control (BEGIN, COMMIT)
 * counts as reading, as SQLite says: the statements between them are the writes.
 */
function watched(statement: SqliteDatabase.Statement, watch: StatementWatch): SqliteStatement {
  const operation = statement.reader ? 'read' : 'write';
  const writes = !statement.readonly;
  const guard = <T>(run: () => T): T => {
    try {
      if (writes) watch.beforeWrite();
      return run();
    } catch (error) {
      watch.onError(operation, error);
      throw error;
    }
  };
  return {
    reader: statement.reader,
    all: (parameters) => guard(() => statement.all(parameters)),
    run: (parameters) => guard(() => statement.run(parameters)),
    iterate: (parameters) => guard(() => statement.iterate(parameters)),
  };
}
