import type { JobRunner } from '../platform/job-runner.js';
import type { ConversationStore } from './conversation.store.js';
import type { FeedbackStore, RatingSummary } from './feedback.store.js';

/**
 * How often the figures are read again from storage: the counts cover writes this process did not see
 * (another replica's, a command's). On SQLite counting holds up the event loop, so seldom; on PostgreSQL
 * the server counts while the service goes on, and several replicas write all the time.
 */
export const TALLY_RESYNC_INTERVAL_MS = { sqlite: 10 * 60_000, postgres: 30_000 } as const;

interface Figures {
  conversations: number;
  rated: number;
  ratingSum: number;
  positive: number;
  negative: number;
  embeddings: number;
}

/**
 * All-time figures over conversations, ratings and vectors, kept in memory: read from storage at start,
 * moved as this process stores conversations, ratings and vectors, and read again periodically.
 * Counting a table holds up the event loop for a time that grows with the table; health checks and
 * metrics read these figures instead, as often as they like.
 */
export class ConversationTally {
  private figures: Figures = {
    conversations: 0,
    rated: 0,
    ratingSum: 0,
    positive: 0,
    negative: 0,
    embeddings: 0,
  };

  constructor(
    private readonly stores: { feedback: FeedbackStore; conversations: ConversationStore },
    private readonly embedderId: string,
    private readonly resyncIntervalMs: number = TALLY_RESYNC_INTERVAL_MS.sqlite,
  ) {}

  /** Reads the figures now, then again every resync interval as the runner's job `conversation-tally-resync`. */
  async start(jobs: Pick<JobRunner, 'register'>): Promise<void> {
    await this.resync();
    jobs.register({
      name: 'conversation-tally-resync',
      schedule: { everyMs: this.resyncIntervalMs },
      work: () => this.resync(),
    });
  }

  /** Reads the figures from storage. Changes committed while it runs may be missed until the next time. */
  async resync(): Promise<void> {
    const [summary, embeddings] = await Promise.all([
      this.stores.feedback.summary(),
      this.stores.conversations.countEmbeddings(this.embedderId),
    ]);
    this.figures = {
      conversations: summary.total,
      rated: summary.rated,
      ratingSum: (summary.averageRating ?? 0) * summary.rated,
      positive: summary.positive,
      negative: summary.negative,
      embeddings,
    };
  }

  conversationStored(withVector: boolean): void {
    this.figures.conversations++;
    if (withVector) this.figures.embeddings++;
  }

  vectorsStored(count: number): void {
    this.figures.embeddings += count;
  }

  /** A conversation's rating went from `previous` (null: unrated) to `next`. */
  ratingChanged(previous: number | null, next: number): void {
    const figures = this.figures;
    if (previous === null) {
      figures.rated++;
    } else {
      figures.ratingSum -= previous;
      if (previous >= 4) figures.positive--;
      if (previous <= 2) figures.negative--;
    }
    figures.ratingSum += next;
    if (next >= 4) figures.positive++;
    if (next <= 2) figures.negative++;
  }

  get embeddings(): number {
    return this.figures.embeddings;
  }

  summary(): RatingSummary {
    const { conversations, rated, ratingSum, positive, negative } = this.figures;
    return {
      total: conversations,
      rated,
      averageRating: rated === 0 ? null : ratingSum / rated,
      positive,
      negative,
    };
  }
}
