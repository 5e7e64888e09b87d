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
  options: { capacity?: number; onError?: (operation: 'read' | 'write') => void } = {},
): KyselySqliteDatabase {
  const capacity = options.capacity ?? DEFAULT_CAPACITY;
  const onError = options.onError ?? (() => undefined);
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
          statement = counted(connection.prepare(sql), onError);
        } catch (error) {
          onError('read');
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

/** A statement that reports each failure of its runs (by whether it reads or writes) before rethrowing. */
function counted(
  statement: SqliteDatabase.Statement,
  onError: (operation: 'read' | 'write') => void,
): SqliteStatement {
  const operation = statement.reader ? 'read' : 'write';
  const guard = <T>(run: () => T): T => {
    try {
      return run();
    } catch (error) {
      onError(operation);
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
