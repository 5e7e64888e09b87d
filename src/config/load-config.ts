import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseEnv } from 'node:util';
import { type Config, parseConfig } from './config.schema.js';

/**
 * Reads `.env` from the working directory (variables already set in the process win over the file)
 * and validates the result. This is the only place that reads `process.env`.
 */
export function loadConfig(
  environment: NodeJS.ProcessEnv = process.env,
  envFile = path.resolve('.env'),
): Config {
  const fromFile = existsSync(envFile) ? parseEnv(readFileSync(envFile, 'utf8')) : {};
  return parseConfig({ ...fromFile, ...environment });
}
