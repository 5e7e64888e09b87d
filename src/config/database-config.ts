import path from 'node:path';
import { ConfigError } from './config-error.js';

export type DatabaseConfig =
  | {
      kind: 'sqlite';
      file: string;
      synchronous: 'NORMAL' | 'FULL';
      /** A new, empty database may be made where the marker says one was (SQLITE_ALLOW_NEW_DATABASE). */
      allowNew?: boolean;
    }
  /** `url` holds the password when there is one: never log it (see redactedDatabaseUrl). */
  | { kind: 'postgres'; url: string; poolSize: number };

/** Where the data lives, from DATABASE_URL (SQLite under DATA_DIR when it is not set). */
export function databaseConfig(
  raw: { url: string | undefined; synchronous: 'NORMAL' | 'FULL'; poolSize: number; allowNew: boolean },
  dataDir: string,
): DatabaseConfig {
  const { synchronous, allowNew } = raw;
  const value = raw.url;
  if (value === undefined) {
    return { kind: 'sqlite', file: path.join(dataDir, 'vasdom.sqlite'), synchronous, allowNew };
  }
  if (/^postgres(ql)?:\/\//i.test(value)) {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw new ConfigError([`DATABASE_URL: ${EXPECTED_DATABASE_URL}; got an unreadable PostgreSQL URL`]);
    }
    if (url.hostname === '' && !url.searchParams.has('host')) {
      throw new ConfigError([`DATABASE_URL: ${EXPECTED_DATABASE_URL}; the PostgreSQL URL names no host`]);
    }
    return { kind: 'postgres', url: value, poolSize: raw.poolSize };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
    throw new ConfigError([`DATABASE_URL: ${EXPECTED_DATABASE_URL}`]);
  }
  const file = value.replace(/^sqlite:(\/\/)?/i, '').replace(/^file:/i, '');
  if (file === '') throw new ConfigError(['DATABASE_URL: expected a SQLite file path after "sqlite:"']);
  return { kind: 'sqlite', file: path.resolve(file), synchronous, allowNew };
}

const EXPECTED_DATABASE_URL =
  'expected postgres://user:password@host:port/database, or a SQLite location (sqlite:PATH or a file path)';

/** A PostgreSQL URL fit for logs and messages: the password replaced. */
export function redactedDatabaseUrl(value: string): string {
  try {
    const url = new URL(value);
    if (url.password !== '') url.password = '***';
    return url.toString();
  } catch {
    return 'postgres://(unreadable)';
  }
}
