import type { Logger } from 'pino';
import type { ConversationStore } from '../conversations/conversation.store.js';
import type { ConversationTally } from '../conversations/conversation-tally.js';
import type { FeedbackStore } from '../conversations/feedback.store.js';
import type { CuratedLearning } from '../curated/curated-learning.js';
import type { Metrics } from '../observability/metrics.js';
import type { JobRunner } from '../platform/job-runner.js';
import type { RetrievalService } from '../retrieval/retrieval.service.js';
import type { ServiceStateStore } from '../storage/service-state.store.js';
import type { AnswerSource, Conversation } from '../storage/tables.js';

const LAST_PASS_KEY = 'learning.last_pass_at';
/** The newest feedback row whose lessons for everyone (curated answers) have been drawn. */
const LEARNED_UP_TO_KEY = 'learning.learned_up_to_feedback';
const CHANGES_PER_PAGE = 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface LearningStats {
  total_interactions: number;
  avg_rating: number | null;
  positive_ratings: number;
  negative_ratings: number;
  rated_interactions: number;
  improvement_rate: number;
  last_learning_update: string | null;
}

export interface LlmUsage {
  llm_calls: number;
  failed_llm_calls: number;
  prompt_tokens: number;
  completion_tokens: number;
  answered_without_llm: { curated: number; retrieval: number; knowledge: number; fallback: number };
  llm_calls_saved: number;
}

/** The learning pass job, as GET /api/learning/status reports it (absent times: never run). */
export interface LearningJobStatus {
  running: boolean;
  pending: boolean;
  runs: number;
  failures: number;
  lastStartedAt: string | undefined;
  lastFinishedAt: string | undefined;
  lastError: string | undefined;
}

const LEARNING_PASS_JOB = 'learning-pass';
const CATCH_UP_JOB = 'learning-catch-up';

export interface ExportRequest {
  minRating: number;
  daysBack?: number;
  limit?: number;
}

/**
 * Feedback, the learning pass and the figures computed from ratings. A pass has two parts. Every replica
 * reads the ratings given since its last pass and moves those conversations in or out of the positive
 * examples its retrieval index holds. The replica holding the learning lease (the only process on an
 * embedded database) also draws the lessons for everyone: it promotes and demotes curated answers from
 * the ratings since the last time any replica did, and records when learning last ran.
 */
export class LearningService {
  /** The newest feedback row this process's index reflects. */
  private feedbackWatermark = 0;

  constructor(
    private readonly dependencies: {
      feedback: FeedbackStore;
      conversations: ConversationStore;
      state: ServiceStateStore;
      retrieval: RetrievalService;
      tally: ConversationTally;
      metrics: Metrics;
      logger: Logger;
      /** Runs the learning pass, one at a time, requests during a pass coalesced into one more. */
      jobs: Pick<JobRunner, 'register' | 'trigger' | 'statusOf'>;
      minRatingThreshold: number;
      retrainingThreshold: number;
      /** Promotes and demotes curated answers from the ratings each pass reads. */
      curatedLearning?: CuratedLearning;
      /** Whether this replica draws the lessons for everyone (it holds the learning lease). */
      learnsForAll: () => boolean;
    },
  ) {
    dependencies.jobs.register({
      name: LEARNING_PASS_JOB,
      work: () => this.runPass(),
      onError: (error) => dependencies.logger.error({ err: error }, 'learning pass failed'),
    });
    dependencies.jobs.register({
      name: CATCH_UP_JOB,
      work: () => this.catchUp(),
      onError: (error) => dependencies.logger.warn({ err: error }, 'learning catch-up failed'),
    });
  }

  /**
   * Call before the index is loaded from storage: the first pass then replays anything rated meanwhile.
   * A database that has never had lessons drawn starts drawing them from here.
   */
  async markIndexBaseline(): Promise<void> {
    const { feedback, state } = this.dependencies;
    this.feedbackWatermark = await feedback.latestId();
    await state.setIfAbsent(LEARNED_UP_TO_KEY, String(this.feedbackWatermark), new Date().toISOString());
  }

