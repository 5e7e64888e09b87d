import { type ColumnDefinitionBuilder, type Kysely, PostgresAdapter } from 'kysely';

/*
 * The column types the released migrations were written with, kept here for them alone: a migration must
 * make the same schema whatever live code becomes, so it imports nothing outside this folder.
 */

function isPostgres(db: Kysely<unknown>): boolean {
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
