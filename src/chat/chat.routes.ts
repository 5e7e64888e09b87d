import type { FastifyInstance } from 'fastify';
import { docs } from '../http/openapi.js';
import { storageError } from '../http/storage-errors.js';
import { withZod } from '../http/zod-app.js';
import { AppError } from '../platform/errors.js';
import { processRequestSchema, processResponseSchema } from './chat.schemas.js';
import type { ChatService } from './chat.service.js';

export function registerChatRoutes(app: FastifyInstance, chat: ChatService): void {
  withZod(app).post(
    '/api/voice/process',
    {
      config: { access: 'user', rateLimited: true },
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

  withZod(app).post(
    '/api/voice/process/stream',
    {
      config: { access: 'user', rateLimited: true },
      schema: {
        ...docs(
          'chat',
          'Ask a question and receive the answer as it is written (Server-Sent Events)',
          'The same answer as POST /api/voice/process, as `text/event-stream`: `delta` events `{text}` with the ' +
            'answer piece by piece (an answer given without the LLM comes as one piece), then one `done` event ' +
            'with the fields of /api/voice/process. A `reset` event means the pieces so far are withdrawn (the LLM ' +
            'failed midway) and the answer that follows replaces them; `error` `{detail}` ends a stream that ' +
            'failed. The conversation is stored once, at the end; a client that goes away stops the LLM call ' +
            'and leaves the conversation marked as interrupted. Bad input is answered with 422 before streaming.',
        ),
        body: processRequestSchema,
      },
    },
    async (request, reply) => {
      const clientGone = new AbortController();
      reply.raw.on('close', () => {
        if (!reply.raw.writableFinished) clientGone.abort(new Error('the client went away'));
      });
      reply.hijack();
      // Headers set so far (CORS, X-Request-Id) go out with the stream's own.
      const headersSoFar = Object.fromEntries(
        Object.entries(reply.getHeaders()).filter(
          (entry): entry is [string, string | number | string[]] => entry[1] !== undefined,
        ),
      );
      reply.raw.writeHead(200, {
        ...headersSoFar,
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        // Proxies such as nginx would otherwise hold the pieces back.
        'x-accel-buffering': 'no',
      });
      const send = (event: string, data: unknown) => {
        if (!reply.raw.writableEnded && !reply.raw.destroyed) {
          reply.raw.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
        }
      };
      try {
        const answer = await chat.answer(
          { message: request.body.message, sessionId: request.body.session_id },
          {
            onDelta: (text) => send('delta', { text }),
            onReset: () => send('reset', {}),
            signal: clientGone.signal,
          },
        );
        send('done', answer);
      } catch (thrown) {
        const error = storageError(thrown) ?? thrown;
        if (error instanceof AppError) {
          if (error !== thrown)
            request.log.warn({ code: error.code, err: thrown }, 'storage fault: request refused');
          send('error', { detail: error.message, code: error.code });
        } else {
          request.log.error({ err: error }, 'streamed answer failed');
          send('error', { detail: 'Внутренняя ошибка сервера', code: 'internal' });
        }
      } finally {
        reply.raw.end();
      }
    },
  );
}
