import { beforeAll, describe, expect, it } from 'vitest';
import { useTestService } from './support/service-block.js';

interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<
    string,
    Record<
      string,
      { tags?: string[]; summary?: string; requestBody?: any; parameters?: any[]; responses?: any }
    >
  >;
}

describe('API documentation', () => {
  const context = useTestService();
  let document: OpenApiDocument;
  /** Every route the app serves, as "METHOD /path", in OpenAPI's {param} notation. */
  const served = new Set<string>();

  beforeAll(async () => {
    const response = await context.service.request('GET', '/openapi.json');
    expect(response.status).toBe(200);
    document = response.body as OpenApiDocument;
    // printRoutes draws a tree, four columns per level: a path is the segments along its branch.
    const branch: string[] = [];
    for (const line of context.service.app.printRoutes({ commonPrefix: false }).split('\n')) {
      const match = /^([│ ]*)[├└]── (.+?)(?: \(([^)]+)\))?$/.exec(line);
      if (!match) continue;
      const depth = (match[1] as string).length / 4;
      branch.length = depth;
      branch.push(match[2] as string);
      for (const method of match[3]?.split(', ') ?? []) served.add(`${method} ${branch.join('')}`);
    }
  });

  it('is an OpenAPI 3 document of this service', () => {
    expect(document.openapi).toMatch(/^3\.0\./);
    expect(document.info.title).toBe('VasDom AudioBot');
    expect(document.info.version).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('documents every API route with a tag and a summary', () => {
    const documented = Object.entries(document.paths).flatMap(([path, operations]) =>
      Object.entries(operations).map(([method, operation]) => ({
        route: `${method.toUpperCase()} ${path}`,
        operation,
      })),
    );
    for (const { route, operation } of documented) {
      expect(operation.tags?.length, `${route} has a tag`).toBeGreaterThan(0);
      expect(operation.summary, `${route} has a summary`).toBeTruthy();
    }
    const routes = new Set(documented.map(({ route }) => route));
    for (const route of [
      'POST /api/voice/process',
      'POST /api/voice/feedback',
      'GET /api/learning/stats',
      'GET /api/learning/export',
      'POST /api/learning/train',
      'GET /api/learning/similar/{log_id}',
      'GET /api/voice/similar/{log_id}',
      'GET /api/voice/self-learning/status',
      'POST /api/voice/embeddings/update',
      'GET /api/health',
      'GET /api/health/live',
      'GET /api/health/ready',
      'GET /api/voice/health',
      'GET /api/metrics',
      'GET /api/dashboard',
      'GET /api/cleaning/houses',
      'GET /api/status',
      'POST /api/status',
      'GET /',
      'GET /api/',
    ]) {
      expect(routes, route).toContain(route);
    }
    // Nothing served under /api is left out.
    const apiRoutes = [...served]
      .filter(
        (route) => / \/api\//.test(route) && !route.startsWith('HEAD ') && !route.startsWith('OPTIONS '),
      )
      .map((route) => route.replace(/:(\w+)/g, '{$1}'));
    // The route listing was read (the explicit list above has 20 routes under /api or at the root).
    expect(apiRoutes.length).toBeGreaterThanOrEqual(18);
    for (const route of apiRoutes) expect(routes, route).toContain(route);
  });

  it('describes requests and responses from the same schemas that validate them', () => {
    const process = document.paths['/api/voice/process']?.post;
    const body = process?.requestBody?.content?.['application/json']?.schema;
    expect(body.required).toContain('message');
    expect(body.properties.message.type).toBe('string');
    const answer = process?.responses?.['200']?.content?.['application/json']?.schema;
    expect(Object.keys(answer.properties)).toEqual(
      expect.arrayContaining([
        'response',
        'log_id',
        'session_id',
        'model_used',
        'response_time',
        'similar_found',
      ]),
    );
    const feedback =
      document.paths['/api/voice/feedback']?.post?.requestBody?.content?.['application/json']?.schema;
    expect(feedback.properties.rating).toMatchObject({ type: 'integer', minimum: 1, maximum: 5 });
    const similar = document.paths['/api/learning/similar/{log_id}']?.get?.parameters ?? [];
    expect(
      similar.map((parameter: { name: string; in: string }) => `${parameter.in}:${parameter.name}`),
    ).toEqual(expect.arrayContaining(['path:log_id', 'query:limit']));
  });

  it('serves Swagger UI at /docs from files shipped with the service', async () => {
    const page = await fetch(`${context.service.baseUrl}/docs/`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('swagger-ui');
    expect(html).not.toMatch(/https?:\/\/(unpkg|cdn)/);
    const script = await fetch(`${context.service.baseUrl}/docs/static/swagger-ui-bundle.js`);
    expect(script.status).toBe(200);
    expect((await script.arrayBuffer()).byteLength).toBeGreaterThan(100_000);
  });
});
