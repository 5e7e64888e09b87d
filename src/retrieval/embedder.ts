import type { SparseVector } from './sparse-vector.js';

/**
 * Turns texts into vectors. `id` names the embedder and its version: vectors from different embedders
 * are never compared, and stored vectors are tagged with it.
 */
export interface Embedder {
  readonly id: string;
  /** The most texts one call accepts; callers batch above it. */
  readonly maxBatchSize: number;
  embed(texts: readonly string[]): Promise<SparseVector[]>;
}
