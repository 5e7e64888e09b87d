import type { FastifyInstance, FastifyRequest } from 'fastify';
import { fromAnotherSite, fromThisMachine, hostnameOf, localHostnames } from '../http/local-requests.js';
import { AppError } from '../platform/errors.js';
import type { ApiKeys } from './api-keys.js';

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
const FOREIGN_HOST =
  'Административные методы без ключа доступны только по адресам localhost, 127.0.0.1 и [::1] и по именам из SERVICE_HOSTNAMES. Чтобы обращаться к ним иначе, задайте ADMIN_API_KEYS.';
const FROM_ANOTHER_SITE = 'Запрос к административным методам со страницы другого сайта отклонён.';

export interface AccessOptions {
  /** Chat and feedback need a user (or admin) key (REQUIRE_USER_KEY). */
  requireUserKey: boolean;
  /** TRUST_PROXY names proxies: request.ip may be a client they forward for. */
  proxiesTrusted: boolean;
  /** SERVICE_HOSTNAMES: names besides loopback ones that admin routes answer to without a key. */
  serviceHostnames: readonly string[];
  /** CORS_ORIGINS: sites whose pages may call admin routes, with an admin key. */
  corsOrigins: readonly string[];
}

/**
 * Enforces each route's `access` before its body is read. Admin routes need an admin key, or, when there
 * is no admin key at all (neither configured nor made through the API), a request from this machine (see
 * fromThisMachine) addressed to a local host name (see localHostnames); pages of other sites are refused
 * either way (see fromAnotherSite). User routes (chat, feedback) are open unless REQUIRE_USER_KEY is set; then a user or
 * an admin key is needed.
 */
export function registerAccessControl(
  app: FastifyInstance,
  keys: Pick<ApiKeys, 'roleOf' | 'adminKeyExists'>,
  options: AccessOptions,
): void {
  const { requireUserKey, proxiesTrusted, corsOrigins } = options;
  const isLocalHostname = localHostnames(options.serviceHostnames);
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
      // Pages of other sites never reach admin routes (cross-site request forgery). Without admin keys
      // that is what stops a page from driving a service on the visitor's own machine. With keys a page
      // could not send one by itself, so the check is only caution there, kept because it costs legitimate
      // clients nothing: programs send no Origin, a page of the service's own origin passes, and the pages
      // of CORS_ORIGINS (which browsers would otherwise not let read the answer) pass with a key.
      if (fromAnotherSite(request, keys.adminKeyExists ? corsOrigins : [])) {
        refuse('forbidden', FROM_ANOTHER_SITE);
      }
      if (role === 'admin') return;
      if (!keys.adminKeyExists) {
        // A page rebound to 127.0.0.1 by its DNS still names its own host: only local names are served.
        if (!isLocalHostname(hostnameOf(request.host))) refuse('forbidden', FOREIGN_HOST);
        if (fromThisMachine(request, proxiesTrusted)) return;
        refuse('unauthorized', CONFIGURE_ADMIN_KEY);
      }
      if (role === 'user') refuse('forbidden', USER_KEY_NOT_ENOUGH);
      refuse('unauthorized', ADMIN_KEY_NEEDED);
    }
    if (requireUserKey && role === undefined) refuse('unauthorized', USER_KEY_NEEDED);
  });
}
