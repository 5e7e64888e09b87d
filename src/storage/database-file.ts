import {
  closeSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';

/**
 * Files and directories the service makes for its data are private to its user: conversations carry
 * what staff typed, and API key digests live in the same file.
 */
export const PRIVATE_FILE_MODE = 0o600;
export const PRIVATE_DIRECTORY_MODE = 0o700;

/** Thrown at start-up when the SQLite file is missing where a database is known to have been. */
export class MissingDatabaseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MissingDatabaseError';
  }
}

interface Identity {
  dev: number;
  ino: number;
}

const identityOf = (file: string): Identity | undefined => {
  const stats = statSync(file, { throwIfNoEntry: false });
  return stats && { dev: stats.dev, ino: stats.ino };
};

/**
 * The marker beside a SQLite file that says a database was made there. It is a hidden file, so that
 * `rm vasdom.sqlite*` leaves it: a service that then finds no database does not make an empty one silently.
 */
export function markerPath(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.created`);
}

/**
 * Prepares the SQLite file before it is opened: its directory (private when made here), and the file
 * itself when there is none (private, so that the log and shared memory files SQLite makes beside it,
 * which take its permissions, are private too). A missing file where the marker says a database was is
 * refused unless `allowNew`. Returns whether the database is new, and the marker of the one before if any.
 */
export function prepareDatabaseFile(
  file: string,
  allowNew: boolean,
): { created: boolean; previous?: string } {
  mkdirSync(path.dirname(file), { recursive: true, mode: PRIVATE_DIRECTORY_MODE });
  const marker = markerPath(file);
  if (identityOf(file) !== undefined) {
    // Installations from before the marker get one the first time they start.
    if (identityOf(marker) === undefined) writeMarker(marker, file);
    return { created: false };
  }
  const previous = identityOf(marker) === undefined ? undefined : readFileSync(marker, 'utf8').trim();
  if (previous !== undefined && !allowNew) {
    throw new MissingDatabaseError(
      `The database file ${file} is missing, but a database was created there before (${marker}: ${previous}). ` +
        'Restore it from a backup, or set SQLITE_ALLOW_NEW_DATABASE=true to start with an empty database.',
    );
  }
  closeSync(openSync(file, 'wx', PRIVATE_FILE_MODE));
  writeMarker(marker, file);
  return { created: true, previous };
}

function writeMarker(marker: string, file: string): void {
  writeFileSync(
    marker,
    `${JSON.stringify({ database: path.basename(file), created_at: new Date().toISOString() })}\n`,
    {
      mode: PRIVATE_FILE_MODE,
    },
  );
}

/**
 * Watches that the SQLite file (and its write-ahead log) is still the one the service opened. Deleted or
 * replaced, the service would go on writing to a file nobody can open again, and lose every write at the
 * next start: `lostFile()` says what happened, so that writes are refused instead.
 */
export class DatabaseFileWatch {
  private readonly files: { path: string; identity: Identity | undefined }[];

  constructor(file: string) {
    this.files = [file, `${file}-wal`].map((entry) => ({ path: entry, identity: identityOf(entry) }));
  }

  /** What became of the files since they were opened, or undefined while they are in place. */
  lostFile(): string | undefined {
    for (const file of this.files) {
      const now = identityOf(file.path);
      if (file.identity === undefined) {
        // The log is made at the first write after opening: watched from when it exists.
        file.identity = now;
        continue;
      }
      if (now === undefined) return `${file.path} was deleted`;
      if (now.dev !== file.identity.dev || now.ino !== file.identity.ino) return `${file.path} was replaced`;
    }
    return undefined;
  }

  /**
   * Where this process still holds the deleted files open (Linux): copied from there before the service
   * stops, they keep everything written up to the moment the loss was noticed.
   */
  openCopies(): string[] {
    const wanted = new Set(this.files.map((file) => `${file.path} (deleted)`));
    const copies = new Map<string, string>();
    try {
      for (const fd of readdirSync('/proc/self/fd')) {
        try {
          const target = readlinkSync(`/proc/self/fd/${fd}`);
          if (wanted.has(target) && !copies.has(target)) copies.set(target, `/proc/${process.pid}/fd/${fd}`);
        } catch {
          // Closed meanwhile.
        }
      }
    } catch {
      // No /proc: nothing to point at.
    }
    return [...copies].map(([target, source]) => `${source} (${target})`);
  }
}
