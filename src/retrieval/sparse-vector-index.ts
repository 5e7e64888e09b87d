import type { SparseVector } from './sparse-vector.js';
import { VectorArena } from './vector-arena.js';

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
  /** The best `limit` items scoring at least `minScore`, best first (ties: the earlier added first). */
  search(query: SparseVector, limit: number, minScore: number, excludeId?: string): ScoredItem[];
}

/** The items holding one feature, with their weights, and what the feature weighs in this index. */
interface Posting {
  slots: Int32Array;
  /** The item's weight of the feature, as embedded. */
  values: Float32Array;
  /** values / the item's norm: what the scan adds up, without a look-up per entry. */
  shares: Float32Array;
  length: number;
  /** Rarity weight (IDF), fixed between two refreshes so that every score uses one weighting. */
  rarity: number;
  /** max over items of value / norm: bounds what this feature can add to any item's score. */
  maxShare: number;
}

/** Refresh rarity weights and norms when the collection has changed by this share since the last time. */
const REFRESH_DRIFT = 0.1;
/** Candidates completed early, while lists are still being scanned, to raise the top-k floor. */
const SEED_CANDIDATES = 16;
/** Absorbs rounding (partial scores are float32), so that no bound cuts off an item that reaches the floor. */
const BOUND_SLACK = 1e-5;

/**
 * An inverted index with cosine similarity over rarity-weighted (IDF) features, exact and pruned.
 *
 * Pruning follows MaxScore: order the query's features by the most each can add to any score (its share
 * of the unit query vector times the largest normalised weight in its posting list). The cheapest prefix
 * whose bound stays below the current floor cannot lift an item to the floor on its own, so only the
 * remaining features' posting lists are scanned for candidates. The bound of a prefix is the smaller of
 * the sum of its features' bounds and, by Cauchy–Schwarz, the length of its part of the query vector.
 * The floor starts at `minScore` and rises to the k-th best exact score found so far: candidates from the
 * rarest feature are scored first, and the rest are scored best-first until none can reach the floor.
 * A search therefore reads a few short posting lists, not every item.
 *
 * Rarity weights and item norms are recomputed together whenever the collection has changed by a tenth,
 * so that all scores are true cosines in one weighting and the bounds hold exactly.
 */
export class SparseVectorIndex implements VectorIndex {
  private readonly slotById = new Map<string, number>();
  private ids: (string | undefined)[] = [];
  private readonly vectors = new VectorArena();
  private norms = new Float64Array(1024);
  /** Partial scores of one search, zero between searches; float32 keeps it small enough for the cache. */
  private scores = new Float32Array(1024);
  /** The slots a search has given a partial score. */
  private touched = new Int32Array(1024);
  private readonly freeSlots: number[] = [];
  private readonly postings = new Map<number, Posting>();
  private count = 0;
  private changesSinceRefresh = 0;

  get size(): number {
    return this.count;
  }

  has(id: string): boolean {
    return this.slotById.has(id);
  }

  upsert(id: string, vector: SparseVector): void {
    this.insert(id, vector);
    if (!this.refreshIfDrifted()) this.settleNorm(this.slotById.get(id) as number);
  }

  /** Loads many items at once (start-up), computing weights and norms once at the end. */
  load(items: Iterable<{ id: string; vector: SparseVector }>): void {
    for (const item of items) this.insert(item.id, item.vector);
    this.refresh();
  }

  remove(id: string): boolean {
    const slot = this.slotById.get(id);
    if (slot === undefined) return false;
    const { start, length } = this.vectors.rangeOf(slot);
    for (let offset = start; offset < start + length; offset++) {
      this.removePosting(this.vectors.features[offset] as number, slot);
    }
    this.vectors.release(slot);
    this.slotById.delete(id);
    this.ids[slot] = undefined;
    this.freeSlots.push(slot);
    this.count--;
    this.changesSinceRefresh++;
    this.refreshIfDrifted();
    return true;
  }

