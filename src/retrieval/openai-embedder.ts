import OpenAI from 'openai';
import type { EmbedderConfig } from '../config/config.schema.js';
import { providerFailure } from '../providers/openai-errors.js';
import { denseVector, type Embedder, EmbedderError } from './embedder.js';
import type { SparseVector } from './sparse-vector.js';

type OpenAiEmbedderConfig = Extract<EmbedderConfig, { provider: 'openai' }>;

/**
 * Any OpenAI-compatible /embeddings endpoint (OpenAI, vLLM, llama.cpp server, Ollama, LM Studio) through
 * the official client. Its id names the model (and the dimensions asked for), so that a change of model
 * makes stored vectors stale and they are rebuilt.
 */
export class OpenAiEmbedder implements Embedder {
  readonly id: string;
  readonly maxBatchSize = 256;
  readonly vectorKind = 'dense';
  private readonly client: OpenAI;

  /** `fetch` is the transport the client sends its requests over (the factory gives nodeHttpFetch). */
  constructor(
    private readonly config: OpenAiEmbedderConfig,
    fetch: typeof globalThis.fetch,
  ) {
    this.id = `openai:${config.model}${config.dimensions === undefined ? '' : `:${config.dimensions}`}`;
    this.client = new OpenAI({
      apiKey: config.apiKey,
      baseURL: config.baseUrl,
      timeout: config.timeoutMs,
      // Retries are a policy wrapped around this adapter (create-embedder.ts), as for every provider.
      maxRetries: 0,
      fetch,
    });
  }

  async embed(texts: readonly string[]): Promise<SparseVector[]> {
    const vectors: SparseVector[] = [];
    for (let start = 0; start < texts.length; start += this.maxBatchSize) {
      vectors.push(...(await this.embedBatch(texts.slice(start, start + this.maxBatchSize))));
    }
    return vectors;
  }

  private async embedBatch(texts: string[]): Promise<SparseVector[]> {
    let response: OpenAI.Embeddings.CreateEmbeddingResponse;
    try {
      response = await this.client.embeddings.create({
        model: this.config.model,
        input: texts,
        encoding_format: 'float',
        ...(this.config.dimensions === undefined ? {} : { dimensions: this.config.dimensions }),
      });
    } catch (error) {
      throw translateError(error);
    }
    const data = Array.isArray(response?.data) ? [...response.data] : [];
    data.sort((left, right) => left.index - right.index);
    if (data.length !== texts.length) {
      throw new EmbedderError(
        `The embedding provider returned ${data.length} vectors for ${texts.length} texts`,
        'malformed',
      );
    }
    const dimensions = data[0]?.embedding?.length ?? 0;
    return data.map((item) => {
      if (
        !Array.isArray(item.embedding) ||
        item.embedding.length === 0 ||
        item.embedding.length !== dimensions
      ) {
        throw new EmbedderError(
          'The embedding provider returned vectors of differing or no dimensions',
          'malformed',
        );
      }
      return denseVector(item.embedding);
    });
  }
}

/** Provider errors without their request details (which may carry the key or user text). */
function translateError(error: unknown): EmbedderError {
  const failure = providerFailure(error, 'embedding provider');
  return failure
    ? new EmbedderError(failure.message, failure.reason, {
        // What the client's own retries tried again, the retry policy does.
        retryable: failure.transient,
        retryAfterMs: failure.retryAfterMs,
      })
    : new EmbedderError('The embedding provider call failed', 'unavailable', { retryable: false });
}