  async recordFeedback(
    conversationId: string,
    rating: number,
    comment: string | null,
  ): Promise<{ found: boolean; usedForTraining: boolean }> {
    const rated = await this.dependencies.feedback.rate(
      conversationId,
      rating,
      comment,
      new Date().toISOString(),
    );
    if (!rated) return { found: false, usedForTraining: false };
    this.dependencies.tally.ratingChanged(rated.previous, rating);
    this.dependencies.metrics.feedback.inc({ rating: String(rating) });
    void this.requestPass();
    return { found: true, usedForTraining: rating >= this.dependencies.minRatingThreshold };
  }

  /** Whether this replica draws the lessons for everyone (see the class comment). */
  get drawsLessonsForAll(): boolean {
    return this.dependencies.learnsForAll();
  }

  jobStatus(): LearningJobStatus {
    const status = this.dependencies.jobs.statusOf(LEARNING_PASS_JOB);
    return {
      running: status?.running ?? false,
      pending: status?.pending ?? false,
      runs: status?.runs ?? 0,
      failures: status?.failures ?? 0,
      lastStartedAt: status?.lastStartedAt ?? undefined,
      lastFinishedAt: status?.lastFinishedAt ?? undefined,
      lastError: status?.lastError ?? undefined,
    };
  }

  /**
   * Runs a pass if ratings were given that this replica has not applied, or (holding the learning lease)
   * whose lessons nobody has drawn: after missed notices, and when the lease changes hands.
   */
  async catchUp(): Promise<void> {
    const { feedback, state } = this.dependencies;
    const latest = await feedback.latestId();
    const learnedUpTo = Number((await state.get(LEARNED_UP_TO_KEY)) ?? latest);
    const behind = latest > this.feedbackWatermark || (this.drawsLessonsForAll && latest > learnedUpTo);
    if (behind) await this.requestPass();
  }

  /** Runs catchUp() as a background job (when the learning lease is taken, after missed notices). */
  requestCatchUp(): Promise<void> {
    return this.dependencies.jobs.trigger(CATCH_UP_JOB);
  }

  /** Schedules a learning pass; resolves when a pass that started after the call has finished. */
  requestPass(): Promise<void> {
    return this.dependencies.jobs.trigger(LEARNING_PASS_JOB);
  }

  /** One learning pass, timed and counted by result. */
  private async runPass(): Promise<void> {
    const { metrics, logger, retrieval } = this.dependencies;
    const started = performance.now();
    let result: 'success' | 'failure' = 'failure';
    try {
      const { applied, learnedFrom } = await this.applyRatings();
      result = 'success';
      logger.info(
        {
          applied,
          learnedFrom,
          indexSize: retrieval.indexSize,
          durationMs: Math.round(performance.now() - started),
        },
        'learning pass finished',
      );
    } finally {
      metrics.learningPasses.inc({ result });
      metrics.learningPassDuration.observe({ result }, (performance.now() - started) / 1000);
    }
  }

  /**
   * Reads once the ratings given since this replica's last pass, or since lessons were last drawn (by any
   * replica) if that is earlier. Every replica moves those conversations in or out of the positive
   * examples its index holds; the holder of the learning lease also promotes and demotes curated answers
   * from them and records the time. A page that straddles the two watermarks serves both: applying a
   * rating again changes nothing (the index takes the conversation as it is now, and promotions are unique
   * per answer), which is also why a lease that changes hands midway repeats at most some work.
   */
  private async applyRatings(): Promise<{ applied: number; learnedFrom: number | undefined }> {
    const { retrieval, state, curatedLearning } = this.dependencies;
    let learnedUpTo = this.drawsLessonsForAll
      ? Number((await state.get(LEARNED_UP_TO_KEY)) ?? this.feedbackWatermark)
      : undefined;
    let position = Math.min(this.feedbackWatermark, learnedUpTo ?? this.feedbackWatermark);
    let applied = 0;
    let learnedFrom = 0;
    for (;;) {
      const page = await this.ratedSince(position);
      if (page === undefined) break;
      if (page.lastId > this.feedbackWatermark) {
        for (const row of page.rows) await retrieval.applyRating(row, row.rating);
        applied += page.rows.length;
        this.feedbackWatermark = page.lastId;
      }
      if (learnedUpTo !== undefined && page.lastId > learnedUpTo) {
        await curatedLearning?.learnFrom(page.rows);
        learnedFrom += page.rows.length;
        learnedUpTo = page.lastId;
        await state.set(LEARNED_UP_TO_KEY, String(learnedUpTo), new Date().toISOString());
      }
      position = page.lastId;
    }
    if (learnedUpTo === undefined) return { applied, learnedFrom: undefined };
    await state.set(LAST_PASS_KEY, new Date().toISOString(), new Date().toISOString());
    return { applied, learnedFrom };
  }

