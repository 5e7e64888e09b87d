import { DenseVectorIndex } from './dense-vector-index.js';
import type { SparseVector } from './sparse-vector.js';
import { SparseVectorIndex } from './sparse-vector-index.js';
import type { IndexItem, ScoredItem } from './vector-index.js';

/** A nearest-neighbour index in this thread: what the index worker holds, and small indexes use directly. */
export interface InProcessIndex {
  readonly size: number;
  upsert(id: string, vector: SparseVector): void;
  /** Adds many items at once. */
  load(items: Iterable<IndexItem>): void;
  /** Stores items that the next refresh() makes findable. */
  stage(items: Iterable<IndexItem>): void;
  refresh(): void;
  remove(id: string): boolean;
  search(query: SparseVector, limit: number, minScore: number, excludeId?: string): ScoredItem[];
}

/** The kind of vectors an embedder makes decides the index: sparse bags of features, or dense embeddings. */
export type VectorKind = 'sparse' | 'dense';

export function createInProcessIndex(kind: VectorKind): InProcessIndex {
  return kind === 'dense' ? new DenseVectorIndex() : new SparseVectorIndex();
}
