import type { Kysely } from 'kysely';

/** Which replica runs a kind of background work, until when (see storage/lease.ts). */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('leases')
    .addColumn('name', 'text', (column) => column.primaryKey())
    .addColumn('holder', 'text', (column) => column.notNull())
    // Milliseconds since the epoch on the holder's clock; replicas' clocks are assumed NTP-synchronised.
    .addColumn('expires_at_ms', 'bigint', (column) => column.notNull())
    .addColumn('acquired_at', 'text', (column) => column.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('leases').ifExists().execute();
}
