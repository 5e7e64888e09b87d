import type { FastifyInstance } from 'fastify';
import { logIdParamsSchema } from '../conversations/conversation.schemas.js';
import type { ConversationStore } from '../conversations/conversation.store.js';
import { adminDocs, docs } from '../http/openapi.js';
import { withZod } from '../http/zod-app.js';
import { notFound } from '../platform/errors.js';
import type { EmbeddingBackfill } from '../retrieval/embedding-backfill.js';
import type { RetrievalService } from '../retrieval/retrieval.service.js';
import { REPLICA_ID } from '../storage/change-feed.js';
import {
  embeddingsUpdateQuerySchema,
  exportQuerySchema,
  feedbackRequestSchema,
  feedbackResponseSchema,
  similarQuerySchema,
  suggestionsQuerySchema,
} from './learning.schemas.js';
import type { LearningService } from './learning.service.js';
import { findSuggestions } from './suggestions.js';
import { type ExportOptions, toJsonLines, toTrainingExamples } from './training-dataset.js';

interface LearningRouteDependencies {
  learning: LearningService;
  retrieval: RetrievalService;
  conversations: Pick<ConversationStore, 'findById' | 'lowRatedUncorrected' | 'unansweredUncorrected'>;
  minRatingThreshold: number;
  /** How exports are written (EXPORT_REDACT_PII). */
  exportOptions: ExportOptions;
  currentModel: string;
  embeddingBackfill: EmbeddingBackfill;
}

