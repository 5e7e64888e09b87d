import { type ColumnDefinitionBuilder, type Kysely, PostgresAdapter } from 'kysely';

/** Whether `db` talks to PostgreSQL (else SQLite): for the few places where the two differ. */
export function isPostgres<Schema>(db: Kysely<Schema>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

/** The column type for bytes: SQLite's blob, PostgreSQL's bytea. */
export function bytesType(db: Kysely<unknown>): 'blob' | 'bytea' {
  return isPostgres(db) ? 'bytea' : 'blob';
}

/** An integer primary key numbered by the database: SQLite's autoincrement, PostgreSQL's identity. */
export function autoNumberedKey(db: Kysely<unknown>) {
  return (column: ColumnDefinitionBuilder) =>
    isPostgres(db) ? column.primaryKey().generatedByDefaultAsIdentity() : column.primaryKey().autoIncrement();
}
