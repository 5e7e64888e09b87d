import type { Kysely, Selectable } from 'kysely';
import type { ApiKeyTable, DatabaseSchema } from '../storage/tables.js';

export type StoredApiKey = Selectable<ApiKeyTable>;

/** SQL for the API keys made through the admin API. */
export class ApiKeyStore {
  constructor(private readonly db: Kysely<DatabaseSchema>) {}

  async create(key: StoredApiKey): Promise<void> {
    await this.db.insertInto('api_keys').values(key).execute();
  }

  list(): Promise<StoredApiKey[]> {
    return this.db.selectFrom('api_keys').selectAll().orderBy('created_at').execute();
  }

  active(): Promise<Pick<StoredApiKey, 'role' | 'digest'>[]> {
    return this.db
      .selectFrom('api_keys')
      .select(['role', 'digest'])
      .where('revoked_at', 'is', null)
      .execute();
  }

  /** False when there is no such key or it was revoked before. */
  async revoke(id: string, now: string): Promise<boolean> {
    const result = await this.db
      .updateTable('api_keys')
      .set({ revoked_at: now })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }
}
