import type { Kysely, Selectable } from 'kysely';
import type { DatabaseSchema, KnowledgeChunkTable, KnowledgeDocumentTable } from '../storage/tables.js';

export interface KnowledgeDocument {
  id: string;
  title: string;
  format: KnowledgeDocumentTable['format'];
  sourceName: string | null;
  contentHash: string;
  chunkCount: number;
  byteSize: number;
  createdAt: string;
}

export interface KnowledgeChunk {
  id: string;
  documentId: string;
  documentTitle: string;
  position: number;
  title: string;
  text: string;
  question: string | null;
  answer: string | null;
}

/** A chunk as it is stored for the index: its vector encoded, with the embedder that made it. */
export interface StoredKnowledgeChunk extends KnowledgeChunk {
  vector: Buffer;
  embedder: string;
}

export type NewKnowledgeChunk = Omit<KnowledgeChunkTable, 'document_id'>;

/** Chunk rows per INSERT statement, well below SQLite's limit of bound parameters. */
const INSERT_BATCH = 500;

function documentFromRow(row: Selectable<KnowledgeDocumentTable>): KnowledgeDocument {
  return {
    id: row.id,
    title: row.title,
    format: row.format,
    sourceName: row.source_name,
    contentHash: row.content_hash,
    chunkCount: row.chunk_count,
    byteSize: row.byte_size,
    createdAt: row.created_at,
  };
}

const CHUNK_COLUMNS = [
  'knowledge_chunks.id as id',
  'knowledge_chunks.document_id as documentId',
  'knowledge_documents.title as documentTitle',
  'knowledge_chunks.position as position',
  'knowledge_chunks.title as title',
  'knowledge_chunks.text as text',
  'knowledge_chunks.question as question',
  'knowledge_chunks.answer as answer',
] as const;

/** SQL for the knowledge base: documents and their chunks. */
export class KnowledgeStore {
  constructor(private readonly db: Kysely<DatabaseSchema>) {}

  async list(): Promise<KnowledgeDocument[]> {
    const rows = await this.db
      .selectFrom('knowledge_documents')
      .selectAll()
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map(documentFromRow);
  }

  get(id: string): Promise<KnowledgeDocument | undefined> {
    return this.findOne('id', id);
  }

  findByHash(contentHash: string): Promise<KnowledgeDocument | undefined> {
    return this.findOne('content_hash', contentHash);
  }

  private async findOne(
    column: 'id' | 'content_hash',
    value: string,
  ): Promise<KnowledgeDocument | undefined> {
    const row = await this.db
      .selectFrom('knowledge_documents')
      .selectAll()
      .where(column, '=', value)
      .executeTakeFirst();
    return row && documentFromRow(row);
  }

  /**
   * Stores a document with its chunks in one transaction; false, with nothing stored, when a document
   * with the same content hash exists (a concurrent import of the same content).
   */
  async insert(document: KnowledgeDocument, chunks: readonly NewKnowledgeChunk[]): Promise<boolean> {
    return this.db.transaction().execute(async (transaction) => {
      const inserted = await transaction
        .insertInto('knowledge_documents')
        .values({
          id: document.id,
          title: document.title,
          format: document.format,
          source_name: document.sourceName,
          content_hash: document.contentHash,
          chunk_count: document.chunkCount,
          byte_size: document.byteSize,
          created_at: document.createdAt,
        })
        .onConflict((conflict) => conflict.column('content_hash').doNothing())
        .executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) return false;
      for (let start = 0; start < chunks.length; start += INSERT_BATCH) {
        await transaction
          .insertInto('knowledge_chunks')
          .values(
            chunks
              .slice(start, start + INSERT_BATCH)
              .map((chunk) => ({ ...chunk, document_id: document.id })),
          )
          .execute();
      }
      return true;
    });
  }

  /** Deletes a document and (by cascade) its chunks; false when there is no such document. */
  async delete(id: string): Promise<boolean> {
    const result = await this.db.deleteFrom('knowledge_documents').where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async documentIds(): Promise<string[]> {
    const rows = await this.db.selectFrom('knowledge_documents').select('id').orderBy('id').execute();
    return rows.map((row) => row.id);
  }

  /** Changes whenever a document is added or deleted (ids are time-ordered), by this process or another. */
  async revision(): Promise<string> {
    const row = await this.db
      .selectFrom('knowledge_documents')
      .select(({ fn }) => [fn.countAll<number>().as('count'), fn.max('id').as('latest')])
      .executeTakeFirstOrThrow();
    return `${Number(row.count)}:${row.latest ?? ''}`;
  }

  /** A document's chunks in order, without their vectors. */
  chunksOf(documentId: string): Promise<KnowledgeChunk[]> {
    return this.db
      .selectFrom('knowledge_chunks')
      .innerJoin('knowledge_documents', 'knowledge_documents.id', 'knowledge_chunks.document_id')
      .select(CHUNK_COLUMNS)
      .where('knowledge_chunks.document_id', '=', documentId)
      .orderBy('knowledge_chunks.position')
      .execute();
  }

  /** A document's chunks in order, with their stored vectors. */
  storedChunksOf(documentId: string): Promise<StoredKnowledgeChunk[]> {
    return this.db
      .selectFrom('knowledge_chunks')
      .innerJoin('knowledge_documents', 'knowledge_documents.id', 'knowledge_chunks.document_id')
      .select([
        ...CHUNK_COLUMNS,
        'knowledge_chunks.vector as vector',
        'knowledge_chunks.embedder as embedder',
      ])
      .where('knowledge_chunks.document_id', '=', documentId)
      .orderBy('knowledge_chunks.position')
      .execute();
  }

  /** Chunks by id, in no particular order; unknown ids are left out. */
  async findChunks(ids: readonly string[]): Promise<KnowledgeChunk[]> {
    if (ids.length === 0) return [];
    return this.db
      .selectFrom('knowledge_chunks')
      .innerJoin('knowledge_documents', 'knowledge_documents.id', 'knowledge_chunks.document_id')
      .select(CHUNK_COLUMNS)
      .where('knowledge_chunks.id', 'in', ids)
      .execute();
  }

  /** Replaces chunks' vectors, made by `embedder`, in one transaction. */
  async saveVectors(rows: readonly { id: string; vector: Buffer }[], embedder: string): Promise<void> {
    await this.db.transaction().execute(async (transaction) => {
      for (const row of rows) {
        await transaction
          .updateTable('knowledge_chunks')
          .set({ vector: row.vector, embedder })
          .where('id', '=', row.id)
          .execute();
      }
    });
  }
}
