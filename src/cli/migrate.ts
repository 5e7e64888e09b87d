import type { Config } from '../config/config.schema.js';
import { type MigrationReport, migrateToLatest, openDatabase } from '../storage/database.js';

export async function migrate(config: Config): Promise<MigrationReport> {
  const database = openDatabase(config.database);
  try {
    return await migrateToLatest(database.db);
  } finally {
    await database.close();
  }
}
