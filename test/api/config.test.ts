import { existsSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/config/config.schema.js';
import { sendRequest, temporaryDirectory } from '../helpers/test-service.js';
import {
  type ChildService,
  freePort,
  MAIN_SCRIPT,
  spawnService,
  TSX_LOADER,
  waitUntilHealthy,
} from './support/child-service.js';

const children: ChildService[] = [];
const directories: string[] = [];

function directory(prefix: string): string {
  const created = temporaryDirectory(prefix);
  directories.push(created);
  return created;
}

afterAll(async () => {
  for (const child of children) await child.kill('SIGKILL');
  for (const created of directories) rmSync(created, { recursive: true, force: true });
});

/** Starts the service and waits for it to exit; a service that keeps running fails the test. */
async function expectStartupFailure(env: Record<string, string>, timeoutMs = 15_000) {
  const port = await freePort();
  const child = spawnService({
    env: {
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: directory('vasdom-config-'),
      LOG_LEVEL: 'silent',
      NODE_ENV: 'test',
      ...env,
    },
  });
  children.push(child);
  const timeout = new Promise<'timeout'>((resolve) =>
    setTimeout(() => resolve('timeout'), timeoutMs).unref(),
  );
  const outcome = await Promise.race([child.exited, timeout]);
  if (outcome === 'timeout') {
    await child.kill('SIGKILL');
    throw new Error(`the service started with ${JSON.stringify(env)}:\n${child.stderr()}`);
  }
  expect(outcome.code, child.stderr()).not.toBe(0);
  expect(outcome.code).not.toBeNull();
  return { stderr: child.stderr(), code: outcome.code };
}

describe.concurrent('start-up with an invalid configuration', () => {
  it.each([
    ['PORT', 'abc'],
    ['MIN_RATING_THRESHOLD', '9'],
    ['SIMILARITY_THRESHOLD', 'x'],
    ['DATABASE_URL', 'postgres://'],
    ['ADMIN_API_KEYS', ','],
    ['TRUST_PROXY', 'everyone'],
  ])('%s=%s stops start-up and names the variable', async (name, value) => {
    const { stderr, code } = await expectStartupFailure({ [name]: value });
    expect(code).toBe(78);
    expect(stderr).toContain(name);
    expect(stderr).not.toMatch(/^\s+at /m);
  });

  it('names every invalid variable at once', async () => {
    const { stderr } = await expectStartupFailure({
      PORT: 'abc',
      MIN_RATING_THRESHOLD: '9',
      SIMILARITY_THRESHOLD: 'x',
    });
    for (const name of ['PORT', 'MIN_RATING_THRESHOLD', 'SIMILARITY_THRESHOLD'])
      expect(stderr).toContain(name);
  });

  it('a local embedding model whose files are absent stops start-up with exit code 78 and what is missing', async () => {
    const missing = path.join(directory('vasdom-model-'), 'multilingual-e5-small');
    const { stderr, code } = await expectStartupFailure({
      EMBEDDING_PROVIDER: 'transformers',
      EMBEDDING_MODEL_PATH: missing,
    });
    expect(code).toBe(78);
    expect(stderr).toContain(`EMBEDDING_MODEL_PATH: ${missing} is not a directory`);
    expect(stderr).not.toMatch(/^\s+at /m);
  });

  it('a broken company profile stops start-up with the reason', async () => {
    const dir = directory('vasdom-profile-');
    const profile = path.join(dir, 'profile.json');
    writeFileSync(profile, '{"company": ');
    const { stderr } = await expectStartupFailure({ COMPANY_PROFILE_PATH: profile });
    expect(stderr).toContain('COMPANY_PROFILE_PATH');
  });
});

describe('.env in the working directory', () => {
  async function startIn(cwd: string, env: Record<string, string> = {}): Promise<ChildService> {
    const child = spawnService({
      cwd,
      loader: TSX_LOADER,
      script: MAIN_SCRIPT,
      env: { NODE_ENV: 'test', ...env },
    });
    children.push(child);
    return child;
  }

  it('is read: port, data directory and thresholds come from the file', async () => {
    const cwd = directory('vasdom-dotenv-');
    const port = await freePort();
    writeFileSync(
      path.join(cwd, '.env'),
      [
        '# written by config.test.ts',
        `PORT=${port}`,
        'HOST=127.0.0.1',
        'DATA_DIR=./env-data',
        'LOG_LEVEL=silent',
        'MIN_RATING_THRESHOLD=5',
        '',
      ].join('\n'),
    );
    const child = await startIn(cwd);
    const baseUrl = `http://127.0.0.1:${port}`;
    await waitUntilHealthy(baseUrl, child);
    expect(existsSync(path.join(cwd, 'env-data', 'vasdom.sqlite'))).toBe(true);

    const answer = await sendRequest(baseUrl, 'POST', '/api/voice/process', { message: 'Сколько домов?' });
    expect(answer.status).toBe(200);
    const rated = await sendRequest(baseUrl, 'POST', '/api/voice/feedback', {
      log_id: answer.body.log_id,
      rating: 4,
    });
    expect(rated.body.will_be_used_for_training).toBe(false);
    const exported = await sendRequest(baseUrl, 'GET', '/api/learning/export');
    expect(exported.body.min_rating_used).toBe(5);

    await child.kill('SIGTERM');
    expect((await child.exited).code).toBe(0);
  });

  it('is overridden by variables set in the process environment', async () => {
    const cwd = directory('vasdom-dotenv-');
    const port = await freePort();
    writeFileSync(path.join(cwd, '.env'), 'PORT=abc\nDATA_DIR=./env-data\nLOG_LEVEL=silent\n');
    const child = await startIn(cwd, { PORT: String(port), HOST: '127.0.0.1' });
    await waitUntilHealthy(`http://127.0.0.1:${port}`, child);
    await child.kill('SIGTERM');
    expect((await child.exited).code).toBe(0);
  });

  it('with an invalid value stops start-up and names the variable', async () => {
    const cwd = directory('vasdom-dotenv-');
    writeFileSync(path.join(cwd, '.env'), 'MIN_RATING_THRESHOLD=9\nDATA_DIR=./env-data\nLOG_LEVEL=silent\n');
    const child = await startIn(cwd, { PORT: String(await freePort()), HOST: '127.0.0.1' });
    const { code } = await child.exited;
    expect(code).not.toBe(0);
    expect(child.stderr()).toContain('MIN_RATING_THRESHOLD');
  });
});

/** The same validation in-process (spawning costs ~2 s each), for the remaining variables and bounds. */
describe('configuration validation', () => {
  it.each([
    ['PORT', '70000'],
    ['PORT', '-1'],
    ['MIN_RATING_THRESHOLD', '0'],
    ['MIN_RATING_THRESHOLD', '4.5'],
    ['SIMILARITY_THRESHOLD', '1.5'],
    ['RETRAINING_THRESHOLD', '7'],
    ['EVALUATION_SCHEDULE_DAYS', 'weekly'],
    ['USE_LOCAL_MODEL', 'maybe'],
    ['LLM_BASE_URL', 'not a url'],
    ['LLM_TIMEOUT_MS', '-5'],
    ['LOG_LEVEL', 'loud'],
    ['NODE_ENV', 'staging'],
    ['DATABASE_URL', 'mongodb://localhost/vasdom'],
    ['ADMIN_API_KEYS', ' , '],
    ['ADMIN_API_KEYS', 'an-admin-key-000001,,an-admin-key-000002'],
    ['USER_API_KEYS', ','],
    ['USER_API_KEYS', 'a-user-key-0000001 with-a-space'],
    ['TRUST_PROXY', 'true'],
    ['TRUST_PROXY', '192.168.0.0/40'],
    ['SERVICE_HOSTNAMES', 'https://vasdom.example'],
  ])('%s=%s is rejected with a message naming it', (name, value) => {
    expect(() => parseConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => parseConfig({ [name]: value })).toThrow(name);
  });

  it('accepts the defaults and the prototype names', () => {
    const config = parseConfig({
      EMERGENT_LLM_KEY: 'key',
      CORS_ORIGINS: 'https://a.example, https://b.example',
    });
    expect(config.http.port).toBe(8001);
    expect(config.learning).toMatchObject({
      minRatingThreshold: 4,
      retrainingThreshold: 3.5,
      evaluationScheduleDays: 7,
    });
    expect(config.llm?.apiKey).toBe('key');
    expect(config.http.corsOrigins).toEqual(['https://a.example', 'https://b.example']);
  });
});
