import { hasMember, PostingList } from './posting-list.js';
import { planQuery, type QueryPlan } from './query-plan.js';
import { insertRanked, isRanked, type Ranked, strongest } from './ranking.js';
import type { SparseVector } from './sparse-vector.js';
import { doubledCapacity, resized } from './typed-arrays.js';
import { VectorArena } from './vector-arena.js';
import type { IndexItem, ScoredItem } from './vector-index.js';

/** Re-weigh everything when the collection has changed by this share since the last time. */
const REFRESH_DRIFT = 0.1;
/** Candidates completed early, while lists are still being scanned, to raise the top-k floor. */
const SEED_CANDIDATES = 16;
/** A feature held by at least this share of the slots gets a membership bitset (then smaller than its list). */
const MEMBERSHIP_SHARE = 1 / 256;
const MEMBERSHIP_MIN_LENGTH = 64;
/** Absorbs rounding (partial scores are float32), so that no bound cuts off an item that reaches the floor. */
const BOUND_SLACK = 1e-5;

/**
 * An inverted index with cosine similarity over rarity-weighted (IDF) features. Searches are exact: they
 * return what scoring every item would, while reading only a small part of the index.
 *
 * Pruning follows MaxScore. The query's features are ordered by the most each can add to a score (see
 * planQuery); the longest prefix whose joint bound stays below the floor cannot lift an item to the floor
 * on its own, so only the remaining (rare) features' posting lists are scanned for candidates. The floor
 * starts at `minScore` and rises to the k-th best exact score found: the strongest candidates are
 * completed early, which shrinks the set of lists still to scan. Each candidate is then completed: the
 * unscanned features it lacks are ruled out by membership bits, largest first, until the candidate cannot
 * reach the floor, and the few that still can are scored exactly from their stored vectors.
 *
 * Rarity weights, item norms and shares are recomputed together whenever the collection has changed by a
 * tenth, so that all scores are true cosines in one weighting and the bounds hold exactly. The rebuild
 * also renumbers the items, grouped by their rarest feature, and lays the posting lists out compactly in
 * that order.
 */
export class SparseVectorIndex {
  private readonly slotById = new Map<string, number>();
  private ids: (string | undefined)[] = [];
  private readonly vectors = new VectorArena();
  private norms = new Float64Array(1024);
  /** Partial scores of one search, zero between searches; float32 keeps them small enough for the cache. */
  private scores = new Float32Array(1024);
  /** The slots a search has given a partial score. */
  private touched = new Int32Array(1024);
  private readonly freeSlots: number[] = [];
  private readonly postings = new Map<number, PostingList>();
  private count = 0;
  private changesSinceRefresh = 0;

  get size(): number {
    return this.count;
  }

  upsert(id: string, vector: SparseVector): void {
    const slot = this.store(id, vector);
    if (!this.refreshIfDrifted()) this.post(slot);
  }

  /** Adds many items at once, far cheaper than one upsert each. */
  load(items: Iterable<IndexItem>): void {
    this.stage(items);
    this.refresh();
  }

  /** Stores items without posting them: they are found after the next refresh(). */
  stage(items: Iterable<IndexItem>): void {
    for (const item of items) this.store(item.id, item.vector);
  }

