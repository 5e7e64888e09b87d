import type { Kysely } from 'kysely';
import type { DatabaseSchema } from '../storage/tables.js';

export const STATUS_CHECKS_KEPT = 10;

export interface StatusCheck {
  id: string;
  client_name: string;
  timestamp: string;
}

/** Client heartbeats; only the newest ten are kept. */
export class StatusCheckStore {
  constructor(private readonly db: Kysely<DatabaseSchema>) {}

  async add(check: StatusCheck): Promise<void> {
    await this.db.transaction().execute(async (transaction) => {
      await transaction
        .insertInto('status_checks')
        .values({ id: check.id, client_name: check.client_name, created_at: check.timestamp })
        .execute();
      const newest = transaction
        .selectFrom('status_checks')
        .select('sequence')
        .orderBy('sequence', 'desc')
        .limit(STATUS_CHECKS_KEPT);
      await transaction.deleteFrom('status_checks').where('sequence', 'not in', newest).execute();
    });
  }

  /** The kept checks, oldest first. */
  async list(): Promise<StatusCheck[]> {
    const rows = await this.db
      .selectFrom('status_checks')
      .select(['id', 'client_name', 'created_at'])
      .orderBy('sequence', 'asc')
      .execute();
    return rows.map((row) => ({ id: row.id, client_name: row.client_name, timestamp: row.created_at }));
  }
}
