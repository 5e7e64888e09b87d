import pino, { type Logger } from 'pino';
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

export function createLogger(config: Pick<Config, 'log'>): Logger {
  const options: pino.LoggerOptions = {
    level: config.log.level,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    base: undefined,
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  if (config.log.format === 'pretty') {
    return pino({
      ...options,
      transport: {
        target: 'pino-pretty',
        options: {
          colorize: true,
          translateTime: 'SYS:HH:MM:ss.l',
          ignore: 'pid,hostname',
          messageKey: 'msg',
        },
      },
    });
  }
  return pino(options);
}
