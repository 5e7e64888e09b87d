import { describe, expect, it } from 'vitest';
import { DenseVectorIndex } from './dense-vector-index.js';
import { denseVector } from './embedder.js';

/** A reproducible pseudo-random vector with mixed signs. */
function randomVector(seed: number, dimensions: number): number[] {
  let state = seed * 2654435761;
  return Array.from({ length: dimensions }, () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state / 2 ** 31 - 1;
  });
}

const cosine = (left: number[], right: number[]) => {
  let dot = 0;
  let leftSquares = 0;
  let rightSquares = 0;
  for (const [dimension, value] of left.entries()) {
    dot += value * (right[dimension] as number);
    leftSquares += value * value;
    rightSquares += (right[dimension] as number) ** 2;
  }
  return dot / Math.sqrt(leftSquares * rightSquares);
};

describe('DenseVectorIndex', () => {
  it('returns exactly the best cosines, including negative components, best first', () => {
    const index = new DenseVectorIndex();
    const vectors = Array.from({ length: 3000 }, (_, item) => randomVector(item + 1, 48));
    index.load(vectors.map((vector, item) => ({ id: `v${item}`, vector: denseVector(vector) })));
    for (const seed of [9001, 9002, 9003]) {
      const query = randomVector(seed, 48);
      const expected = vectors
        .map((vector, item) => ({ id: `v${item}`, score: cosine(query, vector) }))
        .sort((left, right) => right.score - left.score)
        .slice(0, 5);
      const found = index.search(denseVector(query), 5, -1);
      expect(found.map((hit) => hit.id)).toEqual(expected.map((hit) => hit.id));
      found.forEach((hit, rank) => {
        expect(hit.score).toBeCloseTo(expected[rank]?.score as number, 5);
      });
    }
  });

  it('honours the minimum score, the excluded id, upserts and removals', () => {
    const index = new DenseVectorIndex();
    index.upsert('a', denseVector([1, 0, 0]));
    index.upsert('b', denseVector([0.9, 0.1, 0]));
    index.upsert('c', denseVector([-1, 0, 0]));
    expect(index.search(denseVector([1, 0, 0]), 5, 0.5).map((hit) => hit.id)).toEqual(['a', 'b']);
    expect(index.search(denseVector([1, 0, 0]), 5, 0.5, 'a').map((hit) => hit.id)).toEqual(['b']);
    index.upsert('a', denseVector([0, 1, 0]));
    expect(index.search(denseVector([1, 0, 0]), 1, 0.5).map((hit) => hit.id)).toEqual(['b']);
    expect(index.remove('b')).toBe(true);
    expect(index.remove('b')).toBe(false);
    expect(index.size).toBe(2);
    expect(index.search(denseVector([1, 0, 0]), 5, 0.5)).toEqual([]);
    index.upsert('d', denseVector([2, 0, 0]));
    expect(index.search(denseVector([1, 0, 0]), 5, 0.5)).toEqual([{ id: 'd', score: 1 }]);
  });

  it('rejects vectors of other dimensions than the first', () => {
    const index = new DenseVectorIndex();
    index.upsert('a', denseVector([1, 2, 3]));
    expect(() => index.upsert('b', denseVector([1, 2]))).toThrow(/3 dimensions/);
    expect(() =>
      index.search({ indices: Uint32Array.from([0, 5, 9]), values: new Float32Array(3) }, 1, 0),
    ).toThrow(/3 dimensions/);
  });
});
