import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Config } from '../config/config.schema.js';
import { AppError } from './errors.js';

/** Who may call a route: set as `config: { access }` in its options; routes without it are open. */
export type RouteAccess = 'admin' | 'user';

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: RouteAccess;
  }
}

type Role = 'admin' | 'user';

const digest = (key: string) => createHash('sha256').update(key, 'utf8').digest();

/** Keys kept as SHA-256 digests and compared in constant time. */
class KeyRing {
  private readonly keys: { role: Role; digest: Buffer }[];

  constructor(access: Config['access']) {
    this.keys = [
      ...access.adminKeys.map((key) => ({ role: 'admin' as const, digest: digest(key) })),
      ...access.userKeys.map((key) => ({ role: 'user' as const, digest: digest(key) })),
    ];
  }

  roleOf(presented: string): Role | undefined {
    const candidate = digest(presented);
    let role: Role | undefined;
    // Every key is compared, so the time taken does not tell which one matched.
    for (const key of this.keys) {
      if (timingSafeEqual(key.digest, candidate) && role !== 'admin') role = key.role;
    }
    return role;
  }
}

function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (typeof header !== 'string') return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}

function isLoopback(address: string | undefined): boolean {
  if (address === undefined) return false;
  const ipv4 = address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address;
  return ipv4 === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(ipv4);
}

const CONFIGURE_ADMIN_KEY =
  'Административные методы без ключа доступны только с этого компьютера. Задайте ADMIN_API_KEYS и передайте ключ в заголовке Authorization: Bearer <ключ>.';
const ADMIN_KEY_NEEDED = 'Нужен ключ администратора в заголовке Authorization: Bearer <ключ>.';
const USER_KEY_NOT_ENOUGH = 'Этот ключ не даёт доступа к административным методам.';
const USER_KEY_NEEDED = 'Нужен ключ доступа в заголовке Authorization: Bearer <ключ>.';

/**
 * Enforces each route's `access` before its body is read. Admin routes need an admin key, or, when no
 * admin key is configured, a request from this machine (loopback). User routes (chat, feedback) are open
 * unless REQUIRE_USER_KEY is set; then a user or an admin key is needed.
 */
export function registerAccessControl(app: FastifyInstance, access: Config['access']): void {
  const keys = new KeyRing(access);
  const adminKeysConfigured = access.adminKeys.length > 0;
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
      if (!adminKeysConfigured) {
        if (isLoopback(request.socket.remoteAddress)) return;
        refuse('unauthorized', CONFIGURE_ADMIN_KEY);
      }
      if (role === 'user') refuse('forbidden', USER_KEY_NOT_ENOUGH);
      refuse('unauthorized', ADMIN_KEY_NEEDED);
    }
    if (access.requireUserKey && role === undefined) refuse('unauthorized', USER_KEY_NEEDED);
  });
}
