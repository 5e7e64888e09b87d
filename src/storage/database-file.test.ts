import { existsSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { temporaryDirectory } from '../../test/helpers/test-service.js';
import { DatabaseFileWatch, MissingDatabaseError, markerPath, prepareDatabaseFile } from './database-file.js';

describe('prepareDatabaseFile', () => {
  const directories: string[] = [];
  afterEach(() => {
    for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
  });
  const fileIn = (...parts: string[]) => {
    const root = temporaryDirectory('vasdom-database-file-');
    directories.push(root);
    return path.join(root, ...parts);
  };

  it('makes a private directory and file, and a marker that rm vasdom.sqlite* leaves', () => {
    const file = fileIn('data', 'vasdom.sqlite');
    expect(prepareDatabaseFile(file, false)).toEqual({ created: true, previous: undefined });
    expect(statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(path.basename(markerPath(file))).toBe('.vasdom.sqlite.created');
    expect(JSON.parse(readFileSync(markerPath(file), 'utf8'))).toMatchObject({ database: 'vasdom.sqlite' });
  });

  it('refuses to make an empty database where the marker says one was, unless allowed', () => {
    const file = fileIn('vasdom.sqlite');
    prepareDatabaseFile(file, false);
    rmSync(file);
    expect(() => prepareDatabaseFile(file, false)).toThrow(MissingDatabaseError);
    expect(() => prepareDatabaseFile(file, false)).toThrow(/SQLITE_ALLOW_NEW_DATABASE=true/);
    expect(existsSync(file)).toBe(false);
    const made = prepareDatabaseFile(file, true);
    expect(made.created).toBe(true);
    expect(made.previous).toContain('vasdom.sqlite');
  });

  it('gives an existing database from before the marker its marker', () => {
    const file = fileIn('vasdom.sqlite');
    writeFileSync(file, '');
    expect(prepareDatabaseFile(file, false)).toEqual({ created: false });
    expect(existsSync(markerPath(file))).toBe(true);
  });
});

describe('DatabaseFileWatch', () => {
  it('says when the file or its log is deleted or replaced, and watches the log from when it exists', () => {
    const root = temporaryDirectory('vasdom-file-watch-');
    const file = path.join(root, 'vasdom.sqlite');
    writeFileSync(file, 'db');
    const watch = new DatabaseFileWatch(file);
    expect(watch.lostFile()).toBeUndefined();
    writeFileSync(`${file}-wal`, 'log');
    expect(watch.lostFile()).toBeUndefined();
    writeFileSync(`${file}-wal.new`, 'other log');
    renameSync(`${file}-wal.new`, `${file}-wal`);
    expect(watch.lostFile()).toBe(`${file}-wal was replaced`);
    rmSync(file);
    expect(new DatabaseFileWatch(`${file}-x`).lostFile()).toBeUndefined();
    expect(watch.lostFile()).toBe(`${file} was deleted`);
    rmSync(root, { recursive: true, force: true });
  });
});