  search(query: SparseVector, limit: number, minScore: number, excludeId?: string): ScoredItem[] {
    if (this.count === 0 || limit <= 0) return [];
    const plan = this.planQuery(query);
    if (plan === undefined) return [];
    const { postings, features, factors, prefixBounds } = plan;
    const excludedSlot = excludeId === undefined ? -1 : (this.slotById.get(excludeId) ?? -1);
    const best: Ranked[] = [];
    let floor = minScore;
    // Features [0, unscanned) have not been scanned: together they add at most prefixBounds[unscanned].
    let unscanned = postings.length;

    /** Completes a candidate's partial score feature by feature, dropping it once it cannot reach the floor. */
    const refine = (slot: number, partial: number): void => {
      if (slot === excludedSlot || isRanked(best, slot)) return;
      let score = partial;
      for (let rank = unscanned - 1; rank >= 0; rank--) {
        if (score + (prefixBounds[rank + 1] as number) + BOUND_SLACK < floor) return;
        score += (factors[rank] as number) * this.shareOf(slot, features[rank] as number);
      }
      if (score + BOUND_SLACK < floor) return;
      // Recomputed in double precision: the partial scores were summed in float32.
      score = this.exactScore(slot, query, plan.queryFactors);
      if (score < floor) return;
      insertRanked(best, { slot, score }, limit);
      if (best.length === limit) floor = Math.max(minScore, (best[limit - 1] as Ranked).score);
    };
    /** Features [0, cut) cannot lift an item to the floor on their own: their lists need no scan. */
    const cut = (): number => {
      let first = 0;
      while (first < postings.length && (prefixBounds[first + 1] as number) + BOUND_SLACK < floor) first++;
      return first;
    };

    const { scores, touched } = this;
    let touchedCount = 0;
    let touchedAtLastSeeding = 0;
    while (unscanned > cut()) {
      unscanned--;
      const { slots, shares, length } = postings[unscanned] as Posting;
      const factor = factors[unscanned] as number;
      for (let entry = 0; entry < length; entry++) {
        const slot = slots[entry] as number;
        if (scores[slot] === 0) touched[touchedCount++] = slot;
        scores[slot] = (scores[slot] as number) + factor * (shares[entry] as number);
      }
      if (touchedCount >= 2 * touchedAtLastSeeding) {
        // Complete the strongest candidates so far: a higher floor early leaves fewer lists to scan.
        // Seeding only when the candidates have doubled bounds its total cost.
        touchedAtLastSeeding = touchedCount;
        for (const slot of strongest(touched, touchedCount, scores, SEED_CANDIDATES)) {
          refine(slot, scores[slot] as number);
        }
      }
    }
    for (let rank = 0; rank < touchedCount; rank++) {
      const slot = touched[rank] as number;
      refine(slot, scores[slot] as number);
      scores[slot] = 0;
    }
    return best.map(({ slot, score }) => ({ id: this.ids[slot] as string, score: Math.min(score, 1) }));
  }

  /** An item's normalised weight of a feature (binary search in its sorted features); 0 when absent. */
  private shareOf(slot: number, feature: number): number {
    const { features, values } = this.vectors;
    let low = this.vectors.startOf(slot);
    let high = low + this.vectors.lengthOf(slot) - 1;
    while (low <= high) {
      const middle = (low + high) >>> 1;
      const held = features[middle] as number;
      if (held === feature) return (values[middle] as number) / (this.norms[slot] as number);
      if (held < feature) low = middle + 1;
      else high = middle - 1;
    }
    return 0;
  }

