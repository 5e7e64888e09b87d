import type { FastifyInstance } from 'fastify';
import { notFound } from '../http/errors.js';
import { adminDocs } from '../http/openapi.js';
import { withZod } from '../http/zod-app.js';
import { curatedAnswerRequestSchema, curatedAnswerSchema, curatedIdParamsSchema } from './curated.schemas.js';
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
    hits: curated.hits,
    last_hit_at: curated.lastHitAt,
    created_at: curated.createdAt,
    updated_at: curated.updatedAt,
  };
}

/** Admin CRUD of curated answers: served as they are when a question matches them closely enough. */
export function registerCuratedRoutes(app: FastifyInstance, curated: CuratedAnswerService): void {
  const zodApp = withZod(app);
  const admin = { access: 'admin' as const };
  const notFoundMessage = (id: string) => `Курируемый ответ ${id} не найден`;

  zodApp.get(
    PATH,
    {
      config: admin,
      schema: {
        ...adminDocs('learning', 'List curated answers with how often each was served'),
        response: { 200: curatedAnswerSchema.array() },
      },
    },
    async () => (await curated.list()).map(toResponse),
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
