import { describe, expect, it } from 'vitest';
import { sparseVectorFromWeights } from './sparse-vector.js';
import { VectorArena } from './vector-arena.js';

function vectorOf(seed: number, length: number) {
  return sparseVectorFromWeights(new Map(Array.from({ length }, (_, i) => [seed * 1000 + i, 1 + i])));
}

function read(arena: VectorArena, slot: number): number[] {
  const start = arena.startOf(slot);
  return [...arena.features.subarray(start, start + arena.lengthOf(slot))];
}

describe('VectorArena', () => {
  it('keeps every stored vector intact through growth, releases and compaction', () => {
    const arena = new VectorArena();
    for (let slot = 0; slot < 2000; slot++) arena.store(slot, vectorOf(slot, 1 + (slot % 7)));
    for (let slot = 0; slot < 2000; slot += 2) arena.release(slot);
    // Reusing released slots and growing past the capacity both compact or reallocate the arrays.
    for (let slot = 0; slot < 2000; slot += 2) arena.store(slot, vectorOf(slot + 5000, 3));
    arena.compact();
    for (let slot = 0; slot < 2000; slot++) {
      const expected = slot % 2 === 0 ? vectorOf(slot + 5000, 3) : vectorOf(slot, 1 + (slot % 7));
      expect(read(arena, slot)).toEqual([...expected.indices]);
    }
    expect(arena.lengthOf(1)).toBe(2);
  });
});
