import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { adminDocs } from '../http/openapi.js';
import { withZod } from '../http/zod-app.js';
import { notFound } from '../platform/errors.js';
import type { StoredApiKey } from './api-key.store.js';
import type { ApiKeys } from './api-keys.js';

const PATH = '/api/admin/keys';

const createKeySchema = z.object({
  name: z
    .string({ error: 'name must be a string' })
    .trim()
    .min(1, 'name must not be empty')
    .max(100, 'name must be at most 100 characters'),
  role: z.enum(['admin', 'user'], { error: 'role must be admin or user' }),
});

const keySchema = z.object({
  id: z.string(),
  name: z.string(),
  role: z.enum(['admin', 'user']),
  prefix: z.string(),
  created_at: z.string(),
  revoked_at: z.string().nullable(),
});

const toResponse = (key: StoredApiKey) => ({
  id: key.id,
  name: key.name,
  role: key.role,
  prefix: key.prefix,
  created_at: key.created_at,
  revoked_at: key.revoked_at,
});

/** Admin management of API keys: made here, shown once, stored as digests, revoked at once. */
export function registerApiKeyRoutes(app: FastifyInstance, keys: ApiKeys): void {
  const zodApp = withZod(app);
  const admin = { access: 'admin' as const };

  zodApp.post(
    PATH,
    {
      config: admin,
      schema: {
        ...adminDocs(
          'access',
          'Make an API key',
          'The key is in the answer once and never again: only its SHA-256 digest is stored. `admin` keys open the admin API (and, once one exists, loopback requests without a key no longer do); `user` keys chat and rate when REQUIRE_USER_KEY is set.',
        ),
        body: createKeySchema,
        response: { 201: keySchema.extend({ key: z.string() }) },
      },
    },
    async (request, reply) => {
      const { key, record } = await keys.create(request.body.name, request.body.role);
      return reply.status(201).send({ ...toResponse(record), key });
    },
  );

  zodApp.get(
    PATH,
    {
      config: admin,
      schema: {
        ...adminDocs('access', 'List API keys made through the API (never the keys themselves)'),
        response: { 200: keySchema.array() },
      },
    },
    async () => (await keys.list()).map(toResponse),
  );

  zodApp.delete(
    `${PATH}/:id`,
    {
      config: admin,
      schema: {
        ...adminDocs('access', 'Revoke an API key: it stops working at once (on other replicas within 30 s)'),
        params: z.object({ id: z.string().min(1).max(200) }),
      },
    },
    async (request, reply) => {
      if (!(await keys.revoke(request.params.id))) {
        throw notFound(`Ключ ${request.params.id} не найден или уже отозван`);
      }
      return reply.status(204).send();
    },
  );
}
