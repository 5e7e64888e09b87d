import SqliteDatabase from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { withStatementCache } from './statement-cache.js';

describe('withStatementCache', () => {
  it('reuses a prepared statement for the same SQL and evicts the least recently used', () => {
    const connection = new SqliteDatabase(':memory:');
    const cached = withStatementCache(connection, { capacity: 2 });
    const first = cached.prepare('select 1');
    expect(cached.prepare('select 1')).toBe(first);
    const second = cached.prepare('select 2');
    cached.prepare('select 1'); // now the most recently used
    cached.prepare('select 3'); // evicts "select 2"
    expect(cached.prepare('select 1')).toBe(first);
    expect(cached.prepare('select 2')).not.toBe(second);
    expect(cached.prepare('select 1').all([])).toEqual([{ 1: 1 }]);
    cached.close();
    expect(connection.open).toBe(false);
  });

  it('reports failed statements by whether they read or write, and still throws', () => {
    const connection = new SqliteDatabase(':memory:');
    const failures: string[] = [];
    const cached = withStatementCache(connection, {
      watch: { beforeWrite() {}, onError: (operation) => failures.push(operation) },
    });
    cached.prepare('create table notes (body text not null)').run([]);
    expect(() => cached.prepare('insert into notes (body) values (?)').run([null])).toThrow(/NOT NULL/);
    expect(() => cached.prepare('select * from missing_table')).toThrow(/no such table/);
    expect(cached.prepare('select count(*) as count from notes').all([])).toEqual([{ count: 0 }]);
    expect(failures).toEqual(['write', 'read']);
    connection.close();
  });

  it('asks before each statement that changes the database and may be refused; transaction control and reads pass', () => {
    const connection = new SqliteDatabase(':memory:');
    const seen: string[] = [];
    let refuse = false;
    const cached = withStatementCache(connection, {
      watch: {
        beforeWrite() {
          seen.push('before');
          if (refuse) throw new Error('refused');
        },
        onError: (operation) => seen.push(`failed ${operation}`),
      },
    });
    cached.prepare('create table notes (body text)').run([]);
    cached.prepare('begin').run([]);
    cached.prepare('insert into notes (body) values (?) returning body').all(['a']);
    cached.prepare('commit').run([]);
    expect(seen).toEqual(['before', 'before']);
    refuse = true;
    expect(() => cached.prepare('insert into notes (body) values (?)').run(['b'])).toThrow('refused');
    expect(cached.prepare('select count(*) as count from notes').all([])).toEqual([{ count: 1 }]);
    expect(seen.slice(2)).toEqual(['before', 'failed write']);
    connection.close();
  });
});
