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
  it('keeps every stored vector intact through growth, releases and reordering', () => {
    const arena = new VectorArena();
    for (let slot = 0; slot < 2000; slot++) arena.store(slot, vectorOf(slot, 1 + (slot % 7)));
    for (let slot = 0; slot < 2000; slot += 2) arena.release(slot);
    // Reusing released slots and growing past the capacity both compact or reallocate the arrays.
    for (let slot = 0; slot < 2000; slot += 2) arena.store(slot, vectorOf(slot + 5000, 3));
    const expectedAt = (slot: number) => [
      ...(slot % 2 === 0 ? vectorOf(slot + 5000, 3) : vectorOf(slot, 1 + (slot % 7))).indices,
    ];
    for (let slot = 0; slot < 2000; slot++) expect(read(arena, slot)).toEqual(expectedAt(slot));
    expect(arena.lengthOf(1)).toBe(2);

    // Slot order[i] moves to slot i; here the odd slots, last first, and nothing else.
    const order = Int32Array.from({ length: 1000 }, (_, target) => 1999 - 2 * target);
    arena.reorder(order);
    for (const [to, from] of order.entries()) expect(read(arena, to)).toEqual(expectedAt(from));
    expect(arena.lengthOf(1000)).toBe(0);
    arena.store(1000, vectorOf(9000, 4));
    expect(read(arena, 1000)).toEqual([...vectorOf(9000, 4).indices]);
    expect(read(arena, 0)).toEqual(expectedAt(1999));
  });
});
