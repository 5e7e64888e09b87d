import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import path from 'node:path';
import autocannon from 'autocannon';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../helpers/eventually.js';
import { FakeOpenAiServer } from '../helpers/fake-openai-server.js';
import { temporaryDirectory } from '../helpers/test-service.js';
import { openStorage } from '../helpers/test-storage.js';
import { type ChildService, startChildService } from './support/child-service.js';
import { readStream } from './support/sse.js';

const SLOW_ANSWER = 'Ответ, который модель пишет долго.';

describe('graceful shutdown', () => {
  let fake: FakeOpenAiServer;
  const children: ChildService[] = [];

  beforeAll(async () => {
    fake = await new FakeOpenAiServer().start();
  });
  afterAll(async () => {
    for (const child of children) await child.kill('SIGKILL');
    await fake?.stop();
  });

  async function start(dataDir: string, env: Record<string, string> = {}) {
    const { child, baseUrl } = await startChildService({
      DATA_DIR: dataDir,
      LOG_LEVEL: 'info',
      LOG_FORMAT: 'json',
      LOG_FILE: 'off',
      LLM_BASE_URL: fake.baseUrl,
      ...env,
    });
    children.push(child);
    return { child, baseUrl };
  }

  const ask = (baseUrl: string, message: string) =>
    fetch(`${baseUrl}/api/voice/process`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ message }),
    });

  it.each(['SIGTERM', 'SIGINT'] as const)(
    'on %s finishes the answer in flight, stores it, refuses new work and exits 0',
    async (signal) => {
      const dataDir = temporaryDirectory('vasdom-shutdown-');
      const { child, baseUrl } = await start(dataDir);
      fake.respondWith({ kind: 'answer', text: SLOW_ANSWER, delayMs: 1500 });
      const question = `Вопрос перед остановкой (${signal})`;
      const inFlight = ask(baseUrl, question);
      await new Promise((resolve) => setTimeout(resolve, 300));
      child.child.kill(signal);
      await new Promise((resolve) => setTimeout(resolve, 200));
      // New work is refused while the answer in flight is being finished.
      const refused = await ask(baseUrl, 'Новый вопрос').then(
        (response) => response.status,
        () => 'connection refused',
      );
      expect([503, 'connection refused']).toContain(refused);

      const response = await inFlight;
      expect(response.status).toBe(200);
      expect(((await response.json()) as { response: string }).response).toBe(SLOW_ANSWER);
      const exit = await child.exited;
      expect(exit, `${child.stderr()}\n${child.stdout().slice(-3000)}`).toEqual({ code: 0, signal: null });
      expect(child.stdout()).toContain('"msg":"stopped"');

      const database = await openStorage(dataDir);
      try {
        const stored = await database.db
          .selectFrom('conversations')
          .select('ai_response')
          .where('user_message', '=', question)
          .executeTakeFirst();
        expect(stored?.ai_response).toBe(SLOW_ANSWER);
        if (database.kind === 'sqlite') {
          const check = await sql<{ integrity_check: string }>`pragma integrity_check`.execute(database.db);
          expect(check.rows).toEqual([{ integrity_check: 'ok' }]);
        }
      } finally {
        await database.close();
      }
    },
  );

  it('cuts the LLM calls in flight short, answers and stores their questions without the LLM, and exits 0 within SHUTDOWN_TIMEOUT_MS', async () => {
    const dataDir = temporaryDirectory('vasdom-shutdown-');
    // The question's deadline is far beyond the shutdown window, as by default (30 s against 10 s).
    const { child, baseUrl } = await start(dataDir, {
      SHUTDOWN_TIMEOUT_MS: '2000',
      LLM_DEADLINE_MS: '30000',
      LLM_TIMEOUT_MS: '30000',
    });
    // The plain question's call hangs; the streamed one's sends a first piece, then hangs.
    fake.respondWith({ kind: 'hang' }, { kind: 'partial', text: SLOW_ANSWER, pieces: 1, ending: 'hang' });
    const calls = fake.requests.length;
    const plainQuestion = 'Вопрос к зависшей модели перед остановкой';
    const streamedQuestion = 'Вопрос в потоке к зависшей модели перед остановкой';
    const plain = ask(baseUrl, plainQuestion);
    await eventually(() => fake.requests.length === calls + 1);
    let firstPiece: () => void = () => {};
    const pieceArrived = new Promise<void>((resolve) => {
      firstPiece = resolve;
    });
    const streamed = readStream(
      `${baseUrl}/api/voice/process/stream`,
      { message: streamedQuestion },
      { onEvent: (event) => event.event === 'delta' && firstPiece() },
    );
    await pieceArrived;

    const signalled = performance.now();
    child.child.kill('SIGTERM');
    const [plainResponse, stream] = await Promise.all([
      plain.then(async (response) => ({ status: response.status, body: (await response.json()) as any })),
      streamed,
    ]);
    const exit = await child.exited;
    expect(exit, `${child.stderr()}\n${child.stdout().slice(-3000)}`).toEqual({ code: 0, signal: null });
    expect(performance.now() - signalled).toBeLessThan(2000);

    expect(plainResponse.status).toBe(200);
    expect(plainResponse.body.model_used).toBe('fallback');
    expect(stream.status).toBe(200);
    expect(stream.events.map((event) => event.event)).toEqual(['delta', 'reset', 'delta', 'done']);
    const done = stream.events[3]?.data;
    expect(done.model_used).toBe('fallback');
    expect(stream.events[2]?.data.text).toBe(done.response);

    const database = await openStorage(dataDir);
    try {
      const stored = await database.db
        .selectFrom('conversations')
        .select(['id', 'user_message', 'ai_response', 'answer_source', 'llm_failure', 'interrupted'])
        .where('user_message', 'in', [plainQuestion, streamedQuestion])
        .orderBy('user_message')
        .execute();
      expect(stored).toEqual(
        [
          { id: plainResponse.body.log_id, question: plainQuestion, answer: plainResponse.body.response },
          { id: done.log_id, question: streamedQuestion, answer: done.response },
        ]
          .sort((a, b) => (a.question < b.question ? -1 : 1))
          .map(({ id, question, answer }) => ({
            id,
            user_message: question,
            ai_response: answer,
            answer_source: 'fallback',
            llm_failure: 'shutdown',
            interrupted: 0,
          })),
      );
    } finally {
      await database.close();
    }
  });

  it('answers a burst of probes and requests while nobody reads its output, then exits in time', async () => {
    const dataDir = temporaryDirectory('vasdom-shutdown-');
    const logFile = path.join(dataDir, 'logs', 'vasdom.log');
    const { child, baseUrl } = await start(dataDir, {
      NODE_ENV: 'production',
      LOG_FILE: logFile,
      LOG_BUFFER_SIZE: '64K',
      SHUTDOWN_TIMEOUT_MS: '3000',
    });
    // Standard output stops being read: the pipe fills up, as behind a stuck log collector.
    child.child.stdout?.pause();
    // Health probes and ordinary requests in turn; the requests' lines, with their long ids (some 1 MB),
    // are far more than the pipe and the buffer hold.
    const burst = await new Promise<autocannon.Result>((resolve, reject) => {
      autocannon(
        {
          url: baseUrl,
          connections: 16,
          amount: 6000,
          timeout: 2,
          headers: { 'x-request-id': 'r'.repeat(120) },
          requests: [{ path: '/api/health' }, { path: '/api/' }],
        },
        (error: unknown, result: autocannon.Result) => (error ? reject(error) : resolve(result)),
      );
    });
    expect(burst.errors + burst.timeouts + burst.non2xx, JSON.stringify(burst.statusCodeStats)).toBe(0);
    const metrics = await (await fetch(`${baseUrl}/api/metrics`)).text();
    const dropped = Number(
      /^vasdom_log_lines_dropped_total\{destination="console"\} (\d+)$/m.exec(metrics)?.[1],
    );
    expect(
      dropped,
      `${burst.requests.total} requests, ${child.stdout().length} characters read`,
    ).toBeGreaterThan(0);

    const signalled = performance.now();
    child.child.kill('SIGTERM');
    const exit = await child.exited;
    expect(exit, child.stderr()).toEqual({ code: 0, signal: null });
    expect(performance.now() - signalled).toBeLessThan(3000);
    // The log file kept up: it has the shutdown's last line, then what the console lost.
    const lines = readFileSync(logFile, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { msg: string; droppedLines?: { console: number } });
    expect(lines.slice(-2).map((line) => line.msg)).toEqual(['stopped', 'log lines dropped']);
    expect(lines.at(-1)?.droppedLines?.console).toBeGreaterThan(dropped);
  });

  it('exits 1 when the work in flight outlasts SHUTDOWN_TIMEOUT_MS', async () => {
    const { child, baseUrl } = await start(temporaryDirectory('vasdom-shutdown-'), {
      SHUTDOWN_TIMEOUT_MS: '300',
    });
    // A client that sends half its question and then nothing: its request stays in flight.
    const url = new URL(`${baseUrl}/api/voice/process`);
    const stalled = httpRequest(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': '100' },
    });
    stalled.on('error', () => undefined);
    stalled.write('{"message": "Вопрос, который');
    await new Promise((resolve) => setTimeout(resolve, 300));
    const started = performance.now();
    child.child.kill('SIGTERM');
    const exit = await child.exited;
    expect(exit.code).toBe(1);
    expect(performance.now() - started).toBeLessThan(5000);
    expect(child.stdout()).toContain('shutdown timed out');
    stalled.destroy();
  });
});
