import type { FastifyInstance } from 'fastify';
import { docs } from '../http/openapi.js';
import { withZod } from '../http/zod-app.js';
import { processRequestSchema, processResponseSchema } from './chat.schemas.js';
import type { ChatService } from './chat.service.js';

export function registerChatRoutes(app: FastifyInstance, chat: ChatService): void {
  withZod(app).post(
    '/api/voice/process',
    {
      config: { access: 'user' },
      schema: {
        ...docs(
          'chat',
          'Ask a question',
          'Answers from the LLM when one is configured, else from the best rated answer to a similar question, ' +
            'else from the best matching passage of the knowledge base, else from the company profile. ' +
            '`model_used` says which: the model name, `retrieval`, `knowledge` or `fallback` (`curated` for a ' +
            'curated answer served as it is).',
        ),
        body: processRequestSchema,
        response: { 200: processResponseSchema },
      },
    },
    async (request) => chat.answer({ message: request.body.message, sessionId: request.body.session_id }),
  );
}
