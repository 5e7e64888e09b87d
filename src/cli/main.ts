#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { ConfigError } from '../config/config.schema.js';
import { loadConfig } from '../config/load-config.js';
import { KNOWLEDGE_FORMATS, type KnowledgeFormat } from '../knowledge/knowledge-chunker.js';
import { exportLogs } from './export-logs.js';
import { importKnowledge } from './import-knowledge.js';
import { migrate } from './migrate.js';
import { migrateData } from './migrate-data.js';
import { UsageError } from './usage-error.js';

const USAGE = `Usage: vasdom <command> [options]

Commands:
  migrate                      apply database migrations and print the schema version
  export-logs [options]        write rated conversations as OpenAI chat-format JSONL
      --min-rating N           lowest rating to include (default: MIN_RATING_THRESHOLD)
      --days-back N            only conversations from the last N days
      --max-samples N          at most N conversations, newest first
      --out FILE               output file (default: standard output)
      --with-metadata          add rating, timestamp and ids to every line
  import-knowledge PATH [options]
                               import a document, or every .md, .markdown, .txt and .jsonl file
                               under a directory, into the knowledge base (the same content is
                               imported once); exits with 1 if any file failed
      --title T                the document's title (a single file only; default: its first
                               Markdown heading, else its file name)
      --format F               markdown, text or qa_jsonl (default: from the file extension)
  migrate-data --from FILE --to URL
                               move an embedded installation (a SQLite file) to PostgreSQL
                               (postgres://…): copies what the target lacks, continues its
                               numbering, and checks by counts; safe to run again. Stop the
                               service on FILE first.
      --batch N                rows per transaction (default: 1000)

Configuration comes from the environment and ./.env, as for the service.`;

function positiveInteger(name: string, value: string | undefined, max: number): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1 || number > max) {
    throw new UsageError(`--${name}: expected an integer from 1 to ${max}, got "${value}"`);
  }
  return number;
}

async function run(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(`${USAGE}\n`);
    return command === undefined ? 2 : 0;
  }
  const config = loadConfig();
  switch (command) {
    case 'migrate': {
      parseArgs({ args: rest, options: {}, strict: true });
      const report = await migrate(config);
      process.stdout.write(
        `${report.applied.length === 0 ? 'Database is up to date' : `Applied: ${report.applied.join(', ')}`}; schema version ${report.current ?? 'none'}\n`,
      );
      return 0;
    }
    case 'export-logs': {
      const { values } = parseArgs({
        args: rest,
        strict: true,
        options: {
          'min-rating': { type: 'string' },
          'days-back': { type: 'string' },
          'max-samples': { type: 'string' },
          out: { type: 'string' },
          'with-metadata': { type: 'boolean', default: false },
        },
      });
      const count = await exportLogs(config, {
        minRating:
          positiveInteger('min-rating', values['min-rating'], 5) ?? config.learning.minRatingThreshold,
        daysBack: positiveInteger('days-back', values['days-back'], 3650),
        maxSamples: positiveInteger('max-samples', values['max-samples'], 10_000_000),
        out: values.out,
        withMetadata: values['with-metadata'],
      });
      process.stderr.write(`Exported ${count} conversations${values.out ? ` to ${values.out}` : ''}\n`);
      return 0;
    }
    case 'import-knowledge': {
      const { values, positionals } = parseArgs({
        args: rest,
        strict: true,
        allowPositionals: true,
        options: { title: { type: 'string' }, format: { type: 'string' } },
      });
      if (positionals.length !== 1) throw new UsageError('import-knowledge: expected one PATH');
      const format = values.format;
      if (format !== undefined && !(KNOWLEDGE_FORMATS as readonly string[]).includes(format)) {
        throw new UsageError(`--format: expected one of ${KNOWLEDGE_FORMATS.join(', ')}, got "${format}"`);
      }
      if (values.title !== undefined && values.title.trim() === '') {
        throw new UsageError('--title: expected a title');
      }
      const report = await importKnowledge(
        config,
        positionals[0] as string,
        { title: values.title?.trim(), format: format as KnowledgeFormat | undefined },
        (line) => process.stdout.write(`${line}\n`),
      );
      process.stdout.write(
        `Imported ${report.imported}, already imported ${report.duplicates}, failed ${report.failed}\n`,
      );
      return report.failed > 0 ? 1 : 0;
    }
    case 'migrate-data': {
      const { values } = parseArgs({
        args: rest,
        strict: true,
        options: { from: { type: 'string' }, to: { type: 'string' }, batch: { type: 'string' } },
      });
      if (values.from === undefined) throw new UsageError('migrate-data: --from FILE is required');
      if (values.to === undefined) throw new UsageError('migrate-data: --to URL is required');
      const reports = await migrateData({
        from: values.from,
        to: values.to,
        batchSize: positiveInteger('batch', values.batch, 10_000),
        print: (line) => process.stdout.write(`${line}\n`),
      });
      const copied = reports.reduce((sum, report) => sum + report.copied, 0);
      process.stdout.write(`Done: ${copied} rows copied; every row of the source is in the target\n`);
      return 0;
    }
    default:
      throw new UsageError(`Unknown command "${command}"`);
  }
}

run(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`${(error as Error).message}\n\n${USAGE}\n`);
      process.exit(2);
    }
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(78);
    }
    process.stderr.write(`Failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