  /**
   * The conversations rated after feedback row `afterId` (a page of them), as they are now, and the last
   * row read; undefined when there is none.
   */
  private async ratedSince(afterId: number): Promise<{ rows: Conversation[]; lastId: number } | undefined> {
    const { feedback, conversations } = this.dependencies;
    const { changes, lastId } = await feedback.changesSince(afterId, CHANGES_PER_PAGE);
    if (changes.length === 0) return undefined;
    const ids = [...new Set(changes.map((change) => change.conversationId))];
    return { rows: await conversations.findByIds(ids), lastId };
  }

  async stats(): Promise<LearningStats> {
    const { feedback, state } = this.dependencies;
    const since = new Date(Date.now() - DAY_MS).toISOString();
    const [all, lastDay, lastPass] = await Promise.all([
      feedback.summary(),
      feedback.summary(since),
      state.get(LAST_PASS_KEY),
    ]);
    return {
      total_interactions: all.total,
      avg_rating: all.averageRating === null ? null : Math.round(all.averageRating * 100) / 100,
      positive_ratings: all.positive,
      negative_ratings: all.negative,
      rated_interactions: all.rated,
      improvement_rate:
        lastDay.total === 0 ? 0 : Math.round((lastDay.positive / lastDay.total) * 1000) / 1000,
      last_learning_update: lastPass ?? null,
    };
  }

  /**
   * What the LLM cost and what learning saved: calls made (failed ones included), their tokens, and the
   * answers given without calling it. Curated answers, rated answers and knowledge-base passages served
   * without an LLM call count as calls saved; answers given because the LLM failed do not.
   */
  async llmUsage(): Promise<LlmUsage> {
    const sources = await this.dependencies.conversations.answerSources();
    const withoutCall = (source: AnswerSource) => {
      const row = sources.find((entry) => entry.source === source);
      return row ? row.answers - row.afterLlmFailure : 0;
    };
    const total = (read: (entry: (typeof sources)[number]) => number) =>
      sources.reduce((sum, entry) => sum + read(entry), 0);
    const failed = total((entry) => entry.afterLlmFailure);
    const answeredWithoutLlm = {
      curated: withoutCall('curated'),
      retrieval: withoutCall('retrieval'),
      knowledge: withoutCall('knowledge'),
      fallback: withoutCall('fallback'),
    };
    return {
      llm_calls: (sources.find((entry) => entry.source === 'llm')?.answers ?? 0) + failed,
      failed_llm_calls: failed,
      prompt_tokens: total((entry) => entry.promptTokens),
      completion_tokens: total((entry) => entry.completionTokens),
      answered_without_llm: answeredWithoutLlm,
      llm_calls_saved:
        answeredWithoutLlm.curated + answeredWithoutLlm.retrieval + answeredWithoutLlm.knowledge,
    };
  }

  /** Below the retraining threshold on average, with at least one rating to judge by. */
  requiresRetraining(stats: LearningStats): boolean {
    return stats.avg_rating !== null && stats.avg_rating < this.dependencies.retrainingThreshold;
  }

  async exportConversations(request: ExportRequest): Promise<Conversation[]> {
    return this.dependencies.conversations.listForExport({
      minRating: request.minRating,
      since:
        request.daysBack === undefined
          ? undefined
          : new Date(Date.now() - request.daysBack * DAY_MS).toISOString(),
      limit: request.limit,
    });
  }
}