  remove(id: string): boolean {
    const slot = this.slotById.get(id);
    if (slot === undefined) return false;
    const { features } = this.vectors;
    const start = this.vectors.startOf(slot);
    const end = this.vectors.endOf(slot);
    for (let offset = start; offset < end; offset++) {
      const feature = features[offset] as number;
      const posting = this.postings.get(feature);
      if (!posting) continue;
      posting.remove(slot);
      if (posting.length === 0) this.postings.delete(feature);
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

  /** The best `limit` items scoring at least `minScore`, best first (equal scores: the lower slot first). */
  search(query: SparseVector, limit: number, minScore: number, excludeId?: string): ScoredItem[] {
    if (this.count === 0 || limit <= 0) return [];
    const plan = planQuery(query, (feature) => this.postings.get(feature), this.rarityOf(0));
    if (plan === undefined) return [];
    const best = new TopKSearch(this, plan, query, limit, minScore, excludeId).run();
    return best.map(({ slot, score }) => ({ id: this.ids[slot] as string, score: Math.min(score, 1) }));
  }

  /** Exposed to TopKSearch: the working arrays and exact scoring. */
  get workspace(): { scores: Float32Array; touched: Int32Array } {
    return { scores: this.scores, touched: this.touched };
  }

  slotOf(id: string): number | undefined {
    return this.slotById.get(id);
  }

  /** Cosine of an item with the query: a merge of two sorted feature lists. */
  exactScore(slot: number, query: SparseVector, queryFactors: Float64Array): number {
    const { features, values } = this.vectors;
    const queryFeatures = query.indices;
    const queryLength = queryFeatures.length;
    let offset = this.vectors.startOf(slot);
    const end = this.vectors.endOf(slot);
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

  /** Smoothed IDF of a feature held by `documentFrequency` items. */
  private rarityOf(documentFrequency: number): number {
    return Math.log(1 + (this.count + 1) / (documentFrequency + 1));
  }

  /** Puts an item's vector in a slot; its posting entries come from post() or the next refresh. */
  private store(id: string, vector: SparseVector): number {
    this.remove(id);
    const slot = this.freeSlots.pop() ?? this.ids.length;
    this.ensureCapacity(slot + 1);
    this.ids[slot] = id;
    this.vectors.store(slot, vector);
    this.slotById.set(id, slot);
    this.count++;
    this.changesSinceRefresh++;
    return slot;
  }

  /** Adds a stored item to the posting lists under the current weights. */
  private post(slot: number): void {
    const { features } = this.vectors;
    const start = this.vectors.startOf(slot);
    const end = this.vectors.endOf(slot);
    for (let offset = start; offset < end; offset++) {
      const feature = features[offset] as number;
      if (!this.postings.has(feature)) {
        // A feature new since the last refresh counts as held by one item until the next one.
        this.postings.set(feature, new PostingList(this.rarityOf(1)));
      }
    }
    const norm = this.weightedNorm(slot);
    this.norms[slot] = norm;
    const membershipLength = this.membershipLength();
    for (let offset = start; offset < end; offset++) {
      const posting = this.postings.get(features[offset] as number) as PostingList;
      posting.append(slot, (this.vectors.values[offset] as number) / norm);
      if (!posting.members && posting.length >= membershipLength) {
        posting.trackMembers(this.norms.length);
      }
    }
  }

  private weightedNorm(slot: number): number {
    const { features, values } = this.vectors;
    const start = this.vectors.startOf(slot);
    const end = this.vectors.endOf(slot);
    let squares = 0;
    for (let offset = start; offset < end; offset++) {
      const weight =
        (values[offset] as number) * (this.postings.get(features[offset] as number) as PostingList).rarity;
      squares += weight * weight;
    }
    return Math.sqrt(squares) || 1;
  }

  /**
   * Rarity shifts as items come and go; re-weighing everything once the collection has changed by a
   * tenth keeps rarity current at amortised constant cost per change.
   */
  private refreshIfDrifted(): boolean {
    if (this.changesSinceRefresh <= Math.max(1, (this.count - this.changesSinceRefresh) * REFRESH_DRIFT)) {
      return false;
    }
    this.refresh();
    return true;
  }

  /**
   * Recomputes rarity, norms and shares from the stored vectors and rebuilds every posting list. Items are
   * renumbered on the way, grouped by their rarest feature: the items a search touches through a rare
   * feature's list then sit side by side, and their scores, norms and vectors are read from nearby memory.
   */
  refresh(): void {
    this.changesSinceRefresh = 0;
    const liveSlots: number[] = [];
    for (let slot = 0; slot < this.ids.length; slot++) if (this.ids[slot] !== undefined) liveSlots.push(slot);
    const frequency = this.documentFrequencies(liveSlots);
    this.renumber(this.groupedByRarestFeature(liveSlots, frequency));
    const { features, values } = this.vectors;
    const count = this.count;

    const membershipLength = this.membershipLength();
    for (const [feature, posting] of this.postings) {
      if (!frequency.has(feature)) this.postings.delete(feature);
      else posting.members = undefined;
    }
    for (const [feature, documentFrequency] of frequency) {
      let posting = this.postings.get(feature);
      if (!posting) {
        posting = new PostingList(0, documentFrequency);
        this.postings.set(feature, posting);
      }
      posting.rarity = this.rarityOf(documentFrequency);
      // A little room to grow before the next refresh.
      posting.reset(documentFrequency + Math.ceil(documentFrequency / 8) + 1);
    }

    for (let slot = 0; slot < count; slot++) this.norms[slot] = this.weightedNorm(slot);
    for (let slot = 0; slot < count; slot++) {
      const norm = this.norms[slot] as number;
      const start = this.vectors.startOf(slot);
      const end = this.vectors.endOf(slot);
      for (let offset = start; offset < end; offset++) {
        const posting = this.postings.get(features[offset] as number) as PostingList;
        posting.append(slot, (values[offset] as number) / norm);
      }
    }
    for (const posting of this.postings.values()) {
      if (posting.length >= membershipLength) posting.trackMembers(this.norms.length);
    }
  }

  /** How many of the items hold each feature. */
  private documentFrequencies(slots: readonly number[]): Map<number, number> {
    const { features } = this.vectors;
    const frequency = new Map<number, number>();
    for (const slot of slots) {
      const end = this.vectors.endOf(slot);
      for (let offset = this.vectors.startOf(slot); offset < end; offset++) {
        const feature = features[offset] as number;
        frequency.set(feature, (frequency.get(feature) ?? 0) + 1);
      }
    }
    return frequency;
  }

  /** The slots ordered by their rarest feature (the lowest id among equally rare ones), then as they were. */
  private groupedByRarestFeature(slots: readonly number[], frequency: Map<number, number>): Int32Array {
    const { features } = this.vectors;
    const rarest = new Float64Array(this.ids.length);
    for (const slot of slots) {
      let chosen = -1;
      let chosenFrequency = Number.POSITIVE_INFINITY;
      const end = this.vectors.endOf(slot);
      for (let offset = this.vectors.startOf(slot); offset < end; offset++) {
        const feature = features[offset] as number;
        const held = frequency.get(feature) as number;
        if (held < chosenFrequency || (held === chosenFrequency && feature < chosen)) {
          chosen = feature;
          chosenFrequency = held;
        }
      }
      rarest[slot] = chosen;
    }
    return Int32Array.from(slots).sort(
      (left, right) => (rarest[left] as number) - (rarest[right] as number) || left - right,
    );
  }

  /** Moves the item in slot order[i] to slot i, packing the items into the first slots. */
  private renumber(order: Int32Array): void {
    this.vectors.reorder(order);
    const ids = Array.from(order, (slot) => this.ids[slot] as string);
    this.ids = ids;
    this.slotById.clear();
    for (const [slot, id] of ids.entries()) this.slotById.set(id, slot);
    this.freeSlots.length = 0;
  }

  /** How long a posting list must be to get a membership bitset. */
  private membershipLength(): number {
    return Math.max(MEMBERSHIP_MIN_LENGTH, this.norms.length * MEMBERSHIP_SHARE);
  }

  private ensureCapacity(slots: number): void {
    if (slots <= this.norms.length) return;
    const capacity = doubledCapacity(this.norms.length, slots);
    this.norms = resized(this.norms, capacity);
    this.scores = new Float32Array(capacity);
    this.touched = new Int32Array(capacity);
    for (const posting of this.postings.values()) {
      if (posting.members) posting.trackMembers(capacity);
    }
  }
}

/** One top-k search over the index (see SparseVectorIndex for the method). */
class TopKSearch {
  private readonly best: Ranked[] = [];
  private floor: number;
  /** Features [0, unscanned) of the plan have not been scanned. */
  private unscanned: number;
  private readonly excludedSlot: number;

  constructor(
    private readonly index: SparseVectorIndex,
    private readonly plan: QueryPlan,
    private readonly query: SparseVector,
    private readonly limit: number,
    private readonly minScore: number,
    excludeId: string | undefined,
  ) {
    this.floor = minScore;
    this.unscanned = plan.postings.length;
    this.excludedSlot = excludeId === undefined ? -1 : (index.slotOf(excludeId) ?? -1);
  }

  run(): Ranked[] {
    const { postings, factors } = this.plan;
    const { scores, touched } = this.index.workspace;
    let touchedCount = 0;
    let touchedAtLastSeeding = 0;
    while (this.unscanned > this.firstWorthScanning()) {
      this.unscanned--;
      const { slots, shares, length } = postings[this.unscanned] as PostingList;
      const factor = factors[this.unscanned] as number;
      for (let entry = 0; entry < length; entry++) {
        const slot = slots[entry] as number;
        if (scores[slot] === 0) touched[touchedCount++] = slot;
        scores[slot] = (scores[slot] as number) + factor * (shares[entry] as number);
      }
      if (touchedCount >= 2 * touchedAtLastSeeding) {
        // Seeding only when the candidates have doubled bounds its total cost.
        touchedAtLastSeeding = touchedCount;
        for (const slot of strongest(touched, touchedCount, scores, SEED_CANDIDATES)) {
          this.complete(slot, scores[slot] as number);
        }
      }
    }
    for (let rank = 0; rank < touchedCount; rank++) {
      const slot = touched[rank] as number;
      this.complete(slot, scores[slot] as number);
      scores[slot] = 0;
    }
    return this.best;
  }

  /** Features before this one cannot lift an item to the floor on their own: their lists need no scan. */
  private firstWorthScanning(): number {
    const { prefixBounds } = this.plan;
    let first = 0;
    while (
      first < prefixBounds.length - 1 &&
      (prefixBounds[first + 1] as number) + BOUND_SLACK < this.floor
    ) {
      first++;
    }
    return first;
  }

  /** Completes a candidate from its partial score over the scanned features. */
  private complete(slot: number, partial: number): void {
    if (slot === this.excludedSlot || isRanked(this.best, slot)) return;
    const { memberships, bounds, shares, prefixSums, prefixSquares, prefixBounds } = this.plan;
    const unscanned = this.unscanned;
    if (partial + (prefixBounds[unscanned] as number) + BOUND_SLACK < this.floor) return;
    // Rule out the unscanned features the item lacks, largest first, while it can still reach the floor.
    let boundSum = prefixSums[unscanned] as number;
    let shareSquares = prefixSquares[unscanned] as number;
    for (let rank = unscanned - 1; rank >= 0; rank--) {
      const members = memberships[rank];
      if (members === undefined || hasMember(members, slot)) continue;
      boundSum -= bounds[rank] as number;
      shareSquares -= (shares[rank] as number) ** 2;
      const possible = Math.min(boundSum, Math.sqrt(Math.max(0, shareSquares)));
      if (partial + possible + BOUND_SLACK < this.floor) return;
    }
    const score = this.index.exactScore(slot, this.query, this.plan.queryFactors);
    if (score < this.floor) return;
    insertRanked(this.best, { slot, score }, this.limit);
    if (this.best.length === this.limit) {
      this.floor = Math.max(this.minScore, (this.best[this.limit - 1] as Ranked).score);
    }
  }
}
