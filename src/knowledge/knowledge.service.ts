import { createHash } from 'node:crypto';
import { AppError } from '../platform/errors.js';
import type { JobRunner } from '../platform/job-runner.js';
import type { Embedder } from '../retrieval/embedder.js';
import { createInProcessIndex, type InProcessIndex } from '../retrieval/in-process-index.js';
import { decodeSparseVector, encodeSparseVector, type SparseVector } from '../retrieval/sparse-vector.js';
import type { IndexItem } from '../retrieval/vector-index.js';
import { type ChangeFeed, LocalChangeFeed } from '../storage/change-feed.js';
import { timeOrderedId } from '../storage/time-ordered-id.js';
import type {
  KnowledgeChunk,
  KnowledgeDocument,
  KnowledgeStore,
  NewKnowledgeChunk,
  StoredKnowledgeChunk,
} from './knowledge.store.js';
import {
  chunkDocument,
  type DocumentChunk,
  type KnowledgeFormat,
  normalizeContent,
} from './knowledge-chunker.js';

/** The largest document (its UTF-8 bytes) the knowledge base takes. */
export const MAX_DOCUMENT_BYTES = 2 * 1024 * 1024;

export interface KnowledgeImport {
  title: string;
  format: KnowledgeFormat;
  content: string;
  sourceName: string | null;
}

export interface ImportResult {
  document: KnowledgeDocument;
  /** The same content was imported before: `document` is that one, and nothing was added. */
  duplicate: boolean;
}

export interface KnowledgeMatch {
  chunk: KnowledgeChunk;
  score: number;
}

export interface KnowledgeSyncReport {
  documents: number;
  chunks: number;
  /** Chunks whose stored vector came from another embedder (or could not be read), embedded again. */
  reembedded: number;
  /** Such chunks left to embed in the background (at start-up). */
  pending?: number;
}

export interface KnowledgeSettings {
  /** SIMILARITY_THRESHOLD: the lowest score of a match, as for the other sources. */
  similarityThreshold: number;
  /** KNOWLEDGE_CHUNK_SIZE: the most characters of one chunk of a Markdown or text document. */
  chunkSize: number;
  /**
   * Whether this replica embeds again, for all, the chunks another embedder made (it holds the embeddings
   * lease); the others index what is current and wait for its vectors. Always, by default.
   */
  reembedsForAll?: () => boolean;
}

/** What a chunk is called where it is shown: its headings, else its document's title. */
export function chunkHeading(chunk: Pick<KnowledgeChunk, 'title' | 'documentTitle'>): string {
  return chunk.title === '' ? chunk.documentTitle : chunk.title;
}

/** What is embedded: a Q&A pair by its question (as curated answers are), text with its headings. */
function embeddingText(chunk: Pick<DocumentChunk, 'title' | 'text' | 'question'>, documentTitle: string) {
  return chunk.question ?? `${chunk.title === '' ? documentTitle : chunk.title}\n${chunk.text}`;
}

/**
 * The knowledge base: company documents and Q&A lists, chunked, embedded and stored; the chunks are
 * indexed in memory in this thread (like curated answers: thousands, not millions). The index follows
 * storage: documents imported or deleted by another process (the import-knowledge command) are picked
 * up by refresh().
 */
export class KnowledgeService {
  private readonly index: InProcessIndex;
  /** Indexed documents with their chunks' ids. */
  private readonly indexed = new Map<string, string[]>();
  private loadedRevision: string | undefined;
  /** Documents indexed without their chunks that still need embedding again. */
  private readonly partlyIndexed = new Set<string>();
  /** Changes of the index run one at a time, in the order they were asked for. */
  private queue: Promise<unknown> = Promise.resolve();
  private jobs: Pick<JobRunner, 'register' | 'trigger'> | undefined;
  private stopped = false;

  constructor(
    private readonly store: KnowledgeStore,
    private readonly embedder: Embedder,
    private readonly settings: KnowledgeSettings,
    /** Tells the other replicas to refresh their knowledge index. */
    private readonly changes: ChangeFeed = new LocalChangeFeed(),
  ) {
    this.index = createInProcessIndex(embedder.vectorKind);
  }

  get indexedChunks(): number {
    return this.index.size;
  }

