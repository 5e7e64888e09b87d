import type { FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify';
import FindMyWay from 'find-my-way';

/**
 * Unknown paths answer 404; known paths with a method they do not accept answer 405 with `Allow`. Fastify
 * itself answers 404 for both, so the routes are mirrored into a router that ignores the method. Both are
 * answered before the body is read: a body sent to no route is never parsed, so a malformed, empty or
 * oversized one cannot turn the 404 or 405 into a 422, 413 or 415.
 */
export function registerNotFoundHandler(app: FastifyInstance): void {
  const methodsByPath = FindMyWay({ ignoreTrailingSlash: false });
  const allowed = new Map<string, Set<string>>();
  app.addHook('onRoute', (route) => {
    // The CORS plugin's catch-all preflight route would make every unknown path look known.
    if (route.url === '*') return;
    const methods = (Array.isArray(route.method) ? route.method : [route.method]) as HTTPMethods[];
    let set = allowed.get(route.url);
    if (!set) {
      set = new Set();
      allowed.set(route.url, set);
      methodsByPath.on('GET', route.url, () => undefined, { url: route.url });
    }
    for (const method of methods) set.add(method.toUpperCase());
  });

  const answerUnrouted = (request: FastifyRequest, reply: FastifyReply) => {
    const path = request.url.split('?')[0] ?? '/';
    const match = methodsByPath.find('GET', path);
    const methods = match ? allowed.get((match.store as { url: string }).url) : undefined;
    if (methods && !methods.has(request.method)) {
      return reply
        .status(405)
        .header('allow', [...methods].join(', '))
        .send({ detail: 'Method Not Allowed' });
    }
    return reply.status(404).send({ detail: 'Not Found' });
  };

  // preParsing runs after the onRequest hooks (request id, security headers) and before the body is read;
  // answering without calling `done` ends the request there.
  app.addHook('preParsing', (request, reply, payload, done) => {
    if (request.is404) answerUnrouted(request, reply);
    else done(null, payload);
  });
  app.setNotFoundHandler(answerUnrouted);
}
