import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.js';
import { parseConfig } from '../../src/config/config.schema.js';
import { createLogging } from '../../src/observability/logger.js';
import { createServices, type Services } from '../../src/services.js';
import { removeStorage, storageEnvironment } from './test-storage.js';

export interface TestService {
  baseUrl: string;
  dataDir: string;
  services: Services;
  app: FastifyInstance;
  /** Sends a request and parses a JSON answer (text otherwise). */
  request(
    method: string,
    url: string,
    body?: unknown,
  ): Promise<{ status: number; body: any; headers: Headers }>;
  close(options?: { keepData?: boolean }): Promise<void>;
}

export function temporaryDirectory(prefix = 'vasdom-test-'): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

/**
 * A real service on a loopback port with its data in a temporary directory: a SQLite file there, or with
 * TEST_DATABASE=postgres, a PostgreSQL database of its own (kept for the directory across restarts).
 */
export async function startTestService(
  environment: Record<string, string> = {},
  dataDir = temporaryDirectory(),
  options: { logConsole?: NodeJS.WritableStream } = {},
): Promise<TestService> {
  // Tests drive many requests from one address; the rate-limit test turns the limit on itself.
  const config = parseConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATA_DIR: dataDir,
    RATE_LIMIT_PER_MINUTE: '0',
    ...(await storageEnvironment(dataDir)),
    ...environment,
  });
  const logging = createLogging(config, { console: options.logConsole });
  const services = await createServices(config, logging);
  const app = await buildApp(services);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  const baseUrl = `http://127.0.0.1:${address.port}`;
  return {
    baseUrl,
    dataDir,
    services,
    app,
    request: (method, url, body) => sendRequest(baseUrl, method, url, body),
    async close(options = {}) {
      await app.close();
      await services.close();
      await logging.close();
      if (!options.keepData) {
        rmSync(dataDir, { recursive: true, force: true });
        await removeStorage(dataDir);
      }
    },
  };
}

export async function sendRequest(
  baseUrl: string,
  method: string,
  url: string,
  body?: unknown,
): Promise<{ status: number; body: any; headers: Headers }> {
  const init: RequestInit = { method };
  if (body !== undefined) {
    init.headers = { 'content-type': 'application/json' };
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
  }
  const response = await fetch(`${baseUrl}${url}`, init);
  const text = await response.text();
  let parsed: unknown = text;
  if ((response.headers.get('content-type') ?? '').includes('application/json')) parsed = JSON.parse(text);
  return { status: response.status, body: parsed, headers: response.headers };
}
