import path from 'node:path';
import { z } from 'zod';

export interface LogConfig {
  level: string;
  format: 'pretty' | 'json';
  /** JSON lines in a file rotated by size; undefined when LOG_FILE is off. */
  file: { path: string; maxSize: string; maxAgeDays: number } | undefined;
  /** Whether log lines may carry the text users typed. */
  messageText: boolean;
  /** Whether health, readiness, liveness and metrics probes that succeed get a request line. */
  probes: boolean;
  /** The most bytes of lines each destination may hold while it catches up; beyond, lines are dropped. */
  bufferBytes: number;
}

/** A size such as 10M: a number followed by B, K, M or G (powers of 1024). */
export const size = (fallback: string) =>
  z
    .string()
    .trim()
    .regex(/^[1-9]\d*[BKMG]$/, 'expected a size such as 10M (a number followed by B, K, M or G)')
    .default(fallback);

export function bytesOf(size: string): number {
  return Number.parseInt(size, 10) * 1024 ** 'BKMG'.indexOf(size.slice(-1));
}

/** LOG_FILE values that turn the log file off. */
const LOG_FILE_OFF = ['off', 'none', 'false', '0'];

/** The LOG_* settings; pretty lines by default in development, JSON lines otherwise. */
export function logConfig(
  raw: {
    NODE_ENV: string;
    LOG_LEVEL: string;
    LOG_FORMAT: 'pretty' | 'json' | '';
    LOG_FILE?: string | undefined;
    LOG_FILE_MAX_SIZE: string;
    LOG_FILE_MAX_AGE_DAYS: number;
    LOG_MESSAGE_TEXT: boolean;
    LOG_PROBES: boolean;
    LOG_BUFFER_SIZE: string;
  },
  dataDir: string,
): LogConfig {
  return {
    level: raw.LOG_LEVEL,
    format: raw.LOG_FORMAT === '' ? (raw.NODE_ENV === 'development' ? 'pretty' : 'json') : raw.LOG_FORMAT,
    file: LOG_FILE_OFF.includes((raw.LOG_FILE ?? '').toLowerCase())
      ? undefined
      : {
          path: path.resolve(raw.LOG_FILE ?? path.join(dataDir, 'logs', 'vasdom.log')),
          maxSize: raw.LOG_FILE_MAX_SIZE,
          maxAgeDays: raw.LOG_FILE_MAX_AGE_DAYS,
        },
    messageText: raw.LOG_MESSAGE_TEXT,
    probes: raw.LOG_PROBES,
    bufferBytes: bytesOf(raw.LOG_BUFFER_SIZE),
  };
}
