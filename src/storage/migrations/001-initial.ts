import { type Kysely, sql } from 'kysely';
import { autoNumberedKey, bytesType } from './column-types.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('conversations')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('session_id', 'text', (column) => column.notNull())
    .addColumn('user_message', 'text', (column) => column.notNull())
    .addColumn('ai_response', 'text', (column) => column.notNull())
    .addColumn('model_used', 'text', (column) => column.notNull())
    .addColumn('answer_source', 'text', (column) => column.notNull())
    .addColumn('response_time_ms', 'double precision', (column) => column.notNull())
    .addColumn('similar_found', 'integer', (column) => column.notNull())
    .addColumn('rating', 'integer')
    .addColumn('feedback_text', 'text')
    .addColumn('rated_at', 'text')
    .addColumn('created_at', 'text', (column) => column.notNull())
    .addColumn('updated_at', 'text', (column) => column.notNull())
    .execute();
  await db.schema.createIndex('conversations_created_at').on('conversations').column('created_at').execute();
  await db.schema.createIndex('conversations_session_id').on('conversations').column('session_id').execute();
  await db.schema
    .createIndex('conversations_rating')
    .on('conversations')
    .columns(['rating', 'created_at'])
    .execute();

  await db.schema
    .createTable('feedback')
    .addColumn('id', 'integer', autoNumberedKey(db))
    .addColumn('conversation_id', 'text', (column) =>
      column.notNull().references('conversations.id').onDelete('cascade'),
    )
    .addColumn('rating', 'integer', (column) => column.notNull().check(sql`rating between 1 and 5`))
    .addColumn('comment', 'text')
    .addColumn('created_at', 'text', (column) => column.notNull())
    .execute();
  await db.schema.createIndex('feedback_conversation_id').on('feedback').column('conversation_id').execute();

  await db.schema
    .createTable('embeddings')
    .addColumn('owner_kind', 'text', (column) => column.notNull())
    .addColumn('owner_id', 'text', (column) => column.notNull())
    .addColumn('embedder', 'text', (column) => column.notNull())
    .addColumn('vector', bytesType(db), (column) => column.notNull())
    .addColumn('created_at', 'text', (column) => column.notNull())
    .addPrimaryKeyConstraint('embeddings_pk', ['owner_kind', 'owner_id', 'embedder'])
    .execute();

  await db.schema
    .createTable('status_checks')
    .addColumn('sequence', 'integer', autoNumberedKey(db))
    .addColumn('id', 'text', (column) => column.notNull().unique())
    .addColumn('client_name', 'text', (column) => column.notNull())
    .addColumn('created_at', 'text', (column) => column.notNull())
    .execute();

  await db.schema
    .createTable('service_state')
    .addColumn('key', 'text', (column) => column.primaryKey())
    .addColumn('value', 'text', (column) => column.notNull())
    .addColumn('updated_at', 'text', (column) => column.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['service_state', 'status_checks', 'embeddings', 'feedback', 'conversations']) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
