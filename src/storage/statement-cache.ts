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
  capacity = DEFAULT_CAPACITY,
): KyselySqliteDatabase {
  const statements = new Map<string, SqliteDatabase.Statement>();
  return {
    close: () => connection.close(),
    prepare(sql: string) {
      let statement = statements.get(sql);
      if (statement) {
        // Re-inserting keeps the map in least-recently-used order.
        statements.delete(sql);
      } else {
        statement = connection.prepare(sql);
        if (statements.size >= capacity) statements.delete(statements.keys().next().value as string);
      }
      statements.set(sql, statement);
      return statement;
    },
  };
}
