import { existsSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/config.schema.js';
import { createLogging, requestContext } from '../../src/observability/logger.js';
import { eventually } from '../helpers/eventually.js';
import { FakeOpenAiServer } from '../helpers/fake-openai-server.js';
import { startTestService, type TestService, temporaryDirectory } from '../helpers/test-service.js';
import { type ChildService, startChildService } from './support/child-service.js';

const QUESTION = 'Когда моют окна в подъезде на улице Ленина, дом 12?';
const SECRET_KEY = 'sk-test-secret-4242';

function jsonLines(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** A console stream that keeps what is written to it. */
function captured() {
  let text = '';
  const stream = new Writable({
    write(chunk, _encoding, callback) {
      text += chunk.toString();
      callback();
    },
  });
  return { stream, text: () => text };
}

describe('logs of a running service', () => {
  let service: ChildService | undefined;
  let fake: FakeOpenAiServer | undefined;
  afterEach(async () => {
    await service?.kill();
    await fake?.stop();
    service = undefined;
    fake = undefined;
  });

  async function start(env: Record<string, string>) {
    const dataDir = temporaryDirectory('vasdom-logs-');
    const started = await startChildService({
      NODE_ENV: 'production',
      LOG_LEVEL: 'info',
      DATA_DIR: dataDir,
      ...env,
    });
    service = started.child;
    return { baseUrl: started.baseUrl, logFile: path.join(dataDir, 'logs', 'vasdom.log') };
  }

  it('writes JSON lines to stdout and to the log file, each line of a request with its id', async () => {
    fake = await new FakeOpenAiServer().start();
    // The provider fails, so that a warning is logged while the request is handled.
    fake.respondWith({ kind: 'status', status: 500 });
    const { baseUrl, logFile } = await start({ LLM_BASE_URL: fake.baseUrl, LLM_API_KEY: SECRET_KEY });
    const response = await fetch(`${baseUrl}/api/voice/process`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'client-trace-17' },
      body: JSON.stringify({ message: QUESTION }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-request-id')).toBe('client-trace-17');
    const generated = await fetch(`${baseUrl}/api/health`, {
      headers: { 'x-request-id': 'bad id\twith spaces' },
    });
    expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);

    const fileLines = await eventually(() => {
      const lines = existsSync(logFile) ? jsonLines(readFileSync(logFile, 'utf8')) : [];
      return lines.some((line) => line.msg === 'request' && line.requestId === 'client-trace-17') && lines;
    });
    const ofRequest = fileLines.filter((line) => line.requestId === 'client-trace-17');
    expect(ofRequest.map((line) => line.msg)).toEqual(
      expect.arrayContaining(['LLM call failed; answering without it', 'answered', 'request']),
    );
    const answered = ofRequest.find((line) => line.msg === 'answered');
    expect(answered).toMatchObject({
      level: 30,
      module: 'chat',
      source: 'fallback',
      messageLength: QUESTION.length,
    });
    expect(ofRequest.find((line) => line.msg === 'request')).toMatchObject({
      method: 'POST',
      route: '/api/voice/process',
      status: 200,
    });
    for (const line of fileLines) expect(typeof line.time).toBe('string');
    // Standard output carries the same JSON lines.
    expect(jsonLines(service?.stdout() ?? '').some((line) => line.requestId === 'client-trace-17')).toBe(
      true,
    );

    const everything = `${readFileSync(logFile, 'utf8')}${service?.stdout()}${service?.stderr()}`;
    expect(everything).not.toContain(SECRET_KEY);
    expect(everything).not.toContain('Ленина');
  });

  it('logs what users typed only with LOG_MESSAGE_TEXT', async () => {
    const { baseUrl, logFile } = await start({ LOG_MESSAGE_TEXT: 'true', LOG_FILE: 'off' });
    await fetch(`${baseUrl}/api/voice/process`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ message: QUESTION }),
    });
    const answered = await eventually(() =>
      jsonLines(service?.stdout() ?? '').find((line) => line.msg === 'answered'),
    );
    expect(answered.message).toBe(QUESTION);
    expect(existsSync(logFile)).toBe(false);
  });
});

describe('request lines', () => {
  const PROBES = [
    '/api/health',
    '/api/health/ready',
    '/api/health/live',
    '/api/voice/health',
    '/api/metrics',
  ];
  let service: TestService | undefined;
  afterEach(async () => {
    await service?.close();
    service = undefined;
  });

  async function start(env: Record<string, string> = {}) {
    const console = captured();
    service = await startTestService(
      { LOG_LEVEL: 'info', LOG_FORMAT: 'json', LOG_FILE: 'off', ...env },
      temporaryDirectory(),
      { logConsole: console.stream },
    );
    const { baseUrl } = service;
    // Probes first: once the ordinary request's line is there, theirs would be too.
    const get = async (url: string) =>
      (await fetch(`${baseUrl}${url}`, { headers: { 'x-request-id': `get${url.replaceAll('/', '.')}` } }))
        .status;
    return {
      service,
      get,
      /** The request lines, once the line of a last ordinary request is there. */
      async requestLines() {
        expect(await get('/api/')).toBe(200);
        return eventually(() => {
          const lines = jsonLines(console.text()).filter((line) => line.msg === 'request');
          return lines.some((line) => line.route === '/api/') && lines;
        });
      },
    };
  }

  it('leaves out health, readiness, liveness and metrics probes by default, not ordinary requests', async () => {
    const { get, requestLines } = await start();
    await eventually(async () => (await get('/api/health/ready')) === 200);
    for (const probe of PROBES) expect(await get(probe)).toBe(200);
    expect(await get('/api/learning/stats')).toBe(200);
    const lines = await requestLines();
    expect(lines.map((line) => line.route)).toEqual(['/api/learning/stats', '/api/']);
    expect(lines[0]).toMatchObject({ requestId: 'get.api.learning.stats', method: 'GET', status: 200 });
  });

  it('logs a probe that fails, and every probe with LOG_PROBES', async () => {
    const first = await start();
    const { health } = first.service.services;
    const readiness = health.readiness.bind(health);
    // The index still loading stands in for any reason not to be ready.
    health.readiness = () => ({ ...readiness(), ready: false, reasons: ['retrieval index loading'] });
    expect(await first.get('/api/health/ready')).toBe(503);
    expect(await first.get('/api/health/live')).toBe(200);
    const failing = await first.requestLines();
    expect(failing.map((line) => [line.route, line.status])).toEqual([
      ['/api/health/ready', 503],
      ['/api/', 200],
    ]);
    await service?.close();

    const all = await start({ LOG_PROBES: 'true' });
    for (const probe of PROBES) await all.get(probe);
    const lines = await all.requestLines();
    expect(lines.map((line) => line.route)).toEqual([...PROBES, '/api/']);
  });
});

