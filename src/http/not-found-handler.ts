import type { FastifyInstance, HTTPMethods } from 'fastify';
import FindMyWay from 'find-my-way';

/**
 * Unknown paths answer 404; known paths with a method they do not accept answer 405 with `Allow`. Fastify
 * itself answers 404 for both, so the routes are mirrored into a router that ignores the method.
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
  app.setNotFoundHandler((request, reply) => {
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
  });
}
