#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { ConfigError } from '../config/config.schema.js';
import { loadConfig } from '../config/load-config.js';
import { exportLogs } from './export-logs.js';
import { migrate } from './migrate.js';

const USAGE = `Usage: vasdom <command> [options]

Commands:
  migrate                      apply database migrations and print the schema version
  export-logs [options]        write rated conversations as OpenAI chat-format JSONL
      --min-rating N           lowest rating to include (default: MIN_RATING_THRESHOLD)
      --days-back N            only conversations from the last N days
      --max-samples N          at most N conversations, newest first
      --out FILE               output file (default: standard output)
      --with-metadata          add rating, timestamp and ids to every line

Configuration comes from the environment and ./.env, as for the service.`;

class UsageError extends Error {}

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
