import type { SparseVector } from './sparse-vector.js';

export interface ScoredItem {
  id: string;
  score: number;
}

export interface IndexItem {
  id: string;
  vector: SparseVector;
}

/** An item as storage holds it: the vector in its encoded form (encodeSparseVector). */
export interface StoredVector {
  id: string;
  vector: Uint8Array;
}

/**
 * A nearest-neighbour index kept in memory, filled from storage at start-up and kept in step with it
 * incrementally. Operations take effect in the order they are called.
 */
/** loading: the first load has not finished; rebuilding: refilling after a failure; failed: a load failed. */
export type IndexState = 'loading' | 'ready' | 'rebuilding' | 'failed' | 'closed';

export interface VectorIndex {
  /** Items indexed, as of the last operation that completed. */
  readonly size: number;
  readonly state: IndexState;
  /**
   * Replaces the contents with what `source` yields, far cheaper than one upsert each; operations called
   * meanwhile wait for it. The source is kept: should the index have to be rebuilt, it is read again.
   */
  load(source: () => AsyncIterable<StoredVector[]>): Promise<LoadReport>;
  upsert(id: string, vector: SparseVector): Promise<void>;
  remove(id: string): Promise<boolean>;
  /** The best `limit` items scoring at least `minScore`, best first (equal scores in a fixed order). */
  search(query: SparseVector, limit: number, minScore: number, excludeId?: string): Promise<ScoredItem[]>;
  close(): Promise<void>;
}

export interface LoadReport {
  indexed: number;
  /** Stored vectors that could not be decoded, left out. */
  skipped: number;
}
