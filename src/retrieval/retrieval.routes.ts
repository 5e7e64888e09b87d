import type { FastifyInstance } from 'fastify';
import { adminDocs } from '../http/openapi.js';
import { withZod } from '../http/zod-app.js';
import { searchQuerySchema, searchResultSchema } from './retrieval.schemas.js';
import type { RetrievalService } from './retrieval.service.js';

export function registerRetrievalRoutes(app: FastifyInstance, retrieval: RetrievalService): void {
  withZod(app).get(
    '/api/retrieval/search',
    {
      config: { access: 'admin' },
      schema: {
        ...adminDocs(
          'learning',
          'Search what answers are drawn from, ranked exactly as the chat ranks them',
          'Returns the best `k` matches scoring at least SIMILARITY_THRESHOLD, best first, so that retrieval ' +
            'quality can be inspected and measured.',
        ),
        querystring: searchQuerySchema,
        response: { 200: searchResultSchema },
      },
    },
    async (request) => {
      const similar = await retrieval.search(await retrieval.embed(request.query.q), request.query.k);
      return similar.map(({ conversation, score }) => ({
        kind: 'conversation' as const,
        id: conversation.id,
        question: conversation.user_message,
        answer: conversation.ai_response,
        score: Math.round(score * 10_000) / 10_000,
      }));
    },
  );
}
