import { createHash } from 'node:crypto';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { bearerToken } from './access-control.js';
import type { ApiKeys } from './api-keys.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Counted against the per-client limit (RATE_LIMIT_PER_MINUTE): chat, feedback, voice. */
    rateLimited?: boolean;
  }
}

/**
 * The client a request counts against: its API key when it sends a valid one (a hash of it, so that keys
 * stay out of the limiter's memory), else its IP address. Any other bearer value counts against the
 * address: were every string its own client, a made-up key per request would never be limited.
 */
function clientOf(keys: Pick<ApiKeys, 'roleOf'>, request: FastifyRequest): string {
  const key = bearerToken(request);
  return key !== undefined && keys.roleOf(key) !== undefined
    ? `key:${createHash('sha256').update(key).digest('hex').slice(0, 32)}`
    : `ip:${request.ip}`;
}

/**
 * Per-client limits on the routes marked `config: { rateLimited: true }`: at most `perMinute` requests a
 * minute each; beyond that 429 with Retry-After and a message. 0 turns them off.
 */
export async function registerRateLimits(
  app: FastifyInstance,
  perMinute: number,
  keys: Pick<ApiKeys, 'roleOf'>,
): Promise<void> {
  if (perMinute === 0) return;
  await app.register(rateLimit, {
    max: perMinute,
    timeWindow: 60_000,
    keyGenerator: (request) => clientOf(keys, request),
    allowList: (request) => request.routeOptions.config?.rateLimited !== true,
    errorResponseBuilder: (_request, context) =>
      Object.assign(
        new Error(
          `Слишком много запросов: не больше ${context.max} в минуту. Повторите через ${Math.ceil(context.ttl / 1000)} с.`,
        ),
        { statusCode: 429, code: 'rate_limited' },
      ),
  });
}