  /**
   * Indexes the chunks whose stored vectors the current embedder made, and returns; the others (after a
   * change of embedder) are embedded again in the background, while answers come from what is indexed.
   * Then looks for changes made by other processes every `intervalMs` (the runner's job
   * `knowledge-refresh`); `knowledge-sync` syncs on demand.
   */
  async start(
    jobs: Pick<JobRunner, 'register' | 'trigger'>,
    intervalMs: number,
    onError: (error: unknown) => void,
  ): Promise<KnowledgeSyncReport> {
    const report = await this.serially(() => this.indexStored(false));
    jobs.register({
      name: 'knowledge-refresh',
      schedule: { everyMs: intervalMs },
      work: () => this.refresh(),
      onError,
    });
    jobs.register({ name: 'knowledge-sync', work: () => this.sync(), onError });
    this.jobs = jobs;
    if ((report.pending ?? 0) > 0) void this.requestSync();
    return report;
  }

  /** Runs sync() as a background job (once started; before, the start indexes what is stored). */
  requestSync(): Promise<void> {
    return this.jobs?.trigger('knowledge-sync') ?? Promise.resolve();
  }

  /** Runs refresh() as a background job (once started). */
  requestRefresh(): Promise<void> {
    return this.jobs?.trigger('knowledge-refresh') ?? Promise.resolve();
  }

