import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ApiKeys } from '../access/api-keys.js';
import { AppError } from './errors.js';
import { fromThisMachine } from './local-requests.js';

/** Who may call a route: set as `config: { access }` in its options; routes without it are open. */
export type RouteAccess = 'admin' | 'user';

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: RouteAccess;
  }
}

/** The key in `Authorization: Bearer <key>`, if the request carries one. */
export function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (typeof header !== 'string') return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}

const CONFIGURE_ADMIN_KEY =
  'Административные методы без ключа доступны только с этого компьютера. Задайте ADMIN_API_KEYS и передайте ключ в заголовке Authorization: Bearer <ключ>.';
const ADMIN_KEY_NEEDED = 'Нужен ключ администратора в заголовке Authorization: Bearer <ключ>.';
const USER_KEY_NOT_ENOUGH = 'Этот ключ не даёт доступа к административным методам.';
const USER_KEY_NEEDED = 'Нужен ключ доступа в заголовке Authorization: Bearer <ключ>.';

export interface AccessOptions {
  /** Chat and feedback need a user (or admin) key (REQUIRE_USER_KEY). */
  requireUserKey: boolean;
  /** TRUST_PROXY names proxies: request.ip may be a client they forward for. */
  proxiesTrusted: boolean;
}

/**
 * Enforces each route's `access` before its body is read. Admin routes need an admin key, or, when there
 * is no admin key at all (neither configured nor made through the API), a request from this machine
 * (see fromThisMachine). User routes (chat, feedback) are open unless REQUIRE_USER_KEY is set; then a user or
 * an admin key is needed.
 */
export function registerAccessControl(
  app: FastifyInstance,
  keys: Pick<ApiKeys, 'roleOf' | 'adminKeyExists'>,
  options: AccessOptions,
): void {
  const { requireUserKey, proxiesTrusted } = options;
  app.addHook('onRequest', async (request, reply) => {
    const required = request.routeOptions.config?.access;
    if (required === undefined) return;
    const presented = bearerToken(request);
    const role = presented === undefined ? undefined : keys.roleOf(presented);
    const refuse = (code: 'unauthorized' | 'forbidden', message: string) => {
      if (code === 'unauthorized') reply.header('www-authenticate', 'Bearer realm="vasdom-audiobot"');
      throw new AppError(code, message);
    };
    if (required === 'admin') {
      if (role === 'admin') return;
      if (!keys.adminKeyExists) {
        if (fromThisMachine(request, proxiesTrusted)) return;
        refuse('unauthorized', CONFIGURE_ADMIN_KEY);
      }
      if (role === 'user') refuse('forbidden', USER_KEY_NOT_ENOUGH);
      refuse('unauthorized', ADMIN_KEY_NEEDED);
    }
    if (requireUserKey && role === undefined) refuse('unauthorized', USER_KEY_NEEDED);
  });
}
