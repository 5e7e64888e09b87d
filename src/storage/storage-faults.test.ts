import { describe, expect, it } from 'vitest';
import { StorageStatus, StorageUnavailableError, storageFaultOf } from './storage-faults.js';

const failure = (message: string, code?: string) => Object.assign(new Error(message), code ? { code } : {});

describe('storageFaultOf', () => {
  it.each([
    [failure('database or disk is full', 'SQLITE_FULL'), 'disk_full'],
    [failure('could not extend file "base/1/2": No space left on device', '53100'), 'disk_full'],
    [failure('disk I/O error', 'SQLITE_IOERR_WRITE'), 'unavailable'],
    [failure('attempt to write a readonly database', 'SQLITE_READONLY'), 'unavailable'],
    [failure('database is locked', 'SQLITE_BUSY'), 'unavailable'],
    [failure('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'), 'unavailable'],
    [failure('terminating connection due to administrator command', '57P01'), 'unavailable'],
    [failure('the database system is shutting down', '57P03'), 'unavailable'],
    [failure('connection failure', '08006'), 'unavailable'],
    [failure('database "gone" does not exist', '3D000'), 'unavailable'],
    [failure('Connection terminated unexpectedly'), 'unavailable'],
    [failure('timeout exceeded when trying to connect'), 'unavailable'],
    [new StorageUnavailableError('file_lost', 'lost'), 'file_lost'],
  ])('%s is a storage fault: %s', (error, kind) => {
    expect(storageFaultOf(error)).toBe(kind);
  });

  it.each([
    failure('UNIQUE constraint failed: feedback.id', 'SQLITE_CONSTRAINT_PRIMARYKEY'),
    failure('duplicate key value violates unique constraint', '23505'),
    failure('syntax error at or near "selec"', '42601'),
    failure('no such table: missing', 'SQLITE_ERROR'),
    new TypeError('Cannot read properties of undefined'),
    'a string',
    undefined,
  ])('%s is not', (error) => {
    expect(storageFaultOf(error)).toBeUndefined();
  });
});

describe('StorageStatus', () => {
  it('holds a full disk or an unreachable database until it is noted over', () => {
    const status = new StorageStatus();
    expect(status.noteFailure(failure('constraint', 'SQLITE_CONSTRAINT'))).toBeUndefined();
    expect(status.fault).toBeUndefined();
    expect(status.noteFailure(failure('database or disk is full', 'SQLITE_FULL'))).toBe('disk_full');
    const since = status.fault?.since;
    expect(status.fault).toMatchObject({
      kind: 'disk_full',
      detail: expect.stringContaining('storage full'),
    });
    status.noteFailure(failure('database or disk is full', 'SQLITE_FULL'));
    expect(status.fault?.since).toBe(since);
    status.noteRecovered();
    expect(status.fault).toBeUndefined();
  });

  it('keeps a lost file until a restart, whatever succeeds or fails after it', () => {
    const status = new StorageStatus();
    status.noteFileLost('/data/vasdom.sqlite was deleted');
    status.noteFailure(failure('database or disk is full', 'SQLITE_FULL'));
    status.noteRecovered();
    expect(status.fault).toMatchObject({ kind: 'file_lost', detail: expect.stringContaining('was deleted') });
  });
});
