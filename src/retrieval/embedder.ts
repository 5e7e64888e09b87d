import { ProviderError, type ProviderErrorOptions } from '../providers/provider-error.js';
import type { VectorKind } from './in-process-index.js';
import type { SparseVector } from './sparse-vector.js';

/**
 * Turns texts into vectors. `id` names the embedder and its version: vectors from different embedders
 * are never compared, and stored vectors are tagged with it.
 */
export interface Embedder {
  readonly id: string;
  /** The most texts one call accepts; callers batch above it. */
  readonly maxBatchSize: number;
  /** sparse: bags of hashed features (the built-in embedder); dense: a model's embeddings, as dimension-indexed vectors. */
  readonly vectorKind: VectorKind;
  embed(texts: readonly string[]): Promise<SparseVector[]>;
}

/** An embedder that could not embed: its provider is down, slow or refused the call. */
export class EmbedderError extends ProviderError<'unavailable' | 'timeout' | 'rejected' | 'malformed'> {
  constructor(
    message: string,
    reason: 'unavailable' | 'timeout' | 'rejected' | 'malformed',
    options?: ProviderErrorOptions,
  ) {
    super('embeddings', message, reason, options);
    this.name = 'EmbedderError';
  }
}

/** A model's embedding as the vector type indexes take: every dimension, indexed by its position. */
export function denseVector(values: ArrayLike<number>): SparseVector {
  const indices = new Uint32Array(values.length);
  for (let position = 0; position < indices.length; position++) indices[position] = position;
  return { indices, values: Float32Array.from(values) };
}