  /** Stops changing the index and waits for the change in progress (the job runner stops first). */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.queue.catch(() => undefined);
  }

  /** Chunks, stores and indexes a document; the same content again reports the stored document. */
  async import(input: KnowledgeImport): Promise<ImportResult> {
    const content = normalizeContent(input.content);
    const byteSize = Buffer.byteLength(content, 'utf8');
    if (byteSize > MAX_DOCUMENT_BYTES) {
      throw new AppError(
        'payload_too_large',
        `Документ слишком большой: ${byteSize} байт, а можно не больше ${MAX_DOCUMENT_BYTES} (2 МБ). Разделите его на части.`,
      );
    }
    const contentHash = createHash('sha256').update(content, 'utf8').digest('hex');
    const existing = await this.store.findByHash(contentHash);
    if (existing) return { document: existing, duplicate: true };
    const chunks = chunkDocument(input.format, content, this.settings.chunkSize);
    if (chunks.length === 0)
      throw new AppError('invalid_input', 'В документе нет текста, который можно найти.');
    const vectors = await this.embedAll(chunks.map((chunk) => embeddingText(chunk, input.title)));
    const document: KnowledgeDocument = {
      id: timeOrderedId(),
      title: input.title,
      format: input.format,
      sourceName: input.sourceName,
      contentHash,
      chunkCount: chunks.length,
      byteSize,
      createdAt: new Date().toISOString(),
    };
    const rows: NewKnowledgeChunk[] = chunks.map((chunk, position) => ({
      id: timeOrderedId(),
      position,
      ...chunk,
      vector: encodeSparseVector(vectors[position] as SparseVector),
      embedder: this.embedder.id,
    }));
    const imported = await this.serially(async () => {
      if (!(await this.store.insert(document, rows))) {
        // Imported meanwhile by another request or process.
        return { document: (await this.store.findByHash(contentHash)) as KnowledgeDocument, duplicate: true };
      }
      this.addToIndex(
        document.id,
        rows.map((row, position) => ({ id: row.id, vector: vectors[position] as SparseVector })),
      );
      return { document, duplicate: false };
    });
    if (!imported.duplicate) await this.changes.announce('knowledge');
    return imported;
  }

  list(): Promise<KnowledgeDocument[]> {
    return this.store.list();
  }

  async get(id: string): Promise<{ document: KnowledgeDocument; chunks: KnowledgeChunk[] } | undefined> {
    const document = await this.store.get(id);
    return document && { document, chunks: await this.store.chunksOf(id) };
  }

  /** Deletes a document and its chunks; false when there is no such document. */
  async delete(id: string): Promise<boolean> {
    const deleted = await this.serially(async () => {
      const removed = await this.store.delete(id);
      this.removeFromIndex(id);
      return removed;
    });
    if (deleted) await this.changes.announce('knowledge');
    return deleted;
  }

  /** Chunks matching the question at or above the similarity threshold, best first. */
  async search(vector: SparseVector, limit: number): Promise<KnowledgeMatch[]> {
    const hits = this.index.search(vector, limit, this.settings.similarityThreshold);
    if (hits.length === 0) return [];
    const byId = new Map(
      (await this.store.findChunks(hits.map((hit) => hit.id))).map((row) => [row.id, row]),
    );
    const matches: KnowledgeMatch[] = [];
    for (const hit of hits) {
      // A chunk deleted by another process since the last refresh is no longer stored.
      const chunk = byId.get(hit.id);
      if (chunk) matches.push({ chunk, score: hit.score });
    }
    return matches;
  }

  /** Syncs the index when documents were added or deleted since it was last synced. */
  async refresh(): Promise<KnowledgeSyncReport | undefined> {
    if (this.stopped) return undefined;
    const revision = await this.store.revision();
    // Stopped meanwhile: the database may be closing.
    // Unchanged, and nothing left to embed again (a background pass may have failed on the embedder).
    if (this.stopped || (revision === this.loadedRevision && this.partlyIndexed.size === 0)) return undefined;
    return this.sync();
  }

  /**
   * Brings the index in line with storage: indexes the documents it lacks, re-embedding chunks whose
   * vectors another embedder made, and drops the documents no longer stored.
   */
  async sync(): Promise<KnowledgeSyncReport> {
    const reembed = this.settings.reembedsForAll?.() ?? true;
    const report = await this.serially(() => this.indexStored(reembed));
    // The other replicas index the new vectors instead of making them again.
    if (report.reembedded > 0) await this.changes.announce('knowledge');
    return report;
  }

  /** sync() itself; without `reembed`, documents with stale chunks are indexed in part and left pending. */
  private async indexStored(reembed: boolean): Promise<KnowledgeSyncReport> {
    const revision = await this.store.revision();
    const stored = new Set(await this.store.documentIds());
    for (const id of [...this.indexed.keys()]) if (!stored.has(id)) this.removeFromIndex(id);
    let reembedded = 0;
    let pending = 0;
    for (const id of stored) {
      if (this.indexed.has(id) && !this.partlyIndexed.has(id)) continue;
      const chunks = await this.store.storedChunksOf(id);
      const { items, stale } = this.decodeCurrent(chunks);
      if (!reembed && stale.length > 0) {
        pending += stale.length;
        this.addToIndex(id, items);
        this.partlyIndexed.add(id);
        continue;
      }
      reembedded += stale.length;
      for (let start = 0; start < stale.length; start += this.embedder.maxBatchSize) {
        const batch = stale.slice(start, start + this.embedder.maxBatchSize);
        const vectors = await this.embedder.embed(
          batch.map((chunk) => embeddingText(chunk, chunk.documentTitle)),
        );
        const fresh = batch.map((chunk, position) => ({
          id: chunk.id,
          vector: vectors[position] as SparseVector,
        }));
        await this.store.saveVectors(
          fresh.map((item) => ({ id: item.id, vector: encodeSparseVector(item.vector) })),
          this.embedder.id,
        );
        items.push(...fresh);
      }
      this.addToIndex(id, items);
      this.partlyIndexed.delete(id);
    }
    this.loadedRevision = revision;
    return {
      documents: this.indexed.size,
      chunks: this.index.size,
      reembedded,
      ...(reembed ? {} : { pending }),
    };
  }

  /** Stored vectors from the current embedder, decoded; the other chunks are to be embedded again. */
  private decodeCurrent(chunks: readonly StoredKnowledgeChunk[]) {
    const items: IndexItem[] = [];
    const stale: StoredKnowledgeChunk[] = [];
    for (const chunk of chunks) {
      if (chunk.embedder !== this.embedder.id) {
        stale.push(chunk);
        continue;
      }
      try {
        items.push({ id: chunk.id, vector: decodeSparseVector(chunk.vector) });
      } catch {
        stale.push(chunk);
      }
    }
    return { items, stale };
  }

  private async embedAll(texts: readonly string[]): Promise<SparseVector[]> {
    const vectors: SparseVector[] = [];
    for (let start = 0; start < texts.length; start += this.embedder.maxBatchSize) {
      vectors.push(...(await this.embedder.embed(texts.slice(start, start + this.embedder.maxBatchSize))));
    }
    return vectors;
  }

  private addToIndex(documentId: string, items: readonly IndexItem[]): void {
    this.removeFromIndex(documentId);
    // One load is far cheaper than an upsert per chunk for a large document.
    this.index.load(items);
    this.indexed.set(
      documentId,
      items.map((item) => item.id),
    );
  }

  private removeFromIndex(documentId: string): void {
    for (const id of this.indexed.get(documentId) ?? []) this.index.remove(id);
    this.indexed.delete(documentId);
    this.partlyIndexed.delete(documentId);
  }

  private serially<T>(work: () => Promise<T>): Promise<T> {
    const result = this.queue.then(work, work);
    this.queue = result.catch(() => undefined);
    return result;
  }
}
