import type { Embedder } from './embedder.js';
import { isStopWord, stem, tokenize } from './russian-text.js';
import { type SparseVector, sparseVectorFromWeights } from './sparse-vector.js';

const STEM_WEIGHT = 1;
const TRIGRAM_WEIGHT = 0.35;
const NUMBER_WEIGHT = 0.8;

/** 32-bit FNV-1a: a stable feature id for a feature string. */
function featureId(feature: string): number {
  let hash = 0x811c9dc5;
  for (let position = 0; position < feature.length; position++) {
    hash ^= feature.charCodeAt(position);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** Distinct words whose features are remembered; the memory is dropped as a whole when full. */
const WORD_CACHE_SIZE = 50_000;

/** The features one word contributes, with their weights (the same feature may repeat). */
interface WordFeatures {
  ids: number[];
  weights: number[];
}

function wordFeatures(token: string): WordFeatures {
  if (/^\p{N}+$/u.test(token)) return { ids: [featureId(`n:${token}`)], weights: [NUMBER_WEIGHT] };
  const wordStem = stem(token);
  const ids = [featureId(`s:${wordStem}`)];
  const weights = [STEM_WEIGHT];
  const padded = `<${wordStem}>`;
  for (let start = 0; start + 3 <= padded.length; start++) {
    ids.push(featureId(`g:${padded.slice(start, start + 3)}`));
    weights.push(TRIGRAM_WEIGHT);
  }
  return { ids, weights };
}

/**
 * The built-in embedder: no download, no model. Each content word contributes its Russian stem (so word
 * forms match) and the character trigrams of that stem (so typos still share most features); word order
 * and punctuation do not matter. Vectors are unit length; the index weighs features by their rarity.
 * Stemming dominates the cost, so each word's features are remembered.
 */
export class LocalEmbedder implements Embedder {
  readonly id = 'local-ru-v1';
  readonly maxBatchSize = 1024;
  private readonly knownWords = new Map<string, WordFeatures>();

  embedOne(text: string): SparseVector {
    const weights = new Map<number, number>();
    for (const token of tokenize(text)) {
      if (isStopWord(token)) continue;
      const features = this.featuresOf(token);
      for (let position = 0; position < features.ids.length; position++) {
        const id = features.ids[position] as number;
        weights.set(id, (weights.get(id) ?? 0) + (features.weights[position] as number));
      }
    }
    return sparseVectorFromWeights(weights);
  }

  async embed(texts: readonly string[]): Promise<SparseVector[]> {
    return texts.map((text) => this.embedOne(text));
  }

  private featuresOf(token: string): WordFeatures {
    let features = this.knownWords.get(token);
    if (!features) {
      if (this.knownWords.size >= WORD_CACHE_SIZE) this.knownWords.clear();
      features = wordFeatures(token);
      this.knownWords.set(token, features);
    }
    return features;
  }
}