describe('createLogging', () => {
  const directories: string[] = [];
  afterEach(() => {
    for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
  });

  it('writes readable lines with time, level, module and message in development', () => {
    const console = captured();
    const config = parseConfig({ NODE_ENV: 'development', LOG_FILE: 'off', LOG_LEVEL: 'info' });
    const { logger } = createLogging(config, { console: console.stream });
    requestContext.run({ requestId: 'req-9' }, () => logger.child({ module: 'chat' }).info('answered'));
    expect(console.text()).toMatch(/^\[\d{2}:\d{2}:\d{2}\.\d{3}\] INFO: \(chat\) answered\n/);
    expect(console.text()).toContain('requestId: "req-9"');
  });

  it('drops what a console that cannot keep up would pile up, counts it, and says so in the file', async () => {
    const directory = temporaryDirectory('vasdom-log-drops-');
    directories.push(directory);
    const file = path.join(directory, 'logs', 'vasdom.log');
    const config = parseConfig({ NODE_ENV: 'production', DATA_DIR: directory, LOG_BUFFER_SIZE: '32K' });
    // A reader that has stopped reading: nothing written to it ever completes.
    const stalled = new Writable({ write() {} });
    const logging = createLogging(config, { console: stalled });
    const lines = 2000;
    // In rounds of 12K, each once the file shows the one before (which may still count as held until its
    // write completes): the file keeps up.
    for (let line = 0; line < lines; line++) {
      logging.logger.info({ line }, 'a line the console cannot take');
      if (line % 100 === 99) {
        await eventually(() => existsSync(file) && readFileSync(file, 'utf8').split('\n').length > line + 1);
      }
    }

    const dropped = logging.droppedLines();
    expect(dropped.file).toBe(0);
    expect(dropped.console).toBeGreaterThan(lines / 2);
    const notice = await eventually(
      () =>
        existsSync(file) &&
        jsonLines(readFileSync(file, 'utf8')).find((line) => line.msg === 'log lines dropped'),
    );
    expect(notice).toMatchObject({ level: 40, droppedLines: { console: dropped.console, file: 0 } });
    // Everything the console took is still held in memory, and that is at most the buffer's size.
    const lineBytes = Buffer.byteLength(readFileSync(file, 'utf8').split('\n')[0] ?? '') + 1;
    expect((lines - dropped.console) * lineBytes).toBeLessThanOrEqual(32 * 1024);

    // The console never drains: closing gives up on it after the time it is given.
    const started = performance.now();
    await logging.close(300);
    expect(performance.now() - started).toBeLessThan(1000);
    const written = jsonLines(readFileSync(file, 'utf8')).filter((line) => line.line !== undefined);
    expect(written).toHaveLength(lines);
  });

  it('rotates the file at its size and deletes parts older than the kept days', async () => {
    const directory = temporaryDirectory('vasdom-rotation-');
    directories.push(directory);
    const file = path.join(directory, 'logs', 'vasdom.log');
    const stale = path.join(directory, 'logs', 'vasdom.log.2020-01-01T00-00-00.000Z.0');
    const config = parseConfig({
      NODE_ENV: 'production',
      DATA_DIR: directory,
      LOG_FILE_MAX_SIZE: '2K',
      LOG_FILE_MAX_AGE_DAYS: '7',
    });
    const console = captured();
    const logging = createLogging(config, { console: console.stream });
    writeFileSync(stale, 'old\n');
    const tenDaysAgo = (Date.now() - 10 * 24 * 3600 * 1000) / 1000;
    utimesSync(stale, tenDaysAgo, tenDaysAgo);
    // Lines written meanwhile are written together: a pause now and then, as in a service, lets it rotate.
    for (let line = 0; line < 200; line++) {
      logging.logger.info({ line }, 'filling the log file');
      if (line % 10 === 9) await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await logging.close();

    const parts = readdirSync(path.dirname(file)).filter((name) => name.startsWith('vasdom.log.'));
    expect(parts.length).toBeGreaterThan(1);
    expect(parts).not.toContain(path.basename(stale));
    const lines = [file, ...parts.map((name) => path.join(path.dirname(file), name))].flatMap((part) =>
      jsonLines(readFileSync(part, 'utf8')),
    );
    // Nothing lost across rotations.
    expect(lines.map((line) => line.line).sort((a, b) => Number(a) - Number(b))).toEqual([
      ...Array(200).keys(),
    ]);
  });
});
