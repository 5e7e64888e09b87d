import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChildService, REPO_ROOT, startChildService } from '../api/support/child-service.js';
import { eventually } from '../helpers/eventually.js';
import { FakeOpenAiServer } from '../helpers/fake-openai-server.js';
import { temporaryDirectory } from '../helpers/test-service.js';

/**
 * What `npm start` runs is the bundle scripts/bundle.mjs makes (dist/main.js and its workers), not the
 * TypeScript the other tests load: built here into a directory of the repository (resources/ and
 * package.json are found above it, as from dist/) and run as a process of its own, with an LLM.
 */
describe('the bundled service', () => {
  const workRoot = path.join(REPO_ROOT, 'test/.work');
  let bundleDir: string;
  let dataDir: string;
  const provider = new FakeOpenAiServer();
  let service: { child: ChildService; baseUrl: string };

  const post = async (route: string, body: unknown) => {
    const response = await fetch(`${service.baseUrl}${route}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, any> };
  };

  beforeAll(async () => {
    mkdirSync(workRoot, { recursive: true });
    bundleDir = mkdtempSync(path.join(workRoot, 'bundle-'));
    execFileSync(process.execPath, [path.join(REPO_ROOT, 'scripts/bundle.mjs'), bundleDir], {
      stdio: 'pipe',
    });
    await provider.start();
    provider.respondWith({ kind: 'answer', text: 'Подъезд убирают по вторникам.', model: 'bundle-model' });
    dataDir = temporaryDirectory();
    service = await startChildService(
      {
        DATA_DIR: dataDir,
        LLM_BASE_URL: provider.baseUrl,
        LLM_API_KEY: 'test-key',
        LLM_MODEL: 'bundle-model',
      },
      { script: path.join(bundleDir, 'main.js'), loader: false },
    );
  });

  afterAll(async () => {
    await service?.child.kill();
    await provider.stop();
    rmSync(bundleDir, { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('is one module with its workers beside it and its lazily loaded parts in chunks/', () => {
    for (const file of ['main.js', 'index-worker.js', 'checkpoint-worker.js', 'chunks']) {
      expect(existsSync(path.join(bundleDir, file)), file).toBe(true);
    }
  });

  it('becomes ready: migrations applied and the index loaded by its worker thread', async () => {
    const response = await fetch(`${service.baseUrl}/api/health/ready`);
    expect(response.status).toBe(200);
  });

  it('answers through the LLM and learns from a rating', async () => {
    const first = await post('/api/voice/process', {
      message: 'Когда убирают подъезд в доме на улице Ленина, 5?',
    });
    expect(first.status).toBe(200);
    expect(first.body.model_used).toBe('bundle-model');
    expect(first.body.response).toBe('Подъезд убирают по вторникам.');
    expect(provider.requests.length).toBeGreaterThan(0);

    expect((await post('/api/voice/feedback', { log_id: first.body.log_id, rating: 5 })).status).toBe(200);
    await eventually(async () => {
      const again = await post('/api/voice/process', { message: 'когда уборка подъезда на ул. Ленина 5' });
      return again.body.similar_found >= 1;
    });
  });

  it('serves the API documentation from the packages it leaves outside the bundle', async () => {
    const docs = await fetch(`${service.baseUrl}/docs/`);
    expect(docs.status).toBe(200);
    expect(await docs.text()).toContain('<html');
    const openapi = (await (await fetch(`${service.baseUrl}/openapi.json`)).json()) as {
      paths: Record<string, unknown>;
    };
    expect(Object.keys(openapi.paths)).toContain('/api/voice/process');
  });

  it('stops cleanly on SIGTERM', async () => {
    service.child.child.kill('SIGTERM');
    expect(await service.child.exited).toEqual({ code: 0, signal: null });
  });
});
