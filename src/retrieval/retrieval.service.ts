import type { ConversationStore } from '../conversations/conversation.store.js';
import type { ConversationTally } from '../conversations/conversation-tally.js';
import type { Conversation } from '../storage/tables.js';
import type { Embedder } from './embedder.js';
import { decodeSparseVector, encodeSparseVector, type SparseVector } from './sparse-vector.js';
import type { IndexState, LoadReport, StoredVector, VectorIndex } from './vector-index.js';

export interface SimilarConversation {
  conversation: Conversation;
  score: number;
}

export interface RetrievalSettings {
  /** Conversations rated at least this are positive examples. */
  minRating: number;
  /** Cosine similarity at or above which a stored question counts as similar. */
  similarityThreshold: number;
}

export interface EmbeddingUpdateReport {
  processed: number;
  errors: number;
  totalFound: number;
}

/**
 * Finds rated answers to questions like a new one. The index holds the conversations rated at or above
 * the threshold; it is filled from storage at start-up and kept in step by the learning pass.
 */
export class RetrievalService {
  constructor(
    private readonly embedder: Embedder,
    private readonly index: VectorIndex,
    private readonly conversations: ConversationStore,
    private readonly tally: ConversationTally,
    readonly settings: RetrievalSettings,
  ) {}

  get embedderId(): string {
    return this.embedder.id;
  }

  get indexSize(): number {
    return this.index.size;
  }

  get indexState(): IndexState {
    return this.index.state;
  }

  loadIndex(): Promise<LoadReport> {
    return this.index.load(() => this.storedPositiveVectors());
  }

  private storedPositiveVectors(): AsyncIterable<StoredVector[]> {
    return this.conversations.positiveWithEmbeddings(this.settings.minRating, this.embedder.id);
  }

  async embed(text: string): Promise<SparseVector> {
    const [vector] = await this.embedder.embed([text]);
    return vector as SparseVector;
  }

  encode(vector: SparseVector): { embedder: string; vector: Buffer } {
    return { embedder: this.embedder.id, vector: encodeSparseVector(vector) };
  }

  /** Positive examples similar to `vector`, best first; `excludeId` leaves a conversation out. */
  async search(vector: SparseVector, limit: number, excludeId?: string): Promise<SimilarConversation[]> {
    const hits = await this.index.search(vector, limit, this.settings.similarityThreshold, excludeId);
    if (hits.length === 0) return [];
    const byId = new Map(
      (await this.conversations.findByIds(hits.map((hit) => hit.id))).map((row) => [row.id, row]),
    );
    const results: SimilarConversation[] = [];
    for (const hit of hits) {
      const conversation = byId.get(hit.id);
      // A rating lowered since the last learning pass already disqualifies the answer.
      if (conversation && (conversation.rating ?? 0) >= this.settings.minRating) {
        results.push({ conversation, score: hit.score });
      }
    }
    return results;
  }

  /** The stored vector of a conversation's question, computed and stored when missing. */
  async vectorOf(conversation: Pick<Conversation, 'id' | 'user_message'>): Promise<SparseVector> {
    const stored = await this.conversations.findEmbedding(conversation.id, this.embedder.id);
    if (stored) return decodeSparseVector(stored);
    const vector = await this.embed(conversation.user_message);
    await this.conversations.saveEmbeddings(
      [{ id: conversation.id, vector: encodeSparseVector(vector) }],
      this.embedder.id,
      new Date().toISOString(),
    );
    this.tally.vectorsStored(1);
    return vector;
  }

  /** Brings the index in line with a conversation's current rating. */
  async applyRating(
    conversation: Pick<Conversation, 'id' | 'user_message'>,
    rating: number | null,
  ): Promise<void> {
    if ((rating ?? 0) >= this.settings.minRating) {
      await this.index.upsert(conversation.id, await this.vectorOf(conversation));
    } else {
      await this.index.remove(conversation.id);
    }
  }

  /** Embeds up to `batchSize` conversations that lack a vector from the current embedder. */
  async embedMissing(batchSize: number): Promise<EmbeddingUpdateReport> {
    const totalFound = await this.countMissingVectors();
    return { ...(await this.embedBatch(batchSize)), totalFound };
  }

  /** Conversations with no vector from the current embedder (after a change of embedder: all of them). */
  countMissingVectors(): Promise<number> {
    return this.conversations.countWithoutEmbedding(this.embedder.id);
  }

  /** Embeds, stores and indexes the oldest `batchSize` conversations that lack a vector. */
  async embedBatch(batchSize: number): Promise<{ processed: number; errors: number }> {
    const batch = await this.conversations.withoutEmbedding(this.embedder.id, batchSize);
    let processed = 0;
    let errors = 0;
    for (let start = 0; start < batch.length; start += this.embedder.maxBatchSize) {
      const slice = batch.slice(start, start + this.embedder.maxBatchSize);
      try {
        const vectors = (await this.embedder.embed(slice.map((row) => row.user_message))) as SparseVector[];
        await this.conversations.saveEmbeddings(
          slice.map((row, position) => ({
            id: row.id,
            vector: encodeSparseVector(vectors[position] as SparseVector),
          })),
          this.embedder.id,
          new Date().toISOString(),
        );
        this.tally.vectorsStored(slice.length);
        for (const [position, row] of slice.entries()) {
          if ((row.rating ?? 0) >= this.settings.minRating)
            await this.index.upsert(row.id, vectors[position] as SparseVector);
        }
        processed += slice.length;
      } catch {
        errors += slice.length;
      }
    }
    return { processed, errors };
  }
}
