import { type SparseVector, weightOf } from './sparse-vector.js';

export interface ScoredItem {
  id: string;
  score: number;
}

/** A nearest-neighbour index kept in memory, fed incrementally and rebuilt from storage at start-up. */
export interface VectorIndex {
  readonly size: number;
  upsert(id: string, vector: SparseVector): void;
  /** Adds many items at once (start-up); cheaper than one upsert each. */
  load(items: Iterable<{ id: string; vector: SparseVector }>): void;
  remove(id: string): boolean;
  has(id: string): boolean;
  /** The best `limit` items scoring at least `minScore`, best first. */
  search(query: SparseVector, limit: number, minScore: number, excludeId?: string): ScoredItem[];
}

interface Posting {
  slots: Int32Array;
  values: Float32Array;
  length: number;
}

/** Recompute document norms when the collection has grown or shrunk by this share since the last time. */
const NORM_REFRESH_DRIFT = 0.1;

/**
 * An inverted index with cosine similarity over rarity-weighted (IDF) features.
 *
 * Search follows the MaxScore idea: a feature can add at most its own share of the unit query vector to
 * any score, so the common features whose shares together stay below the threshold cannot make an item
 * similar on their own. Only the posting lists of the remaining (rare) features are scanned for
 * candidates; candidates are then scored exactly. The cost therefore follows the lengths of a few short
 * posting lists, not the number of items stored.
 */
export class SparseVectorIndex implements VectorIndex {
  private readonly slotById = new Map<string, number>();
  private ids: (string | undefined)[] = [];
  private vectors: (SparseVector | undefined)[] = [];
  private norms = new Float64Array(1024);
  private scores = new Float64Array(1024);
  private readonly freeSlots: number[] = [];
  private readonly postings = new Map<number, Posting>();
  private count = 0;
  private countAtNormRefresh = 0;

  get size(): number {
    return this.count;
  }

  has(id: string): boolean {
    return this.slotById.has(id);
  }

  upsert(id: string, vector: SparseVector): void {
    this.insert(id, vector);
    this.refreshNormsIfDrifted();
  }

  /** Loads many items at once (start-up), computing every norm once at the end. */
  load(items: Iterable<{ id: string; vector: SparseVector }>): void {
    for (const item of items) this.insert(item.id, item.vector);
    this.refreshNorms();
  }

  private insert(id: string, vector: SparseVector): void {
    this.remove(id);
    const slot = this.freeSlots.pop() ?? this.ids.length;
    this.ensureCapacity(slot + 1);
    this.ids[slot] = id;
    this.vectors[slot] = vector;
    this.slotById.set(id, slot);
    this.count++;
    for (let position = 0; position < vector.indices.length; position++) {
      this.addPosting(vector.indices[position] as number, slot, vector.values[position] as number);
    }
    this.norms[slot] = this.weightedNorm(vector);
  }

  remove(id: string): boolean {
    const slot = this.slotById.get(id);
    if (slot === undefined) return false;
    const vector = this.vectors[slot] as SparseVector;
    for (const feature of vector.indices) this.removePosting(feature, slot);
    this.slotById.delete(id);
    this.ids[slot] = undefined;
    this.vectors[slot] = undefined;
    this.freeSlots.push(slot);
    this.count--;
    this.refreshNormsIfDrifted();
    return true;
  }

