/**
 * Faults of the storage itself, as opposed to a bad statement: the disk is full, the database cannot be
 * reached, or the database file was deleted or replaced under the running service. While one lasts, writes
 * fail (or are refused) and the service reports itself not ready; the first two pass by themselves.
 */
export type StorageFaultKind = 'disk_full' | 'unavailable' | 'file_lost';

export interface StorageFault {
  kind: StorageFaultKind;
  /** For operators (health, logs): what failed, never data or credentials. */
  detail: string;
  since: string;
}

/** A write refused, or failed, because of a storage fault. */
export class StorageUnavailableError extends Error {
  constructor(
    readonly fault: StorageFaultKind,
    message: string,
  ) {
    super(message);
    this.name = 'StorageUnavailableError';
  }
}

/** SQLSTATE codes of PostgreSQL's that mean the server cannot take writes now, whatever the statement. */
const POSTGRES_DISK_FULL = new Set(['53100']);
const POSTGRES_UNAVAILABLE = new Set([
  '53300', // too many connections
  '57P01', // admin shutdown
  '57P02', // crash shutdown
  '57P03', // cannot connect now (starting up, shutting down)
  '3D000', // the database does not exist (dropped)
  '25006', // read-only transaction: a standby after a failover
]);
/** Errors of the socket under a PostgreSQL connection. */
const NETWORK_ERRORS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);
/** What the pg driver throws, without a code, when a connection is lost or cannot be made in time. */
const POSTGRES_CONNECTION_MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error',
];

/**
 * The storage fault an error of either database's driver stands for, or undefined when it is something
 * else (a constraint, a bug). SQLite's codes are better-sqlite3's extended result codes (`SQLITE_IOERR_WRITE`).
 */
export function storageFaultOf(error: unknown): StorageFaultKind | undefined {
  if (error instanceof StorageUnavailableError) return error.fault;
  if (!(error instanceof Error)) return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (code === 'SQLITE_FULL' || POSTGRES_DISK_FULL.has(code)) return 'disk_full';
    if (
      code.startsWith('SQLITE_IOERR') ||
      code.startsWith('SQLITE_CANTOPEN') ||
      code.startsWith('SQLITE_READONLY') ||
      code === 'SQLITE_BUSY' ||
      POSTGRES_UNAVAILABLE.has(code) ||
      code.startsWith('08') ||
      NETWORK_ERRORS.has(code)
    ) {
      return 'unavailable';
    }
  }
  if (POSTGRES_CONNECTION_MESSAGES.some((message) => error.message.startsWith(message))) return 'unavailable';
  return undefined;
}

const FAULT_DETAIL: Record<StorageFaultKind, string> = {
  disk_full: 'storage full: writes fail for lack of space',
  unavailable: 'database unavailable: writes fail',
  file_lost: 'database file deleted or replaced',
};

/**
 * The storage fault in effect, from the failures the database reports and the checks of its files. A full
 * disk or an unreachable database is over once a write that needs new space goes through again (the
 * database's probeWrite): an ordinary write that succeeds proves little, since it may fit in space already
 * held while the next one fails. A lost file lasts until a restart.
 */
export class StorageStatus {
  private current: StorageFault | undefined;

  get fault(): StorageFault | undefined {
    return this.current;
  }

  /** Records the fault an error stands for, if any; returns its kind. */
  noteFailure(error: unknown): StorageFaultKind | undefined {
    const kind = storageFaultOf(error);
    if (kind !== undefined && this.current?.kind !== 'file_lost') {
      const message = error instanceof Error ? error.message : String(error);
      this.current = {
        kind,
        detail: `${FAULT_DETAIL[kind]} (${message.slice(0, 200)})`,
        since: this.current?.kind === kind ? this.current.since : new Date().toISOString(),
      };
    }
    return kind;
  }

  /** The database file is gone or another one took its place: refused from now on. */
  noteFileLost(detail: string): void {
    if (this.current?.kind === 'file_lost') return;
    this.current = {
      kind: 'file_lost',
      detail: `${FAULT_DETAIL.file_lost}: ${detail}`,
      since: new Date().toISOString(),
    };
  }

  /** A write that needs new space went through: a full disk or an unreachable database is over. */
  noteRecovered(): void {
    if (this.current !== undefined && this.current.kind !== 'file_lost') this.current = undefined;
  }
}
