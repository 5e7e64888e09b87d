import type { FastifyInstance } from 'fastify';
import { withZod } from '../http/zod-app.js';
import { processRequestSchema } from './chat.schemas.js';
import type { ChatService } from './chat.service.js';

export function registerChatRoutes(app: FastifyInstance, chat: ChatService): void {
  withZod(app).post('/api/voice/process', { schema: { body: processRequestSchema } }, async (request) =>
    chat.answer({ message: request.body.message, sessionId: request.body.session_id }),
  );
}
