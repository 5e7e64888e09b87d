import { type Kysely, sql } from 'kysely';
import type { DatabaseSchema } from '../storage/tables.js';

/** How one answer, given in any number of conversations, was rated. */
export interface AnswerEvidence {
  /** The answer as it was given. */
  answer: string | undefined;
  /** Distinct sessions whose conversation with this answer is rated 5 now. */
  fiveStarSessions: number;
  /** The lowest rating any of its conversations ever got (earlier ratings included). */
  lowestRating: number | null;
  /** The questions it was rated 5 for, the first asked first. */
  questions: string[];
}

/** SQL over conversations and feedback for promoting and demoting curated answers. */
export class RatingEvidenceStore {
  constructor(private readonly db: Kysely<DatabaseSchema>) {}

  async ofAnswer(answerKey: string, questionLimit: number): Promise<AnswerEvidence> {
    const fiveStar = this.db
      .selectFrom('conversations')
      .where('answer_key', '=', answerKey)
      .where('rating', '=', 5)
      .where('answer_source', '!=', 'curated');
    const [sessions, lowest, questions] = await Promise.all([
      fiveStar
        .select([
          (eb) => eb.fn.count<number>('session_id').distinct().as('sessions'),
          (eb) => eb.fn.min('ai_response').as('answer'),
        ])
        .executeTakeFirst(),
      this.db
        .selectFrom('feedback')
        .innerJoin('conversations', 'conversations.id', 'feedback.conversation_id')
        .where('conversations.answer_key', '=', answerKey)
        // Rated conversations only: the answer-key index holds no others (and the others have no feedback).
        .where('conversations.rating', 'is not', null)
        .select((eb) => eb.fn.min<number>('feedback.rating').as('lowest'))
        .executeTakeFirst(),
      fiveStar
        .select(['user_message', (eb) => eb.fn.min('created_at').as('first_asked')])
        .groupBy('user_message')
        .orderBy('first_asked')
        .limit(questionLimit)
        .execute(),
    ]);
    return {
      answer: sessions?.answer ?? undefined,
      fiveStarSessions: Number(sessions?.sessions ?? 0),
      lowestRating: lowest?.lowest ?? null,
      questions: questions.map((row) => row.user_message),
    };
  }

  /** Ratings of the conversations a curated answer was served in, rated at or after `since`. */
  async ofCurated(curatedId: string, since: string): Promise<{ rated: number; negative: number }> {
    const row = await this.db
      .selectFrom('conversations')
      .where('curated_answer_id', '=', curatedId)
      .where('rating', 'is not', null)
      .where('rated_at', '>=', since)
      .select([
        (eb) => eb.fn.countAll<number>().as('rated'),
        sql<number>`coalesce(sum(case when rating <= 2 then 1 else 0 end), 0)`.as('negative'),
      ])
      .executeTakeFirst();
    return { rated: Number(row?.rated ?? 0), negative: Number(row?.negative ?? 0) };
  }
}
