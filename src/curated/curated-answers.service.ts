import { answerKey } from '../conversations/answer-key.js';
import type { Embedder } from '../retrieval/embedder.js';
import { createInProcessIndex, type InProcessIndex } from '../retrieval/in-process-index.js';
import type { SparseVector } from '../retrieval/sparse-vector.js';
import type { IndexItem } from '../retrieval/vector-index.js';
import { type ChangeFeed, LocalChangeFeed } from '../storage/change-feed.js';
import { timeOrderedId } from '../storage/time-ordered-id.js';
import type { CuratedAnswer, CuratedAnswerInput, CuratedAnswerStore } from './curated-answer.store.js';

export interface CuratedMatch {
  curated: CuratedAnswer;
  score: number;
}

/** Index ids of a curated answer's phrasings: its id and the phrasing's position. */
const phrasingId = (id: string, position: number) => `${id}#${position}`;
const curatedIdOf = (phrasing: string) => phrasing.slice(0, phrasing.lastIndexOf('#'));

/**
 * Curated answers: stored, and their active ones indexed in memory by every phrasing of their question
 * (a few hundred at most, so the index lives in this thread). A question matches a curated answer by its
 * best phrasing.
 */
export class CuratedAnswerService {
  private index: InProcessIndex;
  /** Active answers in the index, with how many phrasings each has there. */
  private readonly indexed = new Map<string, { curated: CuratedAnswer; phrasings: number }>();

  constructor(
    private readonly store: CuratedAnswerStore,
    private readonly embedder: Embedder,
    private readonly similarityThreshold: number,
    /** Tells the other replicas to load the curated answers again. */
    private readonly changes: ChangeFeed = new LocalChangeFeed(),
  ) {
    this.index = createInProcessIndex(embedder.vectorKind);
  }

  async load(): Promise<number> {
    this.index = createInProcessIndex(this.embedder.vectorKind);
    this.indexed.clear();
    const active = (await this.store.list()).filter((curated) => curated.status === 'active');
    const items: IndexItem[] = [];
    for (const curated of active) {
      const vectors = await this.embedder.embed(this.phrasingsOf(curated));
      for (const [position, vector] of vectors.entries()) {
        items.push({ id: phrasingId(curated.id, position), vector });
      }
      this.indexed.set(curated.id, { curated, phrasings: vectors.length });
    }
    this.index.load(items);
    return this.indexed.size;
  }

  /** Active curated answers matching the question at or above the similarity threshold, best first. */
  search(vector: SparseVector, limit: number): CuratedMatch[] {
    const best = new Map<string, number>();
    // Enough phrasings to fill `limit` distinct answers even when each matches by several.
    for (const hit of this.index.search(vector, limit * 8, this.similarityThreshold)) {
      const id = curatedIdOf(hit.id);
      if (!best.has(id)) best.set(id, hit.score);
    }
    const matches: CuratedMatch[] = [];
    for (const [id, score] of best) {
      const entry = this.indexed.get(id);
      if (entry) matches.push({ curated: entry.curated, score: Math.min(score, 1) });
    }
    return matches.slice(0, limit);
  }

  list(filter: Parameters<CuratedAnswerStore['list']>[0] = {}): Promise<CuratedAnswer[]> {
    return this.store.list(filter);
  }

  get(id: string): Promise<CuratedAnswer | undefined> {
    return this.store.get(id);
  }

  async create(input: CuratedAnswerInput): Promise<CuratedAnswer> {
    const curated = await this.store.create(timeOrderedId(), input, new Date().toISOString());
    await this.reindex(curated);
    await this.changes.announce('curated');
    return curated;
  }

  /**
   * Makes (or, for a conversation corrected before, updates) the curated answer of a corrected
   * conversation: its question with the corrected answer, active.
   */
  async fromCorrection(conversationId: string, question: string, answer: string): Promise<CuratedAnswer> {
    const input: CuratedAnswerInput = { question, alternatives: [], answer, status: 'active' };
    const existing = await this.store.findByConversation(conversationId);
    if (existing) {
      return (await this.update(existing.id, {
        ...input,
        alternatives: existing.alternatives,
      })) as CuratedAnswer;
    }
    const curated = await this.store.create(timeOrderedId(), input, new Date().toISOString(), {
      origin: 'correction',
      conversationId,
    });
    await this.reindex(curated);
    await this.changes.announce('curated');
    return curated;
  }

  /** Whether some curated answer, of any origin or status, already gives this answer. */
  async holdsAnswer(key: string): Promise<boolean> {
    if (await this.store.findByAnswerKey(key)) return true;
    return (await this.store.list()).some((curated) => answerKey(curated.answer) === key);
  }

  /** A curated answer made from an answer users rated highly; undefined when it exists already. */
  async promote(
    content: Pick<CuratedAnswerInput, 'question' | 'alternatives' | 'answer'>,
    promotion: { answerKey: string; reason: string },
  ): Promise<CuratedAnswer | undefined> {
    const curated = await this.store.createPromotion(
      timeOrderedId(),
      { ...content, status: 'active' },
      new Date().toISOString(),
      promotion,
    );
    if (curated) {
      await this.reindex(curated);
      await this.changes.announce('curated');
    }
    return curated;
  }

  /** Holds a curated answer back for review, saying why. */
  async demote(id: string, reason: string): Promise<void> {
    await this.store.setStatus(id, 'review', reason, new Date().toISOString());
    this.unindex(id);
    await this.changes.announce('curated');
  }

  async update(id: string, input: CuratedAnswerInput): Promise<CuratedAnswer | undefined> {
    const curated = await this.store.update(id, input, new Date().toISOString());
    if (curated) {
      await this.reindex(curated);
      await this.changes.announce('curated');
    }
    return curated;
  }

  async delete(id: string): Promise<boolean> {
    const deleted = await this.store.delete(id);
    this.unindex(id);
    if (deleted) await this.changes.announce('curated');
    return deleted;
  }

  /** Counts a question served by this answer. */
  recordHit(id: string): Promise<void> {
    return this.store.recordHit(id, new Date().toISOString());
  }

  private phrasingsOf(curated: CuratedAnswer): string[] {
    return [curated.question, ...curated.alternatives];
  }

  private async reindex(curated: CuratedAnswer): Promise<void> {
    this.unindex(curated.id);
    if (curated.status !== 'active') return;
    const vectors = await this.embedder.embed(this.phrasingsOf(curated));
    for (const [position, vector] of vectors.entries()) {
      this.index.upsert(phrasingId(curated.id, position), vector);
    }
    this.indexed.set(curated.id, { curated, phrasings: vectors.length });
  }

  private unindex(id: string): void {
    const entry = this.indexed.get(id);
    if (!entry) return;
    for (let position = 0; position < entry.phrasings; position++)
      this.index.remove(phrasingId(id, position));
    this.indexed.delete(id);
  }
}
