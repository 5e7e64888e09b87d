import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  const columns: [string, 'text' | 'integer'][] = [
    // The system prompt template the LLM answered with (name@version#hash).
    ['prompt_version', 'text'],
    ['prompt_tokens', 'integer'],
    ['completion_tokens', 'integer'],
    // Why the LLM did not answer when it was asked (timeout, unavailable, circuit_open…).
    ['llm_failure', 'text'],
  ];
  for (const [name, type] of columns) {
    await db.schema.alterTable('conversations').addColumn(name, type).execute();
  }
  // 1: the client went away while the answer was streamed; the text is what had been written by then.
  await db.schema
    .alterTable('conversations')
    .addColumn('interrupted', 'integer', (column) => column.notNull().defaultTo(0))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const name of ['interrupted', 'llm_failure', 'completion_tokens', 'prompt_tokens', 'prompt_version']) {
    await db.schema.alterTable('conversations').dropColumn(name).execute();
  }
}
