import type { EmbedderConfig } from '../config/config.schema.js';
import { nodeHttpFetch } from '../providers/transport/node-http-fetch.js';
import type { Embedder } from './embedder.js';
import { LocalEmbedder } from './local-embedder.js';

/** The configured embedder; providers' client libraries are loaded only when chosen. */
export async function createEmbedder(config: EmbedderConfig): Promise<Embedder> {
  switch (config.provider) {
    case 'local':
      return new LocalEmbedder();
    case 'openai':
      return new (await import('./openai-embedder.js')).OpenAiEmbedder(config, nodeHttpFetch());
    case 'transformers':
      return (await import('./transformers-embedder.js')).TransformersEmbedder.load(config.modelPath);
  }
}
