import { type Kysely, sql } from 'kysely';
import { type ChangeFeed, LocalChangeFeed } from '../storage/change-feed.js';
import { isPostgres } from '../storage/dialect.js';
import type { DatabaseSchema } from '../storage/tables.js';

/** PostgreSQL advisory lock that puts ratings one after another (see rate()). */
const FEEDBACK_LOCK = 7_310_001;

export interface RatingChange {
  feedbackId: number;
  conversationId: string;
  rating: number;
}

export interface RatingSummary {
  total: number;
  rated: number;
  averageRating: number | null;
  positive: number;
  negative: number;
}

/** SQL for ratings: the current value on the conversation, every rating kept in `feedback`. */
export class FeedbackStore {
  constructor(
    private readonly db: Kysely<DatabaseSchema>,
    private readonly changes: ChangeFeed = new LocalChangeFeed(),
  ) {}

  /**
   * Records a rating; returns the conversation's previous rating (null: it had none), or undefined when
   * the conversation does not exist.
   */
  async rate(
    conversationId: string,
    rating: number,
    comment: string | null,
    now: string,
  ): Promise<{ previous: number | null } | undefined> {
    return this.db.transaction().execute(async (transaction) => {
      if (isPostgres(this.db)) {
        // Ratings from several replicas commit one at a time, in the order of their feedback ids: a
        // replica that has read feedback up to some id never finds a lower one committed later, and the
        // previous rating read here is the one the last rating left.
        await sql`select pg_advisory_xact_lock(${FEEDBACK_LOCK})`.execute(transaction);
      }
      const current = await transaction
        .selectFrom('conversations')
        .select('rating')
        .where('id', '=', conversationId)
        .executeTakeFirst();
      if (!current) return undefined;
      await transaction
        .updateTable('conversations')
        .set({ rating, feedback_text: comment, rated_at: now, updated_at: now })
        .where('id', '=', conversationId)
        .execute();
      await transaction
        .insertInto('feedback')
        .values({ conversation_id: conversationId, rating, comment, created_at: now })
        .execute();
      await this.changes.announceIn(transaction, 'feedback');
      return { previous: current.rating };
    });
  }

  async latestId(): Promise<number> {
    const row = await this.db
      .selectFrom('feedback')
      .select(({ fn }) => fn.max('id').as('id'))
      .executeTakeFirst();
    return Number(row?.id ?? 0);
  }

  /** The latest rating of each conversation rated after feedback `afterId`, in feedback order. */
  async changesSince(afterId: number, limit: number): Promise<{ changes: RatingChange[]; lastId: number }> {
    const rows = await this.db
      .selectFrom('feedback')
      .innerJoin('conversations', 'conversations.id', 'feedback.conversation_id')
      .select([
        'feedback.id as feedbackId',
        'conversations.id as conversationId',
        'conversations.rating as rating',
      ])
      .where('feedback.id', '>', afterId)
      .orderBy('feedback.id')
      .limit(limit)
      .execute();
    return {
      changes: rows.map((row) => ({
        feedbackId: row.feedbackId,
        conversationId: row.conversationId,
        rating: row.rating ?? 0,
      })),
      lastId: rows.at(-1)?.feedbackId ?? afterId,
    };
  }

  async history(
    conversationId: string,
  ): Promise<{ rating: number; comment: string | null; created_at: string }[]> {
    return this.db
      .selectFrom('feedback')
      .select(['rating', 'comment', 'created_at'])
      .where('conversation_id', '=', conversationId)
      .orderBy('id')
      .execute();
  }

  async summary(since?: string): Promise<RatingSummary> {
    let query = this.db
      .selectFrom('conversations')
      .select(({ fn }) => [
        fn.countAll<number>().as('total'),
        fn.count<number>('rating').as('rated'),
        fn.avg<number | null>('rating').as('average'),
        sql<number>`coalesce(sum(case when rating >= 4 then 1 else 0 end), 0)`.as('positive'),
        sql<number>`coalesce(sum(case when rating <= 2 then 1 else 0 end), 0)`.as('negative'),
      ]);
    if (since !== undefined) query = query.where('created_at', '>=', since);
    const row = await query.executeTakeFirstOrThrow();
    return {
      total: Number(row.total),
      rated: Number(row.rated),
      averageRating: row.average === null ? null : Number(row.average),
      positive: Number(row.positive),
      negative: Number(row.negative),
    };
  }
}
