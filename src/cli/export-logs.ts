import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import type { Config } from '../config/config.schema.js';
import { ConversationStore } from '../conversations/conversation.store.js';
import { toJsonLines } from '../learning/training-dataset.js';
import { migrateToLatest, openDatabase } from '../storage/database.js';

export interface ExportLogsOptions {
  minRating: number;
  daysBack: number | undefined;
  maxSamples: number | undefined;
  out: string | undefined;
  withMetadata: boolean;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** Writes rated conversations as OpenAI chat-format JSONL; returns how many were written. */
export async function exportLogs(config: Config, options: ExportLogsOptions): Promise<number> {
  const database = openDatabase(config.database);
  try {
    await migrateToLatest(database.db);
    const rows = await new ConversationStore(database.db).listForExport({
      minRating: options.minRating,
      since:
        options.daysBack === undefined
          ? undefined
          : new Date(Date.now() - options.daysBack * DAY_MS).toISOString(),
      limit: options.maxSamples,
    });
    const output =
      options.out === undefined ? process.stdout : createWriteStream(options.out, { encoding: 'utf8' });
    const lines = await toJsonLines(rows, options.withMetadata, { redactPii: config.learning.redactPii });
    if (!output.write(lines)) await once(output, 'drain');
    if (output !== process.stdout) {
      output.end();
      await once(output, 'finish');
    }
    return rows.length;
  } finally {
    await database.close();
  }
}
