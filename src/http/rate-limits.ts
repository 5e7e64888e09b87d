import { createHash } from 'node:crypto';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Counted against the per-client limit (RATE_LIMIT_PER_MINUTE): chat, feedback, voice. */
    rateLimited?: boolean;
  }
}

/**
 * The client a request counts against: its API key when it sends one (a hash of it, so that keys stay
 * out of the limiter's memory), else its IP address.
 */
function clientOf(request: FastifyRequest): string {
  const header = request.headers.authorization;
  const key = typeof header === 'string' ? /^Bearer\s+(\S+)/i.exec(header)?.[1] : undefined;
  return key ? `key:${createHash('sha256').update(key).digest('hex').slice(0, 32)}` : `ip:${request.ip}`;
}

/**
 * Per-client limits on the routes marked `config: { rateLimited: true }`: at most `perMinute` requests a
 * minute each; beyond that 429 with Retry-After and a message. 0 turns them off.
 */
export async function registerRateLimits(app: FastifyInstance, perMinute: number): Promise<void> {
  if (perMinute === 0) return;
  await app.register(rateLimit, {
    max: perMinute,
    timeWindow: 60_000,
    keyGenerator: clientOf,
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
