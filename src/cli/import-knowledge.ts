import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../config/config.schema.js';
import { MAX_TITLE_LENGTH } from '../knowledge/knowledge.schemas.js';
import { MAX_DOCUMENT_BYTES } from '../knowledge/knowledge.service.js';
import type { KnowledgeFormat } from '../knowledge/knowledge-chunker.js';
import { createEmbedder } from '../retrieval/create-embedder.js';
import { createKnowledgeService } from '../services.js';
import { createChangeFeed } from '../storage/change-feed.js';
import { migrateToLatest, openDatabase } from '../storage/database.js';
import { UsageError } from './usage-error.js';

export interface ImportKnowledgeOptions {
  title: string | undefined;
  format: KnowledgeFormat | undefined;
}

export interface ImportKnowledgeReport {
  imported: number;
  duplicates: number;
  failed: number;
}

const FORMAT_BY_EXTENSION: Readonly<Record<string, KnowledgeFormat>> = {
  '.md': 'markdown',
  '.markdown': 'markdown',
  '.txt': 'text',
  '.jsonl': 'qa_jsonl',
};

/** Files of the known kinds under a directory, recursively, in name order; hidden entries are skipped. */
async function knowledgeFiles(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { withFileTypes: true });
  const files: string[] = [];
  for (const entry of entries.sort((left, right) => left.name.localeCompare(right.name))) {
    if (entry.name.startsWith('.')) continue;
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) files.push(...(await knowledgeFiles(full)));
    else if (entry.isFile() && path.extname(entry.name).toLowerCase() in FORMAT_BY_EXTENSION)
      files.push(full);
  }
  return files;
}

/** A document's title: a Markdown document's first top-level heading, else its file name. */
function defaultTitle(file: string, format: KnowledgeFormat, content: string): string {
  const heading = format === 'markdown' ? /^# +(.+?)(?: +#+)? *$/m.exec(content)?.[1]?.trim() : undefined;
  return (heading || path.basename(file, path.extname(file))).slice(0, MAX_TITLE_LENGTH);
}

/**
 * Imports a file, or every Markdown, text and JSONL file under a directory, into the knowledge base,
 * writing through the same service as the API. `print` gets one line per file; files that fail are
 * counted and the others still imported.
 */
export async function importKnowledge(
  config: Config,
  target: string,
  options: ImportKnowledgeOptions,
  print: (line: string) => void,
): Promise<ImportKnowledgeReport> {
  const found = await stat(target).catch(() => undefined);
  if (!found) throw new UsageError(`${target}: no such file or directory`);
  const directory = found.isDirectory();
  if (directory && options.title !== undefined) {
    throw new UsageError(
      '--title names a single file; in a directory, titles come from headings or file names',
    );
  }
  const files = directory ? await knowledgeFiles(target) : [target];
  if (files.length === 0) print(`${target}: no .md, .markdown, .txt or .jsonl files`);
  const database = openDatabase(config.database);
  const report: ImportKnowledgeReport = { imported: 0, duplicates: 0, failed: 0 };
  try {
    await migrateToLatest(database.db);
    // Running replicas on the same PostgreSQL database index the new documents at once.
    const knowledge = createKnowledgeService(
      config,
      database,
      await createEmbedder(config.retrieval.embedder),
      createChangeFeed(config.database, database.db, print),
    );
    for (const file of files) {
      const name = directory ? path.relative(target, file) : path.basename(file);
      try {
        const format = options.format ?? FORMAT_BY_EXTENSION[path.extname(file).toLowerCase()];
        if (format === undefined) throw new Error('unknown format: name it with --format');
        if ((await stat(file)).size > 2 * MAX_DOCUMENT_BYTES) throw new Error('larger than 2 MB');
        const content = await readFile(file, 'utf8');
        const title = options.title ?? defaultTitle(file, format, content);
        const { document, duplicate } = await knowledge.import({ title, format, content, sourceName: name });
        if (duplicate) {
          report.duplicates++;
          print(`${name}: already imported as «${document.title}» (${document.id})`);
        } else {
          report.imported++;
          print(
            `${name}: imported as «${document.title}» with ${document.chunkCount} chunk${document.chunkCount === 1 ? '' : 's'} (${document.id})`,
          );
        }
      } catch (error) {
        report.failed++;
        print(`${name}: error: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  } finally {
    await database.close();
  }
  return report;
}
