import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Mounting a file system needs root (CI runs as root on its machine); elsewhere the tests that need one skip. */
export const CAN_MOUNT = process.getuid?.() === 0;

/**
 * A real file system of its own (tmpfs) of a few megabytes, to fill up: writes then fail with ENOSPC as
 * on a full disk, and succeed again once `free()` deletes what filled it.
 */
export class SmallFilesystem {
  readonly path = mkdtempSync(path.join(os.tmpdir(), 'vasdom-small-fs-'));
  private readonly filler = path.join(this.path, 'filler');

  constructor(sizeMegabytes: number) {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMegabytes}m,mode=0755`, 'tmpfs', this.path]);
  }

  /** A directory on it owned by `user` (the PostgreSQL server's, for a tablespace). */
  directoryOf(user: string): string {
    const directory = path.join(this.path, user);
    mkdirSync(directory, { mode: 0o700 });
    execFileSync('chown', [`${user}:`, directory]);
    return directory;
  }

  /** Takes up every free byte. */
  fill(): void {
    const fd = openSync(this.filler, 'a');
    const chunk = Buffer.alloc(64 * 1024, 1);
    try {
      for (;;) writeSync(fd, chunk);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
    } finally {
      closeSync(fd);
    }
  }

  free(): void {
    rmSync(this.filler, { force: true });
  }

  unmount(): void {
    execFileSync('umount', ['-l', this.path]);
    rmSync(this.path, { recursive: true, force: true });
  }
}
