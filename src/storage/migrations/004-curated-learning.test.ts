import path from 'node:path';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { temporaryDirectory } from '../../../test/helpers/test-service.js';
import { answerKey } from '../../conversations/answer-key.js';
import { type Database, migrateToLatest, migrateUpTo, openDatabase } from '../database.js';

describe('migration 004-curated-learning', () => {
  let database: Database | undefined;
  afterEach(async () => {
    await database?.close();
  });

  it('gives conversations stored before it their answer key', async () => {
    database = openDatabase({
      kind: 'sqlite',
      file: path.join(temporaryDirectory('vasdom-migration-'), 'old.sqlite'),
      synchronous: 'NORMAL',
    });
    await migrateUpTo(database.db, '003-corrections');
    const answers = Array.from({ length: 2500 }, (_, index) => `Ответ   номер ${index % 7}`);
    await sql`insert into conversations (id, session_id, user_message, ai_response, model_used, answer_source,
      response_time_ms, similar_found, created_at, updated_at)
      values ${sql.join(
        answers.map(
          (answer, index) =>
            sql`(${`c${index}`}, 's', 'вопрос', ${answer}, 'fallback', 'fallback', 1, 0, '2026-01-01', '2026-01-01')`,
        ),
      )}`.execute(database.db);

    expect((await migrateToLatest(database.db)).applied).toContain('004-curated-learning');
    const rows = await database.db
      .selectFrom('conversations')
      .select(['ai_response', 'answer_key', 'curated_answer_id'])
      .execute();
    expect(rows).toHaveLength(answers.length);
    for (const row of rows) {
      expect(row.answer_key).toBe(answerKey(row.ai_response));
      expect(row.curated_answer_id).toBeNull();
    }
    // Case and runs of whitespace do not make another answer.
    expect(answerKey(' ответ номер 1 ')).toBe(answerKey('Ответ   номер 1'));
  });
});
