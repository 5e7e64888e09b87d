import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';

const BACKFILL_PAGE = 1000;

export async function up(db: Kysely<unknown>): Promise<void> {
  const conversations = db.schema.alterTable('conversations');
  // The curated answer served as it is in this conversation: its ratings decide whether it is demoted.
  await conversations.addColumn('curated_answer_id', 'text').execute();
  // Groups conversations that gave the same answer: its ratings decide whether it is promoted.
  await db.schema.alterTable('conversations').addColumn('answer_key', 'text').execute();
  await db.schema
    .createIndex('conversations_curated_answer')
    .on('conversations')
    .column('curated_answer_id')
    .execute();
  await db.schema.createIndex('conversations_answer_key').on('conversations').column('answer_key').execute();

  const curated = db.schema.alterTable('curated_answers');
  await curated.addColumn('status_reason', 'text').execute();
  await db.schema.alterTable('curated_answers').addColumn('status_changed_at', 'text').execute();
  await db.schema.alterTable('curated_answers').addColumn('source_answer_key', 'text').execute();
  // One promotion per answer, even when several replicas run the learning pass.
  await db.schema
    .createIndex('curated_answers_source_answer_key')
    .on('curated_answers')
    .column('source_answer_key')
    .unique()
    .execute();

  // Rows written before this migration get their answer key here, page by page.
  const typed = db as Kysely<{
    conversations: { id: string; ai_response: string; answer_key: string | null };
  }>;
  for (;;) {
    const page = await typed
      .selectFrom('conversations')
      .select(['id', 'ai_response'])
      .where('answer_key', 'is', null)
      .limit(BACKFILL_PAGE)
      .execute();
    if (page.length === 0) break;
    for (const row of page) {
      await typed
        .updateTable('conversations')
        .set({ answer_key: answerKey(row.ai_response) })
        .where('id', '=', row.id)
        .execute();
    }
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('curated_answers_source_answer_key').ifExists().execute();
  await db.schema.alterTable('curated_answers').dropColumn('source_answer_key').execute();
  await db.schema.alterTable('curated_answers').dropColumn('status_changed_at').execute();
  await db.schema.alterTable('curated_answers').dropColumn('status_reason').execute();
  await db.schema.dropIndex('conversations_answer_key').ifExists().execute();
  await db.schema.dropIndex('conversations_curated_answer').ifExists().execute();
  await db.schema.alterTable('conversations').dropColumn('answer_key').execute();
  await db.schema.alterTable('conversations').dropColumn('curated_answer_id').execute();
}

/**
 * The answer key as this migration gave it to the conversations stored before it (a hash of the answer's
 * text, case and runs of whitespace ignored), frozen here: conversations/answer-key.ts may change, this may not.
 */
function answerKey(answer: string): string {
  const normalized = answer.trim().replace(/\s+/g, ' ').toLowerCase();
  return createHash('sha256').update(normalized).digest('hex').slice(0, 32);
}
