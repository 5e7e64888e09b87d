import type { Kysely } from 'kysely';
import type { DatabaseSchema } from './tables.js';

/** Small named values the service keeps between runs (watermarks, timestamps of background work). */
export class ServiceStateStore {
  constructor(private readonly db: Kysely<DatabaseSchema>) {}

  async get(key: string): Promise<string | undefined> {
    const row = await this.db
      .selectFrom('service_state')
      .select('value')
      .where('key', '=', key)
      .executeTakeFirst();
    return row?.value;
  }

  async set(key: string, value: string, now: string): Promise<void> {
    await this.db
      .insertInto('service_state')
      .values({ key, value, updated_at: now })
      .onConflict((conflict) => conflict.column('key').doUpdateSet({ value, updated_at: now }))
      .execute();
  }

  /** Sets the value unless there is one already (another replica may be setting it at the same time). */
  async setIfAbsent(key: string, value: string, now: string): Promise<void> {
    await this.db
      .insertInto('service_state')
      .values({ key, value, updated_at: now })
      .onConflict((conflict) => conflict.column('key').doNothing())
      .execute();
  }
}
