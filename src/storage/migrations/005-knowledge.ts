import type { Kysely } from 'kysely';
import { bytesType } from './column-types.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('knowledge_documents')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('title', 'text', (column) => column.notNull())
    .addColumn('format', 'text', (column) => column.notNull())
    // Where it came from (a file name for imports from the command line), when known.
    .addColumn('source_name', 'text')
    // SHA-256 of the content with normalised line endings: the same content is stored once.
    .addColumn('content_hash', 'text', (column) => column.notNull().unique())
    .addColumn('chunk_count', 'integer', (column) => column.notNull())
    .addColumn('byte_size', 'integer', (column) => column.notNull())
    .addColumn('created_at', 'text', (column) => column.notNull())
    .execute();

  await db.schema
    .createTable('knowledge_chunks')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('document_id', 'text', (column) =>
      column.notNull().references('knowledge_documents.id').onDelete('cascade'),
    )
    .addColumn('position', 'integer', (column) => column.notNull())
    .addColumn('title', 'text', (column) => column.notNull())
    .addColumn('text', 'text', (column) => column.notNull())
    .addColumn('question', 'text')
    .addColumn('answer', 'text')
    // encodeSparseVector, as conversations' vectors in `embeddings`, tagged with the embedder.
    .addColumn('vector', bytesType(db), (column) => column.notNull())
    .addColumn('embedder', 'text', (column) => column.notNull())
    .execute();
  await db.schema
    .createIndex('knowledge_chunks_document')
    .on('knowledge_chunks')
    .columns(['document_id', 'position'])
    .unique()
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('knowledge_chunks').ifExists().execute();
  await db.schema.dropTable('knowledge_documents').ifExists().execute();
}
