import { AsyncLocalStorage } from 'node:async_hooks';
import { mkdirSync, readdirSync, statSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import pino, { type Logger } from 'pino';
import { prettyFactory } from 'pino-pretty';
import { createStream, type RotatingFileStream } from 'rotating-file-stream';
import type { Config } from '../config/config.schema.js';
import { PRIVATE_DIRECTORY_MODE, PRIVATE_FILE_MODE } from '../storage/database-file.js';
import { BoundedLineWriter } from './bounded-line-writer.js';

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
  /**
   * Lines each destination has dropped so far (no room left while it caught up, or a failed write); the
   * file only when there is one.
   */
  droppedLines(): { console: number; file?: number };
  /** Writes what the destinations still hold, for at most `timeoutMs`, and closes the log file. */
  close(timeoutMs?: number): Promise<void>;
}

/** How long after a first dropped line the log says how many were dropped (at most once in that time). */
const DROP_NOTICE_DELAY_MS = 1000;
const CLOSE_TIMEOUT_MS = 1000;

/**
 * The service's logger: human-readable, coloured lines (time, level, module, message) in development,
 * JSON lines otherwise, on standard output; and JSON lines in a file rotated by size whose old parts are
 * deleted after some days. A line written while a request is handled carries its id.
 *
 * Each destination holds at most LOG_BUFFER_SIZE of lines while it catches up; what does not fit is
 * dropped, counted (droppedLines, the vasdom_log_lines_dropped_total metric) and reported in a line of the
 * log, so that a slow disk or a stalled log collector costs lines, never memory or the request path.
 */
export function createLogging(
  config: Pick<Config, 'log'>,
  destinations: { console?: NodeJS.WritableStream } = {},
): Logging {
  const { log } = config;
  let notice: NodeJS.Timeout | undefined;
  const onDrop = () => {
    notice ??= setTimeout(reportDrops, DROP_NOTICE_DELAY_MS).unref();
  };
  const consoleTarget = destinations.console ?? process.stdout;
  // A standard output closed by its reader fails its writes, which count as dropped lines (once is enough:
  // tests create many loggers over the same standard output).
  if (consoleTarget.listenerCount('error') === 0) consoleTarget.on('error', () => undefined);
  const consoleWriter = new BoundedLineWriter(consoleTarget, log.bufferBytes, onDrop);
  const fileWriter = log.file && new BoundedLineWriter(openLogFile(log.file), log.bufferBytes, onDrop);
  const consoleStream =
    log.format === 'pretty' ? prettyLines(consoleWriter, destinations.console === undefined) : consoleWriter;
  const streams: pino.StreamEntry[] = [{ level: 'trace', stream: consoleStream }];
  if (fileWriter) streams.push({ level: 'trace', stream: fileWriter });
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

  const droppedLines = (): { console: number; file?: number } => ({
    console: consoleWriter.dropped,
    ...(fileWriter && { file: fileWriter.dropped }),
  });
  const totalDropped = () => consoleWriter.dropped + (fileWriter?.dropped ?? 0);
  let reported = 0;
  function reportDrops(): void {
    clearTimeout(notice);
    notice = undefined;
    if (totalDropped() === reported) return;
    logger.warn({ droppedLines: droppedLines() }, 'log lines dropped');
    // The notice itself may be dropped by the destination that is behind: not worth another notice.
    reported = totalDropped();
  }

  return {
    logger,
    droppedLines,
    async close(timeoutMs = CLOSE_TIMEOUT_MS) {
      reportDrops();
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
      });
      // Standard output stays open (other code may write to it); the file is closed.
      await Promise.race([Promise.all([consoleWriter.flush(), fileWriter?.end()]), timedOut]);
      clearTimeout(timer);
    },
  };
}

/** Pretty lines into the writer; formatted here, not by a pino-pretty stream, which would buffer unbounded. */
function prettyLines(writer: BoundedLineWriter, colorize: boolean): { write(line: string): void } {
  const format = prettyFactory({
    colorize,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname',
    messageFormat: '{if module}({module}) {end}{msg}',
  });
  return { write: (line) => writer.write(format(line)) };
}

/** The log file, rotated at a size; rotated parts older than the kept days are deleted at each rotation. */
function openLogFile(settings: NonNullable<Config['log']['file']>): RotatingFileStream {
  const directory = path.dirname(settings.path);
  const name = path.basename(settings.path);
  mkdirSync(directory, { recursive: true, mode: PRIVATE_DIRECTORY_MODE });
  const stream = createStream(
    (time: Date | number | null, index?: number) =>
      time === null || typeof time === 'number'
        ? name
        : `${name}.${time.toISOString().replaceAll(':', '-')}.${index ?? 0}`,
    // Log lines may carry what staff typed (LOG_MESSAGE_TEXT) and client addresses.
    { path: directory, size: settings.maxSize, mode: PRIVATE_FILE_MODE },
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
