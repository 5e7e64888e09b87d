import { describe, expect, it } from 'vitest';
import { pathToNul } from './nul-characters.js';

describe('pathToNul', () => {
  it('finds a NUL character in strings, array items, object values and keys', () => {
    expect(pathToNul('plain')).toBeUndefined();
    expect(pathToNul({ message: 'когда уборка?', rating: 5, tags: ['a', null] })).toBeUndefined();
    expect(pathToNul('a\u0000b')).toEqual([]);
    expect(pathToNul({ message: 'a\u0000' })).toEqual(['message']);
    expect(pathToNul({ items: [{ text: 'ok' }, { text: '\u0000' }] })).toEqual(['items', 1, 'text']);
    expect(pathToNul({ 'bad\u0000key': 1 })).toEqual(['bad\u0000key']);
  });

  it('walks deeply nested input in time proportional to its size', () => {
    let nested: unknown = 'дно\u0000';
    for (let depth = 0; depth < 50_000; depth++) nested = [nested];
    const path = pathToNul(nested);
    expect(path).toHaveLength(50_000);
    expect(path?.every((key) => key === 0)).toBe(true);
  });
});
