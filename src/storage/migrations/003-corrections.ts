import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('conversations').addColumn('corrected_answer', 'text').execute();
  await db.schema.alterTable('conversations').addColumn('corrected_at', 'text').execute();
  // The conversation a curated answer was made from by a correction: correcting it again updates that answer.
  await db.schema.alterTable('curated_answers').addColumn('source_conversation_id', 'text').execute();
  await db.schema
    .createIndex('curated_answers_source_conversation')
    .on('curated_answers')
    .column('source_conversation_id')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('curated_answers_source_conversation').ifExists().execute();
  await db.schema.alterTable('curated_answers').dropColumn('source_conversation_id').execute();
  await db.schema.alterTable('conversations').dropColumn('corrected_at').execute();
  await db.schema.alterTable('conversations').dropColumn('corrected_answer').execute();
}
