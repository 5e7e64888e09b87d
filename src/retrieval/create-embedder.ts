import type { EmbedderConfig } from '../config/config.schema.js';
import { ProviderResilience } from '../providers/resilience/provider-resilience.js';
import { RetryPolicy, type RetrySettings } from '../providers/resilience/retry-policy.js';
import { nodeHttpFetch } from '../providers/transport/node-http-fetch.js';
import type { Embedder } from './embedder.js';
import { LocalEmbedder } from './local-embedder.js';
import { ResilientEmbedder } from './resilient-embedder.js';

/**
 * What the client library's `maxRetries: 1` did before the retry policy took it over: one retry, after
 * about half a second, or after whatever Retry-After asks.
 */
const EMBEDDING_RETRY: RetrySettings = {
  retries: 1,
  baseDelayMs: 500,
  maxDelayMs: Number.POSITIVE_INFINITY,
};

/** The configured embedder; providers' client libraries are loaded only when chosen. */
export async function createEmbedder(config: EmbedderConfig): Promise<Embedder> {
  switch (config.provider) {
    case 'local':
      return new LocalEmbedder();
    case 'openai': {
      const { OpenAiEmbedder } = await import('./openai-embedder.js');
      return new ResilientEmbedder(
        new OpenAiEmbedder(config, nodeHttpFetch()),
        new ProviderResilience({ retry: new RetryPolicy(EMBEDDING_RETRY) }),
      );
    }
    case 'transformers':
      return (await import('./transformers-embedder.js')).TransformersEmbedder.load(config.modelPath);
  }
}
