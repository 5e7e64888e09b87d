import type { ProviderResilience } from '../providers/resilience/provider-resilience.js';
import type { Embedder } from './embedder.js';
import type { SparseVector } from './sparse-vector.js';

/**
 * An embedder with its provider's resilience policies around every call. Callers batch at `maxBatchSize`,
 * so one call is one request to the provider, and a retry repeats only that request.
 */
export class ResilientEmbedder implements Embedder {
  readonly id: string;
  readonly maxBatchSize: number;
  readonly vectorKind: Embedder['vectorKind'];

  constructor(
    private readonly inner: Embedder,
    private readonly resilience: ProviderResilience,
  ) {
    this.id = inner.id;
    this.maxBatchSize = inner.maxBatchSize;
    this.vectorKind = inner.vectorKind;
  }

  embed(texts: readonly string[]): Promise<SparseVector[]> {
    return this.resilience.execute(() => this.inner.embed(texts));
  }
}