export function registerLearningRoutes(app: FastifyInstance, dependencies: LearningRouteDependencies): void {
  const { learning, retrieval, conversations, minRatingThreshold, exportOptions } = dependencies;
  const zodApp = withZod(app);

  async function similarTo(logId: string, limit: number) {
    const conversation = await conversations.findById(logId);
    if (!conversation) throw notFound(`Разговор ${logId} не найден`);
    const vector = await retrieval.vectorOf(conversation);
    return { conversation, similar: await retrieval.search(vector, limit, conversation.id) };
  }

  zodApp.post(
    '/api/voice/feedback',
    {
      config: { access: 'user', rateLimited: true },
      schema: {
        ...docs(
          'learning',
          'Rate an answer',
          'A re-rating replaces the current rating; every rating is kept.',
        ),
        body: feedbackRequestSchema,
        response: { 200: feedbackResponseSchema },
      },
    },
    async (request) => {
      const { log_id, rating, feedback_text } = request.body;
      const result = await learning.recordFeedback(log_id, rating, feedback_text);
      if (!result.found) throw notFound(`Разговор ${log_id} не найден`);
      return {
        success: true,
        message: result.usedForTraining
          ? 'Спасибо за оценку! Этот ответ будет использоваться как пример для похожих вопросов.'
          : 'Спасибо за оценку! Мы учтём её, чтобы отвечать лучше.',
        log_id,
        will_be_used_for_training: result.usedForTraining,
      };
    },
  );

  zodApp.get(
    '/api/learning/stats',
    {
      schema: docs(
        'learning',
        'Rating statistics, the last learning pass, and what the LLM cost and learning saved',
        '`llm_usage`: LLM calls (failed ones included) and their tokens; answers given without calling the ' +
          'LLM by source; `llm_calls_saved` counts curated answers, rated answers and knowledge-base passages ' +
          'served without a call (not the answers given because the LLM failed).',
      ),
    },
    async () => ({ ...(await learning.stats()), llm_usage: await learning.llmUsage() }),
  );

  zodApp.get(
    '/api/learning/export',
    {
      config: { access: 'admin' },
      schema: {
        ...adminDocs(
          'learning',
          'Export rated conversations as training data',
          '`?format=jsonl` downloads JSONL.',
        ),
        querystring: exportQuerySchema,
      },
    },
    async (request, reply) => {
      const minRating = request.query.min_rating ?? minRatingThreshold;
      const rows = await learning.exportConversations({
        minRating,
        daysBack: request.query.days_back,
        limit: request.query.limit,
      });
      const exportedAt = new Date().toISOString();
      if (request.query.format === 'jsonl') {
        return reply
          .header('content-type', 'application/x-ndjson; charset=utf-8')
          .header(
            'content-disposition',
            `attachment; filename="vasdom-training-${exportedAt.slice(0, 10)}.jsonl"`,
          )
          .send(await toJsonLines(rows, false, exportOptions));
      }
      return {
        total_exported: rows.length,
        min_rating_used: minRating,
        data: await toTrainingExamples(rows, exportOptions),
        export_timestamp: exportedAt,
      };
    },
  );

  zodApp.post(
    '/api/learning/train',
    { config: { access: 'admin' }, schema: adminDocs('learning', 'Run a learning pass') },
    async () => {
      void learning.requestPass();
      return {
        status: 'training_started',
        message: 'Обучение запущено: оценённые ответы обновляются в базе примеров.',
        timestamp: new Date().toISOString(),
      };
    },
  );

  zodApp.get(
    '/api/learning/similar/:log_id',
    {
      config: { access: 'admin' },
      schema: {
        ...adminDocs('learning', 'Rated conversations similar to a stored one'),
        params: logIdParamsSchema,
        querystring: similarQuerySchema,
      },
    },
    async (request) => {
      const { conversation, similar } = await similarTo(request.params.log_id, request.query.limit);
      return {
        original_message: conversation.user_message,
        found_similar: similar.length,
        similar_conversations: similar.map(({ conversation: match }) => ({
          log_id: match.id,
          user_message: match.user_message,
          ai_response: match.ai_response,
          rating: match.rating,
          timestamp: match.created_at,
        })),
      };
    },
  );

  zodApp.get(
    '/api/voice/similar/:log_id',
    {
      config: { access: 'admin' },
      schema: {
        ...adminDocs('learning', 'Rated conversations similar to a stored one, with scores'),
        params: logIdParamsSchema,
        querystring: similarQuerySchema,
      },
    },
    async (request) => {
      const { similar } = await similarTo(request.params.log_id, request.query.limit);
      return similar.map(({ conversation: match, score }) => ({
        log_id: match.id,
        user_message: match.user_message,
        ai_response: match.ai_response,
        similarity_score: Math.round(score * 10000) / 10000,
        rating: match.rating,
      }));
    },
  );

  zodApp.get(
    '/api/voice/self-learning/status',
    { schema: docs('learning', 'Self-learning status: ratings, retraining need, index') },
    async () => {
      const stats = await learning.stats();
      return {
        total_interactions: stats.total_interactions,
        avg_rating: stats.avg_rating,
        positive_ratings_count: stats.positive_ratings,
        negative_ratings_count: stats.negative_ratings,
        rated_interactions: stats.rated_interactions,
        current_model: dependencies.currentModel,
        requires_retraining: learning.requiresRetraining(stats),
        last_learning_update: stats.last_learning_update,
        retrieval: { embedder: retrieval.embedderId, indexed_examples: retrieval.indexSize },
        learning_job: learning.jobStatus(),
        replica: { id: REPLICA_ID, holds_learning_lease: learning.drawsLessonsForAll },
      };
    },
  );

  zodApp.get(
    '/api/learning/suggestions',
    {
      config: { access: 'admin' },
      schema: {
        ...adminDocs(
          'learning',
          'Where knowledge is missing',
          'Answers rated 1–2 that nobody corrected, and questions nothing stored matched (the same wording counted once, most asked first): candidates for corrections and curated answers.',
        ),
        querystring: suggestionsQuerySchema,
      },
    },
    async (request) =>
      findSuggestions(dependencies.conversations, {
        limit: request.query.limit,
        since:
          request.query.days_back === undefined
            ? undefined
            : new Date(Date.now() - request.query.days_back * 24 * 3600 * 1000).toISOString(),
      }),
  );

  zodApp.post(
    '/api/voice/embeddings/update',
    {
      config: { access: 'admin' },
      schema: {
        ...adminDocs(
          'learning',
          'Embed conversations that lack a vector from the current embedder',
          'Embeds one batch now; `background` reports the run that starts with the service after a change of embedder.',
        ),
        querystring: embeddingsUpdateQuerySchema,
      },
    },
    async (request) => {
      const report = await dependencies.embeddingBackfill.embedNow(request.query.batch_size);
      return {
        success: report.errors === 0,
        processed: report.processed,
        errors: report.errors,
        total_found: report.totalFound,
        background: dependencies.embeddingBackfill.status,
      };
    },
  );
}