  /**
   * The query's features present in the index, ordered by the most each can add to a score, with the
   * bound of every prefix of that order; undefined when the query shares no feature with the index.
   */
  private planQuery(query: SparseVector): QueryPlan | undefined {
    const featureCount = query.indices.length;
    const queryFactors = new Float64Array(featureCount);
    let squares = 0;
    const present: { posting: Posting; position: number; weight: number }[] = [];
    const absentRarity = Math.log(1 + (this.count + 1));
    for (let position = 0; position < featureCount; position++) {
      const posting = this.postings.get(query.indices[position] as number);
      const weight = (query.values[position] as number) * (posting ? posting.rarity : absentRarity);
      squares += weight * weight;
      if (posting) present.push({ posting, position, weight });
    }
    const queryNorm = Math.sqrt(squares);
    if (present.length === 0 || queryNorm === 0) return undefined;
    const ordered = present
      .map(({ posting, position, weight }) => {
        const share = weight / queryNorm;
        const factor = share * posting.rarity;
        queryFactors[position] = factor;
        const feature = query.indices[position] as number;
        return { posting, feature, share, factor, bound: Math.min(share, factor * posting.maxShare) };
      })
      .sort((left, right) => left.bound - right.bound);
    const prefixBounds = new Float64Array(ordered.length + 1);
    let boundSum = 0;
    let shareSquares = 0;
    ordered.forEach((feature, rank) => {
      boundSum += feature.bound;
      shareSquares += feature.share * feature.share;
      prefixBounds[rank + 1] = Math.min(boundSum, Math.sqrt(shareSquares));
    });
    return {
      postings: ordered.map((feature) => feature.posting),
      features: ordered.map((feature) => feature.feature),
      factors: ordered.map((feature) => feature.factor),
      prefixBounds,
      queryFactors,
    };
  }

  /** Cosine of an item with the query: a merge of two sorted feature lists. */
  private exactScore(slot: number, query: SparseVector, queryFactors: Float64Array): number {
    const { features, values } = this.vectors;
    const queryFeatures = query.indices;
    const queryLength = queryFeatures.length;
    let offset = this.vectors.startOf(slot);
    const end = offset + this.vectors.lengthOf(slot);
    let position = 0;
    let dot = 0;
    while (position < queryLength && offset < end) {
      const wanted = queryFeatures[position] as number;
      const held = features[offset] as number;
      if (wanted === held) {
        dot += (queryFactors[position] as number) * (values[offset] as number);
        position++;
        offset++;
      } else if (wanted < held) {
        position++;
      } else {
        offset++;
      }
    }
    return dot / (this.norms[slot] as number);
  }

  private insert(id: string, vector: SparseVector): void {
    this.remove(id);
    const slot = this.freeSlots.pop() ?? this.ids.length;
    this.ensureCapacity(slot + 1);
    this.ids[slot] = id;
    this.vectors.store(slot, vector);
    this.slotById.set(id, slot);
    this.count++;
    this.changesSinceRefresh++;
    for (let position = 0; position < vector.indices.length; position++) {
      this.addPosting(vector.indices[position] as number, slot, vector.values[position] as number);
    }
  }

  /** The norm of a newly added item under the current weights, and its effect on the feature bounds. */
  private settleNorm(slot: number): void {
    const norm = this.weightedNorm(slot);
    this.norms[slot] = norm;
    const { start, length } = this.vectors.rangeOf(slot);
    for (let offset = start; offset < start + length; offset++) {
      const posting = this.postings.get(this.vectors.features[offset] as number) as Posting;
      // The item was just appended: its entry is the last one.
      const entry = posting.slots.lastIndexOf(slot, posting.length - 1);
      const share = (posting.values[entry] as number) / norm;
      posting.shares[entry] = share;
      posting.maxShare = Math.max(posting.maxShare, share);
    }
  }

  private weightedNorm(slot: number): number {
    const { features, values } = this.vectors;
    const { start, length } = this.vectors.rangeOf(slot);
    let squares = 0;
    for (let offset = start; offset < start + length; offset++) {
      const weight =
        (values[offset] as number) * (this.postings.get(features[offset] as number) as Posting).rarity;
      squares += weight * weight;
    }
    return Math.sqrt(squares) || 1;
  }

  /**
   * Rarity shifts as items come and go; recomputing all weights, norms and bounds once the collection
   * has changed by a tenth keeps rarity current at amortised constant cost per change.
   */
  private refreshIfDrifted(): boolean {
    if (this.changesSinceRefresh <= Math.max(1, (this.count - this.changesSinceRefresh) * REFRESH_DRIFT)) {
      return false;
    }
    this.refresh();
    return true;
  }

