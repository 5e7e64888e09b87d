import type { FastifyError, FastifyInstance } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { AppError, ERROR_STATUS, type ValidationDetail } from '../platform/errors.js';
import { ProviderError } from '../providers/provider-error.js';
import { storageError } from './storage-errors.js';

/** FastAPI names the request parts `query` and `path`; existing clients read those names. */
const LOCATION_NAMES: Record<string, string> = {
  body: 'body',
  querystring: 'query',
  params: 'path',
  headers: 'header',
};

const INVALID_JSON_CODES = new Set([
  'FST_ERR_CTP_INVALID_JSON',
  'FST_ERR_CTP_INVALID_JSON_BODY',
  'FST_ERR_CTP_EMPTY_JSON_BODY',
]);

function locationPath(instancePath: string): (string | number)[] {
  return instancePath
    .split('/')
    .filter((part) => part !== '')
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}

/** Maps every error to the prototype's shapes: 422 `{detail: [...]}` for bad input, `{detail: "..."}` otherwise. */
export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((thrown: FastifyError, request, reply) => {
    const refusal = storageError(thrown);
    // The one line that says why, for each request the storage could not serve.
    if (refusal) request.log.warn({ code: refusal.code, err: thrown }, 'storage fault: request refused');
    const error = refusal ?? thrown;
    if (hasZodFastifySchemaValidationErrors(error)) {
      const location = LOCATION_NAMES[error.validationContext ?? 'body'] ?? 'body';
      const detail: ValidationDetail[] = error.validation.map((issue) => ({
        loc: [location, ...locationPath(issue.instancePath)],
        msg: issue.message ?? 'invalid value',
        type: issue.keyword,
      }));
      return reply.status(422).send({ detail });
    }
    if (error instanceof AppError) {
      if (error.retryAfterSeconds !== undefined) reply.header('retry-after', String(error.retryAfterSeconds));
      return reply.status(error.status).send({ detail: error.message, code: error.code });
    }
    // Chat model failures never reach here (questions are answered without the LLM); embeddings do, from the
    // search API while the embedding provider is down.
    if (error instanceof ProviderError && error.provider === 'embeddings') {
      // The provider's words stay in the log: they may echo the request.
      request.log.warn({ reason: error.reason, error: error.message }, 'embedding failed');
      return reply.status(ERROR_STATUS.provider_unavailable).send({
        detail: 'Сервис эмбеддингов сейчас недоступен, повторите позже',
        code: 'provider_unavailable',
      });
    }
    if (INVALID_JSON_CODES.has(error.code)) {
      const detail: ValidationDetail[] = [
        { loc: ['body'], msg: 'Тело запроса должно быть корректным JSON', type: 'json_invalid' },
      ];
      return reply.status(422).send({ detail });
    }
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      const limit = request.routeOptions.bodyLimit ?? 0;
      return reply.status(413).send({
        detail: `Тело запроса слишком большое: можно не больше ${limit} байт`,
        code: 'payload_too_large',
      });
    }
    if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      return reply.status(415).send({
        detail: `Тип содержимого «${request.headers['content-type'] ?? ''}» здесь не принимается`,
        code: 'unsupported_media_type',
      });
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      return reply.status(status).send({ detail: error.message, code: error.code });
    }
    request.log.error({ err: error }, 'request failed');
    return reply.status(500).send({ detail: 'Внутренняя ошибка сервера', code: 'internal' });
  });
}
