import SqliteDatabase from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { withStatementCache } from './statement-cache.js';

describe('withStatementCache', () => {
  it('reuses a prepared statement for the same SQL and evicts the least recently used', () => {
    const connection = new SqliteDatabase(':memory:');
    const cached = withStatementCache(connection, 2);
    const first = cached.prepare('select 1');
    expect(cached.prepare('select 1')).toBe(first);
    const second = cached.prepare('select 2');
    cached.prepare('select 1'); // now the most recently used
    cached.prepare('select 3'); // evicts "select 2"
    expect(cached.prepare('select 1')).toBe(first);
    expect(cached.prepare('select 2')).not.toBe(second);
    expect((cached.prepare('select 1') as SqliteDatabase.Statement).get()).toEqual({ 1: 1 });
    cached.close();
    expect(connection.open).toBe(false);
  });
});
