import type { FastifyInstance } from 'fastify';
import { currentAnswer } from '../chat/current-answer.js';
import type { AnswerFinder } from '../curated/answer-finder.js';
import { adminDocs } from '../http/openapi.js';
import { withZod } from '../http/zod-app.js';
import { searchQuerySchema, searchResultSchema } from './retrieval.schemas.js';
import type { RetrievalService } from './retrieval.service.js';

const roundScore = (score: number) => Math.round(score * 10_000) / 10_000;

export function registerRetrievalRoutes(
  app: FastifyInstance,
  dependencies: { retrieval: RetrievalService; answers: AnswerFinder },
): void {
  const { retrieval, answers } = dependencies;
  withZod(app).get(
    '/api/retrieval/search',
    {
      config: { access: 'admin' },
      schema: {
        ...adminDocs(
          'learning',
          'Search what answers are drawn from, ranked exactly as the chat ranks them',
          "Returns the best `k` matches scoring at least SIMILARITY_THRESHOLD in the chat's order: curated " +
            'answers at or above ANNOTATION_REPLY_THRESHOLD (served as they are), then rated conversations, then ' +
            'weaker curated matches; so that retrieval quality can be inspected and measured.',
        ),
        querystring: searchQuerySchema,
        response: { 200: searchResultSchema },
      },
    },
    async (request) => {
      const found = await answers.find(await retrieval.embed(request.query.q), request.query.k);
      return found.map((match) =>
        match.kind === 'curated'
          ? {
              kind: match.kind,
              id: match.curated.id,
              question: match.curated.question,
              answer: match.curated.answer,
              score: roundScore(match.score),
            }
          : {
              kind: match.kind,
              id: match.conversation.id,
              question: match.conversation.user_message,
              answer: currentAnswer(match.conversation),
              score: roundScore(match.score),
            },
      );
    },
  );
}
