import { describe, expect, it } from 'vitest';
import { LocalEmbedder } from './local-embedder.js';
import { type SparseVector, sparseVectorFromWeights } from './sparse-vector.js';
import { SparseVectorIndex } from './sparse-vector-index.js';

/** Deterministic pseudo-random numbers, so that a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

function randomVector(next: () => number, vocabulary: number): SparseVector {
  const weights = new Map<number, number>();
  const features = 3 + Math.floor(next() * 12);
  // Skewed feature choice: low ids are common, as stems of everyday words are.
  for (let i = 0; i < features; i++) weights.set(Math.floor(vocabulary * next() ** 2), 0.2 + next());
  return sparseVectorFromWeights(weights);
}

/** The scores the index must reproduce: cosine over IDF-weighted vectors, computed naively. */
function bruteForce(items: Map<string, SparseVector>, query: SparseVector, minScore: number) {
  const documentFrequency = new Map<number, number>();
  for (const vector of items.values()) {
    for (const feature of vector.indices)
      documentFrequency.set(feature, (documentFrequency.get(feature) ?? 0) + 1);
  }
  const idf = (feature: number) =>
    Math.log(1 + (items.size + 1) / ((documentFrequency.get(feature) ?? 0) + 1));
  const weighted = (vector: SparseVector) => {
    const map = new Map<number, number>();
    vector.indices.forEach((feature, position) => {
      map.set(feature, (vector.values[position] as number) * idf(feature));
    });
    return map;
  };
  const norm = (map: Map<number, number>) => Math.sqrt([...map.values()].reduce((sum, v) => sum + v * v, 0));
  const queryWeights = weighted(query);
  const queryNorm = norm(queryWeights);
  const results: { id: string; score: number }[] = [];
  for (const [id, vector] of items) {
    const itemWeights = weighted(vector);
    let dot = 0;
    for (const [feature, weight] of queryWeights) dot += weight * (itemWeights.get(feature) ?? 0);
    const score = dot / (queryNorm * norm(itemWeights));
    if (score >= minScore) results.push({ id, score });
  }
  return results.sort((left, right) => right.score - left.score);
}

/** An index loaded with `count` random items over `vocabulary` features, the items, and the generator. */
function loadedIndex(seed: number, count: number, vocabulary: number) {
  const next = random(seed);
  const index = new SparseVectorIndex();
  const items = new Map<string, SparseVector>();
  for (let i = 0; i < count; i++) items.set(`item-${i}`, randomVector(next, vocabulary));
  index.load([...items].map(([id, vector]) => ({ id, vector })));
  return { next, index, items };
}

describe('SparseVectorIndex', () => {
  it('finds exactly what an exhaustive scan finds above the threshold', async () => {
    const { next, index, items } = loadedIndex(42, 3000, 400);
    for (let query = 0; query < 200; query++) {
      const vector =
        query % 2 === 0 ? randomVector(next, 400) : (items.get(`item-${query * 7}`) as SparseVector);
      for (const minScore of [0.3, 0.6]) {
        const expected = bruteForce(items, vector, minScore).slice(0, 5);
        const actual = index.search(vector, 5, minScore);
        expect(actual.map((hit) => hit.id)).toEqual(expected.map((hit) => hit.id));
        actual.forEach((hit, position) => {
          expect(hit.score).toBeCloseTo((expected[position] as { score: number }).score, 5);
        });
      }
    }
  });

  it('stays exact while items come and go, through the refreshes that renumber them', () => {
    const { next, index, items } = loadedIndex(7, 1500, 300);
    for (let round = 0; round < 40; round++) {
      // Upserts and removals between the checks (posted under the weights of the last refresh, with free
      // slots reused); each check follows a refresh, which renumbers the items, so that the brute force's
      // current weights apply.
      for (let change = 0; change < 30; change++) {
        const id = `item-${Math.floor(next() * 2500)}`;
        if (next() < 0.4 && items.delete(id)) index.remove(id);
        else {
          const vector = randomVector(next, 300);
          items.set(id, vector);
          index.upsert(id, vector);
        }
      }
      index.refresh();
      expect(index.size).toBe(items.size);
      const excluded = [...items.keys()][round] as string;
      const query = next() < 0.5 ? randomVector(next, 300) : (items.get(excluded) as SparseVector);
      const expected = bruteForce(items, query, 0.3)
        .filter((hit) => hit.id !== excluded)
        .slice(0, 5);
      const actual = index.search(query, 5, 0.3, excluded);
      expect(actual).toEqual(expected.map((hit) => ({ id: hit.id, score: expect.closeTo(hit.score, 5) })));
    }
  });

  it('keeps in step with upserts and removals', () => {
    const embedder = new LocalEmbedder();
    const index = new SparseVectorIndex();
    index.upsert('a', embedder.embedOne('Когда моют окна в подъездах?'));
    index.upsert('b', embedder.embedOne('Сколько бригад работает в Северном районе?'));
    expect(index.size).toBe(2);
    const query = embedder.embedOne('окна в подъезде когда моют');
    expect(index.search(query, 3, 0.5)[0]?.id).toBe('a');
    expect(index.search(query, 3, 0.5, 'a')).toEqual([]);
    expect(index.remove('a')).toBe(true);
    expect(index.remove('a')).toBe(false);
    expect(index.search(query, 3, 0.5)).toEqual([]);
    index.upsert('b', embedder.embedOne('Когда моют окна в подъездах?'));
    expect(index.size).toBe(1);
    expect(index.search(query, 3, 0.5)[0]?.id).toBe('b');
  });

  it('scores an identical text 1 and returns nothing from an empty index', () => {
    const embedder = new LocalEmbedder();
    const index = new SparseVectorIndex();
    const vector = embedder.embedOne('График уборки дома на улице Ленина, 12');
    expect(index.search(vector, 3, 0.1)).toEqual([]);
    index.upsert('x', vector);
    index.upsert('y', embedder.embedOne('Жалоба на грязный лифт'));
    expect(index.search(vector, 3, 0.1)[0]).toEqual({ id: 'x', score: expect.closeTo(1, 5) });
  });
});