  search(query: SparseVector, limit: number, minScore: number, excludeId?: string): ScoredItem[] {
    if (this.count === 0 || limit <= 0) return [];
    const featureCount = query.indices.length;
    // Query weights: term weight × rarity, normalised to unit length.
    const weights = new Float64Array(featureCount);
    const rarity = new Float64Array(featureCount);
    let squares = 0;
    for (let position = 0; position < featureCount; position++) {
      rarity[position] = this.inverseDocumentFrequency(query.indices[position] as number);
      const weight = (query.values[position] as number) * (rarity[position] as number);
      weights[position] = weight;
      squares += weight * weight;
    }
    const queryNorm = Math.sqrt(squares);
    if (queryNorm === 0) return [];

    // Features present in the index, cheapest-to-skip first (smallest share of the query).
    const present: number[] = [];
    for (let position = 0; position < featureCount; position++) {
      if (this.postings.has(query.indices[position] as number)) present.push(position);
    }
    present.sort((left, right) => (weights[left] as number) - (weights[right] as number));
    let skippedShare = 0;
    let firstEssential = 0;
    while (firstEssential < present.length) {
      const share = (weights[present[firstEssential] as number] as number) / queryNorm;
      if (skippedShare + share >= minScore) break;
      skippedShare += share;
      firstEssential++;
    }

    const touched: number[] = [];
    const scores = this.scores;
    for (let rank = firstEssential; rank < present.length; rank++) {
      const position = present[rank] as number;
      const posting = this.postings.get(query.indices[position] as number) as Posting;
      const factor = ((weights[position] as number) * (rarity[position] as number)) / queryNorm;
      const { slots, values, length } = posting;
      for (let entry = 0; entry < length; entry++) {
        const slot = slots[entry] as number;
        if (scores[slot] === 0) touched.push(slot);
        scores[slot] =
          (scores[slot] as number) + (factor * (values[entry] as number)) / (this.norms[slot] as number);
      }
    }

    const best: ScoredItem[] = [];
    let floor = minScore;
    for (const slot of touched) {
      let score = scores[slot] as number;
      scores[slot] = 0;
      if (score + skippedShare < floor) continue;
      const id = this.ids[slot] as string;
      if (id === excludeId) continue;
      const vector = this.vectors[slot] as SparseVector;
      const norm = this.norms[slot] as number;
      for (let rank = 0; rank < firstEssential; rank++) {
        const position = present[rank] as number;
        const value = weightOf(vector, query.indices[position] as number);
        if (value !== 0) {
          score +=
            ((weights[position] as number) * (rarity[position] as number) * value) / (queryNorm * norm);
        }
      }
      if (score < floor) continue;
      insertRanked(best, { id, score: Math.min(score, 1) }, limit);
      if (best.length === limit) floor = Math.max(minScore, (best[limit - 1] as ScoredItem).score);
    }
    return best;
  }

  /** Smoothed IDF; a feature no item has is the rarest of all. */
  private inverseDocumentFrequency(feature: number): number {
    const documentFrequency = this.postings.get(feature)?.length ?? 0;
    return Math.log(1 + (this.count + 1) / (documentFrequency + 1));
  }

  private weightedNorm(vector: SparseVector): number {
    let squares = 0;
    for (let position = 0; position < vector.indices.length; position++) {
      const weight =
        (vector.values[position] as number) *
        this.inverseDocumentFrequency(vector.indices[position] as number);
      squares += weight * weight;
    }
    return Math.sqrt(squares) || 1;
  }

  /**
   * Norms depend on rarity, which shifts as items come and go; refreshing them all whenever the size has
   * drifted by a tenth keeps scores true to within a few percent at amortised constant cost per change.
   */
  private refreshNormsIfDrifted(): void {
    const drift = Math.abs(this.count - this.countAtNormRefresh);
    if (drift > Math.max(1, this.countAtNormRefresh * NORM_REFRESH_DRIFT)) this.refreshNorms();
  }

  private refreshNorms(): void {
    this.countAtNormRefresh = this.count;
    for (let slot = 0; slot < this.vectors.length; slot++) {
      const vector = this.vectors[slot];
      if (vector) this.norms[slot] = this.weightedNorm(vector);
    }
  }

  private ensureCapacity(slots: number): void {
    if (slots <= this.norms.length) return;
    let capacity = this.norms.length;
    while (capacity < slots) capacity *= 2;
    const norms = new Float64Array(capacity);
    norms.set(this.norms);
    this.norms = norms;
    this.scores = new Float64Array(capacity);
  }

  private addPosting(feature: number, slot: number, value: number): void {
    let posting = this.postings.get(feature);
    if (!posting) {
      posting = { slots: new Int32Array(4), values: new Float32Array(4), length: 0 };
      this.postings.set(feature, posting);
    }
    if (posting.length === posting.slots.length) {
      const slots = new Int32Array(posting.length * 2);
      slots.set(posting.slots);
      const values = new Float32Array(posting.length * 2);
      values.set(posting.values);
      posting.slots = slots;
      posting.values = values;
    }
    posting.slots[posting.length] = slot;
    posting.values[posting.length] = value;
    posting.length++;
  }

  private removePosting(feature: number, slot: number): void {
    const posting = this.postings.get(feature);
    if (!posting) return;
    const last = posting.length - 1;
    for (let entry = 0; entry <= last; entry++) {
      if (posting.slots[entry] !== slot) continue;
      posting.slots[entry] = posting.slots[last] as number;
      posting.values[entry] = posting.values[last] as number;
      posting.length--;
      break;
    }
    if (posting.length === 0) this.postings.delete(feature);
  }
}

function insertRanked(best: ScoredItem[], item: ScoredItem, limit: number): void {
  let position = best.length;
  while (position > 0 && (best[position - 1] as ScoredItem).score < item.score) position--;
  if (position >= limit) return;
  best.splice(position, 0, item);
  if (best.length > limit) best.pop();
}
