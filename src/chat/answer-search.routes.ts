import type { FastifyInstance } from 'fastify';
import { currentAnswer } from '../conversations/current-answer.js';
import { adminDocs } from '../http/openapi.js';
import { withZod } from '../http/zod-app.js';
import { chunkHeading } from '../knowledge/knowledge.service.js';
import type { RetrievalService } from '../retrieval/retrieval.service.js';
import { searchQuerySchema, searchResultSchema } from './answer-search.schemas.js';
import type { FoundAnswer, FoundAnswerFinder } from './found-answer.js';

const roundScore = (score: number) => Math.round(score * 10_000) / 10_000;

/** What a match answers: a knowledge chunk by its question (Q&A) or headings, with its answer or text. */
function sourceOf(match: FoundAnswer): { id: string; question: string; answer: string } {
  switch (match.kind) {
    case 'curated':
      return { id: match.curated.id, question: match.curated.question, answer: match.curated.answer };
    case 'conversation':
      return {
        id: match.conversation.id,
        question: match.conversation.user_message,
        answer: currentAnswer(match.conversation),
      };
    case 'knowledge':
      return {
        id: match.chunk.id,
        question: match.chunk.question ?? chunkHeading(match.chunk),
        answer: match.chunk.answer ?? match.chunk.text,
      };
  }
}

export function registerAnswerSearchRoutes(
  app: FastifyInstance,
  dependencies: { retrieval: RetrievalService; answers: FoundAnswerFinder },
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
            "knowledge-base chunks (`question`: the Q&A question or the chunk's headings, else its document's " +
            "title; `answer`: the Q&A answer or the chunk's text), then weaker curated matches; so that " +
            'retrieval quality can be inspected and measured.',
        ),
        querystring: searchQuerySchema,
        response: { 200: searchResultSchema },
      },
    },
    async (request) => {
      const found = await answers.find(await retrieval.embed(request.query.q), request.query.k);
      return found.map((match) => ({ kind: match.kind, ...sourceOf(match), score: roundScore(match.score) }));
    },
  );
}
