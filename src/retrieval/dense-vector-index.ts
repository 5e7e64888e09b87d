import { insertRanked, type Ranked } from './ranking.js';
import type { SparseVector } from './sparse-vector.js';
import type { IndexItem, ScoredItem } from './vector-index.js';

/** Rows the matrix grows by at a time. */
const GROWTH = 1024;

/**
 * An exact cosine index for dense vectors (a model's embeddings: every dimension set, signs mixed), which
 * the sparse index's rarity weighting and pruning do not fit. Vectors are normalised into one row-major
 * Float32Array and a search scores every row; a vector arrives as a SparseVector whose indices are its
 * dimensions (what dense embedders produce), and all must have the first one's dimensions.
 */
export class DenseVectorIndex {
  private dimensions = 0;
  private rows = new Float32Array(0);
  private ids: (string | undefined)[] = [];
  private readonly slotById = new Map<string, number>();
  private readonly freeSlots: number[] = [];

  get size(): number {
    return this.slotById.size;
  }

  upsert(id: string, vector: SparseVector): void {
    const values = this.denseValues(vector);
    let slot = this.slotById.get(id);
    if (slot === undefined) {
      slot = this.freeSlots.pop() ?? this.ids.length;
      this.ensureCapacity(slot + 1);
      this.slotById.set(id, slot);
      this.ids[slot] = id;
    }
    let squares = 0;
    for (const value of values) squares += value * value;
    const norm = Math.sqrt(squares) || 1;
    const offset = slot * this.dimensions;
    for (let dimension = 0; dimension < this.dimensions; dimension++) {
      this.rows[offset + dimension] = (values[dimension] as number) / norm;
    }
  }

  load(items: Iterable<IndexItem>): void {
    this.stage(items);
  }

  /** The same as upserting each: a dense index has nothing to defer. */
  stage(items: Iterable<IndexItem>): void {
    for (const item of items) this.upsert(item.id, item.vector);
  }

  refresh(): void {}

  remove(id: string): boolean {
    const slot = this.slotById.get(id);
    if (slot === undefined) return false;
    this.slotById.delete(id);
    this.ids[slot] = undefined;
    this.rows.fill(0, slot * this.dimensions, (slot + 1) * this.dimensions);
    this.freeSlots.push(slot);
    return true;
  }

  /** The best `limit` items scoring at least `minScore`, best first (ties: the lower slot first). */
  search(query: SparseVector, limit: number, minScore: number, excludeId?: string): ScoredItem[] {
    if (this.size === 0 || limit <= 0) return [];
    const values = this.denseValues(query);
    let squares = 0;
    for (const value of values) squares += value * value;
    const norm = Math.sqrt(squares);
    if (norm === 0) return [];
    const best: Ranked[] = [];
    const { dimensions, rows } = this;
    for (let slot = 0; slot < this.ids.length; slot++) {
      const id = this.ids[slot];
      if (id === undefined || id === excludeId) continue;
      let dot = 0;
      const offset = slot * dimensions;
      for (let dimension = 0; dimension < dimensions; dimension++) {
        dot += (values[dimension] as number) * (rows[offset + dimension] as number);
      }
      const score = dot / norm;
      if (score < minScore) continue;
      if (best.length < limit || score > (best[best.length - 1] as Ranked).score) {
        insertRanked(best, { slot, score }, limit);
      }
    }
    return best.map(({ slot, score }) => ({ id: this.ids[slot] as string, score: Math.min(score, 1) }));
  }

  /** The vector as a plain array of its dimensions; the first vector fixes how many there are. */
  private denseValues(vector: SparseVector): Float32Array {
    const length = vector.indices.length;
    if (this.dimensions === 0) {
      this.dimensions = length;
      this.rows = new Float32Array(GROWTH * length);
    }
    if (length !== this.dimensions || (length > 0 && vector.indices[length - 1] !== length - 1)) {
      throw new Error(`A dense vector of ${this.dimensions} dimensions was expected, got ${length} features`);
    }
    return vector.values;
  }

  private ensureCapacity(slots: number): void {
    if (slots * this.dimensions <= this.rows.length) return;
    const grown = new Float32Array(
      Math.max(slots, this.rows.length / this.dimensions + GROWTH) * this.dimensions,
    );
    grown.set(this.rows);
    this.rows = grown;
  }
}
