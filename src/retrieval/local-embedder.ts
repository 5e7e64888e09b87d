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

function add(weights: Map<number, number>, feature: string, weight: number): void {
  const id = featureId(feature);
  weights.set(id, (weights.get(id) ?? 0) + weight);
}

/**
 * The built-in embedder: no download, no model. Each content word contributes its Russian stem (so word
 * forms match) and the character trigrams of that stem (so typos still share most features); word order
 * and punctuation do not matter. Vectors are unit length; the index weighs features by their rarity.
 */
export class LocalEmbedder implements Embedder {
  readonly id = 'local-ru-v1';
  readonly maxBatchSize = 1024;

  embedOne(text: string): SparseVector {
    const weights = new Map<number, number>();
    for (const token of tokenize(text)) {
      if (isStopWord(token)) continue;
      if (/^\p{N}+$/u.test(token)) {
        add(weights, `n:${token}`, NUMBER_WEIGHT);
        continue;
      }
      const wordStem = stem(token);
      add(weights, `s:${wordStem}`, STEM_WEIGHT);
      const padded = `<${wordStem}>`;
      for (let start = 0; start + 3 <= padded.length; start++) {
        add(weights, `g:${padded.slice(start, start + 3)}`, TRIGRAM_WEIGHT);
      }
    }
    return sparseVectorFromWeights(weights);
  }

  async embed(texts: readonly string[]): Promise<SparseVector[]> {
    return texts.map((text) => this.embedOne(text));
  }
}
