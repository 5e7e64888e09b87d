import { AsyncLocalStorage } from 'node:async_hooks';
import { once } from 'node:events';
import { mkdirSync, readdirSync, statSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';
import { createStream, type RotatingFileStream } from 'rotating-file-stream';
import type { Config } from '../config/config.schema.js';

/** Paths of values that must never reach a log line. */
const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'apiKey',
  '*.apiKey',
  'config.llm.apiKey',
];

/** The request a piece of code runs for: every log line written meanwhile carries its id. */
export const requestContext = new AsyncLocalStorage<{ requestId: string }>();

export interface Logging {
  logger: Logger;
  /** Flushes and closes the log file. */
  close(): Promise<void>;
}

/**
 * The service's logger: human-readable, coloured lines (time, level, module, message) in development,
 * JSON lines otherwise, on standard output; and JSON lines in a file rotated by size whose old parts are
 * deleted after some days. A line written while a request is handled carries its id.
 */
export function createLogging(
  config: Pick<Config, 'log'>,
  destinations: { console?: NodeJS.WritableStream } = {},
): Logging {
  const { log } = config;
  const consoleStream =
    log.format === 'pretty'
      ? pretty({
          colorize: destinations.console === undefined,
          translateTime: 'SYS:HH:MM:ss.l',
          ignore: 'pid,hostname',
          messageFormat: '{if module}({module}) {end}{msg}',
          destination: destinations.console ?? 1,
          sync: true,
        })
      : (destinations.console ?? pino.destination(1));
  const file = log.file ? openLogFile(log.file) : undefined;
  const streams: pino.StreamEntry[] = [{ level: 'trace', stream: consoleStream }];
  if (file) streams.push({ level: 'trace', stream: file });
  const logger = pino(
    {
      level: log.level,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      mixin: () => {
        const context = requestContext.getStore();
        return context ? { requestId: context.requestId } : {};
      },
    },
    pino.multistream(streams),
  );
  return {
    logger,
    async close() {
      if (!file) return;
      file.end();
      await once(file, 'finish');
    },
  };
}

/** The log file, rotated at a size; rotated parts older than the kept days are deleted at each rotation. */
function openLogFile(settings: NonNullable<Config['log']['file']>): RotatingFileStream {
  const directory = path.dirname(settings.path);
  const name = path.basename(settings.path);
  mkdirSync(directory, { recursive: true });
  const stream = createStream(
    (time: Date | number | null, index?: number) =>
      time === null || typeof time === 'number'
        ? name
        : `${name}.${time.toISOString().replaceAll(':', '-')}.${index ?? 0}`,
    { path: directory, size: settings.maxSize },
  );
  stream.on('rotated', () => deleteOldParts(directory, name, settings.maxAgeDays));
  // A failing log file must not take the service down; the console still gets every line.
  stream.on('error', (error) => process.stderr.write(`log file ${settings.path}: ${error.message}\n`));
  deleteOldParts(directory, name, settings.maxAgeDays);
  return stream;
}

function deleteOldParts(directory: string, name: string, maxAgeDays: number): void {
  const oldest = Date.now() - maxAgeDays * 24 * 3600 * 1000;
  for (const entry of readdirSync(directory)) {
    if (!entry.startsWith(`${name}.`)) continue;
    const file = path.join(directory, entry);
    try {
      if (statSync(file).mtimeMs < oldest) unlinkSync(file);
    } catch {
      // Already gone, or not ours to delete: nothing to do.
    }
  }
}
