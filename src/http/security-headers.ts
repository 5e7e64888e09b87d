import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** Headers every response carries: no sniffing, no framing, no referrer, HTTPS kept once seen. */
const COMMON = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'strict-transport-security': 'max-age=15552000; includeSubDomains',
  'permissions-policy': 'camera=(), geolocation=(), microphone=(self)',
};
/** The API serves data, never pages: nothing may load from it. */
const API_POLICY = "default-src 'none'; frame-ancestors 'none'";
/** The security headers of an API answer, for answers written straight to the socket (client-errors.ts). */
export const API_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  ...COMMON,
  'content-security-policy': API_POLICY,
};
/** Swagger UI (/docs) runs its own scripts and styles from this origin. */
const DOCS_POLICY =
  "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; frame-ancestors 'none'";

export function setSecurityHeaders(request: FastifyRequest, reply: FastifyReply): void {
  reply.headers(COMMON);
  reply.header('content-security-policy', request.url.startsWith('/docs') ? DOCS_POLICY : API_POLICY);
}

/** Security headers on every response, set when the request arrives so that streamed answers get them too. */
export function registerSecurityHeaders(app: FastifyInstance): void {
  app.addHook('onRequest', (request, reply, done) => {
    setSecurityHeaders(request, reply);
    done();
  });
}
