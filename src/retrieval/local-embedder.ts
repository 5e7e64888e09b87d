import type { Embedder } from './embedder.js';
import { BUILT_IN_LEXICON_PATH, Lexicon, type LexiconGroup } from './lexicon.js';
import { isStopWord, stem, tokenize } from './russian-text.js';
import { type SparseVector, sparseVectorFromWeights } from './sparse-vector.js';

/** Relative weights of the features a text is made of. */
export interface LocalEmbedderWeights {
  /** A lexicon group the text names, by any of its words or phrases. */
  group: number;
  /** A group reached through a misspelt word. */
  misspeltGroup: number;
  /** The stem of a word the lexicon knows (its group carries most of its meaning). */
  knownStem: number;
  /** The stem of a word the lexicon does not know. */
  stem: number;
  /** Each character trigram of an unknown word's stem, so that typos still share most features. */
  trigram: number;
  number: number;
}

export const DEFAULT_WEIGHTS: LocalEmbedderWeights = {
  group: 1,
  misspeltGroup: 0.5,
  knownStem: 0.5,
  stem: 0.7,
  trigram: 0.1,
  number: 0.8,
};

/**
 * A stable feature id for a feature string: 32-bit FNV-1a, its lowest bit set for the character trigrams
 * and cleared for the terms (groups, stems, numbers), so that a vector's terms can be told from it alone.
 */
function featureId(feature: string, trigram: boolean): number {
  let hash = 0x811c9dc5;
  for (let position = 0; position < feature.length; position++) {
    hash ^= feature.charCodeAt(position);
    hash = Math.imul(hash, 0x01000193);
  }
  return (trigram ? hash | 1 : hash & ~1) >>> 0;
}

/** The terms of a vector of the local embedder: its features that are not character trigrams. */
export function termsOf(vector: SparseVector): Uint32Array {
  return vector.indices.filter((feature) => (feature & 1) === 0);
}

/** Distinct words whose stems are remembered; the memory is dropped as a whole when full. */
const WORD_CACHE_SIZE = 50_000;

/**
 * The built-in embedder: no download, no model. A text becomes a bag of features: the lexicon's groups
 * its words and phrases name (so "персонал" meets "сотрудники" and "сколько стоит" meets "цена"), the
 * Russian stems of its content words (so word forms match), and for words the lexicon does not know the
 * character trigrams of their stems (so typos still share most features). Word order and punctuation do
 * not matter. Vectors are unit length; the index weighs features by their rarity.
 */
export class LocalEmbedder implements Embedder {
  readonly id: string;
  readonly maxBatchSize = 1024;
  readonly vectorKind = 'sparse';
  private readonly stems = new Map<string, string>();
  private readonly misspelt = new Map<string, readonly LexiconGroup[] | undefined>();

  constructor(
    private readonly lexicon: Lexicon = Lexicon.fromFile(BUILT_IN_LEXICON_PATH),
    private readonly weights: LocalEmbedderWeights = DEFAULT_WEIGHTS,
  ) {
    this.id = `local-ru-v2-${lexicon.fingerprint}`;
  }

  embedOne(text: string): SparseVector {
    const features = new Map<number, number>();
    const add = (feature: string, weight: number) => {
      const id = featureId(feature, feature.startsWith('g:'));
      features.set(id, (features.get(id) ?? 0) + weight);
    };
    const tokens = tokenize(text);
    const stems = tokens.map((token) => this.stemOf(token));
    const { weights } = this;
    for (let position = 0; position < tokens.length; ) {
      const token = tokens[position] as string;
      const match = this.lexicon.match(stems, position);
      if (match) {
        for (const group of match.groups) add(`c:${group.name}`, weights.group * group.weight);
        if (match.groups.length > 0) {
          for (let offset = position; offset < position + match.length; offset++) {
            if (!isStopWord(tokens[offset] as string)) add(`s:${stems[offset]}`, weights.knownStem);
          }
        }
        position += match.length;
        continue;
      }
      position++;
      if (isStopWord(token)) continue;
      if (/^\p{N}+$/u.test(token)) {
        add(`n:${token}`, weights.number);
        continue;
      }
      const wordStem = stems[position - 1] as string;
      add(`s:${wordStem}`, weights.stem);
      for (const group of this.misspeltGroups(wordStem) ?? []) {
        add(`c:${group.name}`, weights.misspeltGroup * group.weight);
      }
      const padded = `<${wordStem}>`;
      for (let start = 0; start + 3 <= padded.length; start++) {
        add(`g:${padded.slice(start, start + 3)}`, weights.trigram);
      }
    }
    return sparseVectorFromWeights(features);
  }

  async embed(texts: readonly string[]): Promise<SparseVector[]> {
    return texts.map((text) => this.embedOne(text));
  }

  /** Stemming dominates the cost, so each word's stem is remembered. */
  private stemOf(token: string): string {
    let wordStem = this.stems.get(token);
    if (wordStem === undefined) {
      if (this.stems.size >= WORD_CACHE_SIZE) this.stems.clear();
      wordStem = stem(token);
      this.stems.set(token, wordStem);
    }
    return wordStem;
  }

  private misspeltGroups(wordStem: string): readonly LexiconGroup[] | undefined {
    if (this.misspelt.has(wordStem)) return this.misspelt.get(wordStem);
    if (this.misspelt.size >= WORD_CACHE_SIZE) this.misspelt.clear();
    const groups = this.lexicon.closestWord(wordStem);
    this.misspelt.set(wordStem, groups);
    return groups;
  }
}
