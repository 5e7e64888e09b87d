import { type Kysely, sql } from 'kysely';

/**
 * Most conversations are never rated and never served a curated answer, yet every one of them was entered
 * into the indexes that only rated or curated-served conversations are looked up by: a random page of
 * the answer-key index written with every question. These indexes now hold only the rows they serve;
 * the queries that use them say so (a rating compared with a value, or `rating is not null`).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('conversations_answer_key').execute();
  await db.schema
    .createIndex('conversations_answer_key')
    .on('conversations')
    .column('answer_key')
    .where(sql.ref('rating'), 'is not', null)
    .execute();
  await db.schema.dropIndex('conversations_rating').execute();
  await db.schema
    .createIndex('conversations_rating')
    .on('conversations')
    .columns(['rating', 'created_at'])
    .where(sql.ref('rating'), 'is not', null)
    .execute();
  await db.schema.dropIndex('conversations_curated_answer').execute();
  await db.schema
    .createIndex('conversations_curated_answer')
    .on('conversations')
    .column('curated_answer_id')
    .where('curated_answer_id', 'is not', null)
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const name of ['conversations_answer_key', 'conversations_rating', 'conversations_curated_answer']) {
    await db.schema.dropIndex(name).execute();
  }
  await db.schema.createIndex('conversations_answer_key').on('conversations').column('answer_key').execute();
  await db.schema
    .createIndex('conversations_rating')
    .on('conversations')
    .columns(['rating', 'created_at'])
    .execute();
  await db.schema
    .createIndex('conversations_curated_answer')
    .on('conversations')
    .column('curated_answer_id')
    .execute();
}
