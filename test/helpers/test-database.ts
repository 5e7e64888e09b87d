import { rmSync } from 'node:fs';
import path from 'node:path';
import { type Database, migrateToLatest, openDatabase } from '../../src/storage/database.js';
import { temporaryDirectory } from './test-service.js';

export interface TestDatabase {
  database: Database;
  directory: string;
  /** Closes the database (if still open) and deletes its directory. */
  remove(): Promise<void>;
}

/** A migrated SQLite database in a fresh temporary directory. */
export async function openTestDatabase(prefix: string): Promise<TestDatabase> {
  const directory = temporaryDirectory(`vasdom-${prefix}-`);
  const database = openDatabase({
    kind: 'sqlite',
    file: path.join(directory, `${prefix}.sqlite`),
    synchronous: 'NORMAL',
  });
  await migrateToLatest(database.db);
  return {
    database,
    directory,
    async remove() {
      await database.close().catch(() => undefined);
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
