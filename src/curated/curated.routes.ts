import type { FastifyInstance } from 'fastify';
import { logIdParamsSchema } from '../conversations/conversation.schemas.js';
import type { ConversationStore } from '../conversations/conversation.store.js';
import { adminDocs } from '../http/openapi.js';
import { withZod } from '../http/zod-app.js';
import { notFound } from '../platform/errors.js';
import {
  correctionRequestSchema,
  curatedAnswerRequestSchema,
  curatedAnswerSchema,
  curatedIdParamsSchema,
  curatedListQuerySchema,
} from './curated.schemas.js';
import type { CuratedAnswer } from './curated-answer.store.js';
import type { CuratedAnswerService } from './curated-answers.service.js';

const PATH = '/api/learning/annotations';

function toResponse(curated: CuratedAnswer) {
  return {
    id: curated.id,
    question: curated.question,
    alternatives: curated.alternatives,
    answer: curated.answer,
    origin: curated.origin,
    status: curated.status,
    status_reason: curated.statusReason,
    status_changed_at: curated.statusChangedAt,
    hits: curated.hits,
    last_hit_at: curated.lastHitAt,
    source_conversation_id: curated.sourceConversationId,
    created_at: curated.createdAt,
    updated_at: curated.updatedAt,
  };
}

/** Admin CRUD of curated answers (served as they are when a question matches them closely enough), and corrections. */
export function registerCuratedRoutes(
  app: FastifyInstance,
  dependencies: {
    curated: CuratedAnswerService;
    conversations: Pick<ConversationStore, 'findById' | 'correct'>;
  },
): void {
  const { curated, conversations } = dependencies;
  const zodApp = withZod(app);
  const admin = { access: 'admin' as const };
  const notFoundMessage = (id: string) => `Курируемый ответ ${id} не найден`;

  zodApp.get(
    PATH,
    {
      config: admin,
      schema: {
        ...adminDocs(
          'learning',
          'List curated answers with how often each was served',
          'Filter by `status` (`review`: held back, by an admin or by the learning pass) and `origin` (`promotion`: made by the learning pass from an answer rated 5 in enough sessions). `status_reason` says why the learning pass set the status.',
        ),
        querystring: curatedListQuerySchema,
        response: { 200: curatedAnswerSchema.array() },
      },
    },
    async (request) => (await curated.list(request.query)).map(toResponse),
  );

  zodApp.post(
    PATH,
    {
      config: admin,
      schema: {
        ...adminDocs(
          'learning',
          'Add a curated answer',
          'Served as it is, with no LLM call, when a question matches its question or an alternative at or above ANNOTATION_REPLY_THRESHOLD.',
        ),
        body: curatedAnswerRequestSchema,
        response: { 201: curatedAnswerSchema },
      },
    },
    async (request, reply) => reply.status(201).send(toResponse(await curated.create(request.body))),
  );

  zodApp.get(
    `${PATH}/:id`,
    {
      config: admin,
      schema: {
        ...adminDocs('learning', 'One curated answer'),
        params: curatedIdParamsSchema,
        response: { 200: curatedAnswerSchema },
      },
    },
    async (request) => {
      const found = await curated.get(request.params.id);
      if (!found) throw notFound(notFoundMessage(request.params.id));
      return toResponse(found);
    },
  );

  zodApp.put(
    `${PATH}/:id`,
    {
      config: admin,
      schema: {
        ...adminDocs(
          'learning',
          'Replace a curated answer',
          '`status: review` holds it back from being served.',
        ),
        params: curatedIdParamsSchema,
        body: curatedAnswerRequestSchema,
        response: { 200: curatedAnswerSchema },
      },
    },
    async (request) => {
      const updated = await curated.update(request.params.id, request.body);
      if (!updated) throw notFound(notFoundMessage(request.params.id));
      return toResponse(updated);
    },
  );

  zodApp.put(
    '/api/conversations/:log_id/correction',
    {
      config: admin,
      schema: {
        ...adminDocs(
          'learning',
          'Correct the answer of a stored conversation',
          'Stores the better answer (training exports use it) and makes it a curated answer for the question, served as it is to questions that match it.',
        ),
        params: logIdParamsSchema,
        body: correctionRequestSchema,
      },
    },
    async (request) => {
      const logId = request.params.log_id;
      const conversation = await conversations.findById(logId);
      if (!conversation) throw notFound(`Разговор ${logId} не найден`);
      await conversations.correct(logId, request.body.answer, new Date().toISOString());
      const made = await curated.fromCorrection(logId, conversation.user_message, request.body.answer);
      return {
        log_id: logId,
        question: conversation.user_message,
        original_answer: conversation.ai_response,
        corrected_answer: request.body.answer,
        curated_answer: toResponse(made),
      };
    },
  );

  zodApp.delete(
    `${PATH}/:id`,
    {
      config: admin,
      schema: { ...adminDocs('learning', 'Delete a curated answer'), params: curatedIdParamsSchema },
    },
    async (request, reply) => {
      if (!(await curated.delete(request.params.id))) throw notFound(notFoundMessage(request.params.id));
      return reply.status(204).send();
    },
  );
}
