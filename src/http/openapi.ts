import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';
import { SERVICE_NAME, SERVICE_VERSION } from '../platform/app-info.js';

const TAGS = {
  chat: 'Questions and answers',
  learning: 'Ratings, learning and training data',
  knowledge: 'Knowledge base: company documents and Q&A lists',
  company: 'Company figures and integrations',
  operations: 'Health, readiness and metrics',
  access: 'API keys',
  service: 'Service information',
} as const;

export type ApiTag = keyof typeof TAGS;

/** The documentation part of a route's schema. */
export function docs(tag: ApiTag, summary: string, description?: string) {
  return { tags: [tag], summary, ...(description === undefined ? {} : { description }) };
}

/** The same for a route that needs an admin key (see http/access.ts). */
export function adminDocs(tag: ApiTag, summary: string, description?: string) {
  const access =
    'Admin only: `Authorization: Bearer <key>` with an admin key (from ADMIN_API_KEYS or made through ' +
    '/api/admin/keys); while there is none, only requests from this machine (not through a proxy unless ' +
    'TRUST_PROXY names it) addressed to localhost, a loopback address or a name of SERVICE_HOSTNAMES. ' +
    'Requests from pages of other sites are refused.';
  return {
    ...docs(tag, summary, description === undefined ? access : `${description}\n\n${access}`),
    security: [{ bearerAuth: [] }],
  };
}

/**
 * The OpenAPI document, generated from the routes' zod schemas, at /openapi.json, and Swagger UI at /docs
 * (its assets ship in the package: nothing is fetched from the internet). Registered before the routes,
 * so that it sees them all.
 */
export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: SERVICE_NAME,
        version: SERVICE_VERSION,
        description:
          'Self-learning assistant of the VasDom stairwell-cleaning company. Invalid input answers 422 with ' +
          '`{"detail": [{"loc", "msg", "type"}]}`; an unknown id 404 with `{"detail": "..."}`.',
      },
      tags: Object.entries(TAGS).map(([name, description]) => ({ name, description })),
      components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer' } } },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
