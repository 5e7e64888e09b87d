import type { FastifyInstance } from 'fastify';
import type { ValidationDetail } from '../platform/errors.js';

const PARTS = [
  ['body', 'body'],
  ['query', 'query'],
  ['params', 'path'],
] as const;

/**
 * Text with a NUL character (U+0000) is refused with a 422 naming where it is, before any route sees it:
 * PostgreSQL cannot store it in text, and nothing a user writes needs it. Both databases then keep exactly
 * the same data.
 */
export function refuseNulCharacters(app: FastifyInstance): void {
  app.addHook('preValidation', async (request, reply) => {
    for (const [part, location] of PARTS) {
      const found = pathToNul(request[part]);
      if (found) {
        const detail: ValidationDetail[] = [
          {
            loc: [location, ...found],
            msg: 'Символ NUL (\\u0000) в тексте не допускается',
            type: 'string_nul',
          },
        ];
        return reply.status(422).send({ detail });
      }
    }
  });
}

interface Visit {
  value: unknown;
  key: string | number | undefined;
  parent: Visit | undefined;
}

/** Where in `value` (keys and indexes) the first string holding a NUL character is; undefined if none. */
export function pathToNul(value: unknown): (string | number)[] | undefined {
  // Parents instead of copied paths: deeply nested input costs its size, not its size times its depth.
  const pending: Visit[] = [{ value, key: undefined, parent: undefined }];
  for (let visit = pending.pop(); visit !== undefined; visit = pending.pop()) {
    const current = visit.value;
    if (typeof current === 'string') {
      if (current.includes('\u0000')) return pathOf(visit);
    } else if (Array.isArray(current)) {
      for (let index = 0; index < current.length; index++) {
        pending.push({ value: current[index], key: index, parent: visit });
      }
    } else if (current !== null && typeof current === 'object') {
      for (const [key, item] of Object.entries(current)) {
        const child = { value: item, key, parent: visit };
        if (key.includes('\u0000')) return pathOf(child);
        pending.push(child);
      }
    }
  }
  return undefined;
}

function pathOf(visit: Visit): (string | number)[] {
  const path: (string | number)[] = [];
  for (let step: Visit | undefined = visit; step?.key !== undefined; step = step.parent) path.push(step.key);
  return path.reverse();
}
