import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmbedder } from './create-embedder.js';

type Step = { status: number; headers?: Record<string, string> } | 'vectors';

/** An /v1/embeddings endpoint that plays a script, one step a request (the last one repeats). */
function scriptedEmbeddings() {
  let script: Step[] = ['vectors'];
  let requests = 0;
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => {
      body += chunk;
    });
    request.on('end', () => {
      const step = script[Math.min(requests, script.length - 1)] as Step;
      requests++;
      if (step !== 'vectors') {
        response.writeHead(step.status, { 'content-type': 'application/json', ...step.headers });
        response.end(JSON.stringify({ error: { message: 'scripted failure', type: 'server_error' } }));
        return;
      }
      const inputs = (JSON.parse(body) as { input: string[] }).input;
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({
          object: 'list',
          model: 'scripted-embedding',
          data: inputs.map((_, index) => ({ object: 'embedding', index, embedding: [1, 0, index] })),
          usage: { prompt_tokens: 1, total_tokens: 1 },
        }),
      );
    });
  });
  return {
    server,
    play(steps: Step[]) {
      script = steps;
      requests = 0;
    },
    get requests() {
      return requests;
    },
  };
}

describe('the OpenAI-compatible embedder, retried as the client library did', () => {
  const fake = scriptedEmbeddings();
  let baseUrl = '';
  beforeAll(async () => {
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(fake.server.address() as AddressInfo).port}/v1`;
  });
  afterAll(async () => {
    fake.server.closeAllConnections();
    await new Promise((resolve) => fake.server.close(resolve));
  });
  const embedder = () =>
    createEmbedder({
      provider: 'openai',
      baseUrl,
      apiKey: 'embedding-key',
      model: 'scripted-embedding',
      dimensions: undefined,
      timeoutMs: 2000,
    });

  it('tries a failed request once more: a 5xx, or a 409 as the client did; not a refusal', async () => {
    const openai = await embedder();
    fake.play([{ status: 503 }, 'vectors']);
    await expect(openai.embed(['подъезд', 'уборка'])).resolves.toHaveLength(2);
    expect(fake.requests).toBe(2);

    fake.play([{ status: 409 }, 'vectors']);
    await expect(openai.embed(['подъезд'])).resolves.toHaveLength(1);
    expect(fake.requests).toBe(2);

    fake.play([{ status: 500 }]);
    await expect(openai.embed(['подъезд'])).rejects.toMatchObject({
      name: 'EmbedderError',
      reason: 'unavailable',
    });
    expect(fake.requests).toBe(2);

    fake.play([{ status: 401 }, 'vectors']);
    await expect(openai.embed(['подъезд'])).rejects.toMatchObject({ reason: 'rejected' });
    expect(fake.requests).toBe(1);

    fake.play([{ status: 503, headers: { 'x-should-retry': 'false' } }, 'vectors']);
    await expect(openai.embed(['подъезд'])).rejects.toMatchObject({ reason: 'unavailable' });
    expect(fake.requests).toBe(1);
  });

  it('waits as Retry-After asks before the retry', async () => {
    const openai = await embedder();
    fake.play([{ status: 429, headers: { 'retry-after-ms': '300' } }, 'vectors']);
    const started = performance.now();
    await expect(openai.embed(['подъезд'])).resolves.toHaveLength(1);
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    expect(fake.requests).toBe(2);
  });
});