  private refresh(): void {
    this.changesSinceRefresh = 0;
    for (const posting of this.postings.values()) {
      posting.rarity = Math.log(1 + (this.count + 1) / (posting.length + 1));
      posting.maxShare = 0;
    }
    for (let slot = 0; slot < this.ids.length; slot++) {
      if (this.ids[slot] !== undefined) this.norms[slot] = this.weightedNorm(slot);
    }
    for (const posting of this.postings.values()) {
      const { slots, values, shares, length } = posting;
      let maxShare = 0;
      for (let entry = 0; entry < length; entry++) {
        const share = (values[entry] as number) / (this.norms[slots[entry] as number] as number);
        shares[entry] = share;
        if (share > maxShare) maxShare = share;
      }
      posting.maxShare = maxShare;
    }
  }

  private ensureCapacity(slots: number): void {
    if (slots <= this.norms.length) return;
    let capacity = this.norms.length;
    while (capacity < slots) capacity *= 2;
    const norms = new Float64Array(capacity);
    norms.set(this.norms);
    this.norms = norms;
    this.scores = new Float32Array(capacity);
    this.touched = new Int32Array(capacity);
  }

  private addPosting(feature: number, slot: number, value: number): void {
    let posting = this.postings.get(feature);
    if (!posting) {
      posting = {
        slots: new Int32Array(2),
        values: new Float32Array(2),
        shares: new Float32Array(2),
        length: 0,
        // A feature new since the last refresh is as rare as can be until the next one.
        rarity: Math.log(1 + (this.count + 1) / 2),
        maxShare: 0,
      };
      this.postings.set(feature, posting);
    }
    if (posting.length === posting.slots.length) {
      const slots = new Int32Array(posting.length * 2);
      slots.set(posting.slots);
      const values = new Float32Array(posting.length * 2);
      values.set(posting.values);
      const shares = new Float32Array(posting.length * 2);
      shares.set(posting.shares);
      posting.slots = slots;
      posting.values = values;
      posting.shares = shares;
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
      posting.shares[entry] = posting.shares[last] as number;
      posting.length--;
      break;
    }
    if (posting.length === 0) this.postings.delete(feature);
  }
}

interface QueryPlan {
  /** Posting lists of the query's features, by ascending bound. */
  postings: Posting[];
  /** The features themselves, in the same order. */
  features: number[];
  /** What an item's normalised weight is multiplied by to give the feature's part of the score. */
  factors: number[];
  /** prefixBounds[k]: the most the first k features together can add to any score. */
  prefixBounds: Float64Array;
  /** The factors again, by the query's own feature order (for exact scoring). */
  queryFactors: Float64Array;
}

interface Ranked {
  slot: number;
  score: number;
}

/** Ranks by score, then by slot, so that equal scores come out in a stable order. */
function insertRanked(best: Ranked[], item: Ranked, limit: number): void {
  let position = best.length;
  while (position > 0) {
    const above = best[position - 1] as Ranked;
    if (above.score > item.score || (above.score === item.score && above.slot < item.slot)) break;
    position--;
  }
  if (position >= limit) return;
  best.splice(position, 0, item);
  if (best.length > limit) best.pop();
}

function isRanked(best: readonly Ranked[], slot: number): boolean {
  for (const ranked of best) if (ranked.slot === slot) return true;
  return false;
}

/** The `count` slots with the highest partial scores, in one pass. */
function strongest(slots: Int32Array, slotCount: number, scores: Float32Array, count: number): number[] {
  const chosen: number[] = [];
  for (let rank = 0; rank < slotCount; rank++) {
    const slot = slots[rank] as number;
    const score = scores[slot] as number;
    let position = chosen.length;
    while (position > 0 && (scores[chosen[position - 1] as number] as number) < score) position--;
    if (position >= count) continue;
    chosen.splice(position, 0, slot);
    if (chosen.length > count) chosen.pop();
  }
  return chosen;
}
