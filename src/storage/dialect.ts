import { type Kysely, PostgresAdapter } from 'kysely';

/** Whether `db` talks to PostgreSQL (else SQLite): for the few places where the two differ. */
export function isPostgres<Schema>(db: Kysely<Schema>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}
