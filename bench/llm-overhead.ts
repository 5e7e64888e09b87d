/**
 * The service's own time on the LLM path: POST /api/voice/process and /api/voice/process/stream, one at a
 * time, against a fake OpenAI-compatible provider on loopback that answers after a fixed delay and
 * records how long it held each request. Overhead = the client's total time − the provider's time:
 * retrieval, the session's history, the prompt, the client library, storing the conversation, HTTP.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LlmOverheadResult } from './results.js';
import type { Context, SeededData } from './scenarios.js';
import { freshDataDir } from './scenarios.js';
import { HOST, startService } from './service.js';

const PROVIDER_DELAY_MS = 20;
const WARMUP_REQUESTS = 50;
const MEASURED_REQUESTS = 400;
const ANSWER = 'Уборка подъездов в этом доме проходит по понедельникам и четвергам с 9 до 13 часов.';

/** A provider that answers every chat completion after PROVIDER_DELAY_MS; `held` lists their times. */
async function startFakeProvider(): Promise<{ baseUrl: string; held: number[]; close(): Promise<void> }> {
  const held: number[] = [];
  const completion = (model: string) => ({
    id: 'chatcmpl-bench',
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [{ index: 0, message: { role: 'assistant', content: ANSWER }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 400, completion_tokens: 40, total_tokens: 440 },
  });
  const server = http.createServer((request, response) => {
    if (!request.url?.endsWith('/chat/completions')) {
      // The service's background reachability probe (GET /models) is not part of a question's time.
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ object: 'list', data: [{ id: 'bench-model', object: 'model' }] }));
      return;
    }
    const arrived = performance.now();
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as {
        model?: string;
        stream?: boolean;
      };
      setTimeout(() => {
        const model = body.model ?? 'bench-model';
        if (body.stream) {
          response.writeHead(200, { 'content-type': 'text/event-stream' });
          const chunk = (delta: object, extra: object = {}) =>
            `data: ${JSON.stringify({ id: 'chatcmpl-bench', object: 'chat.completion.chunk', created: 0, model, choices: [{ index: 0, delta, finish_reason: null }], ...extra })}\n\n`;
          for (const piece of ANSWER.match(/.{1,20}/gu) ?? []) response.write(chunk({ content: piece }));
          response.write(
            chunk(
              {},
              { choices: [], usage: { prompt_tokens: 400, completion_tokens: 40, total_tokens: 440 } },
            ),
          );
          response.end('data: [DONE]\n\n');
        } else {
          response.writeHead(200, { 'content-type': 'application/json' });
          response.end(JSON.stringify(completion(model)));
        }
        held.push(performance.now() - arrived);
      }, PROVIDER_DELAY_MS);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://${HOST}:${port}/v1`,
    held,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** POSTs one body and reads the whole answer; milliseconds from sending to the last byte. */
function post(url: string, body: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const request = http.request(
      url,
      { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': body.length } },
      (response) => {
        response.on('data', () => {});
        response.on('end', () =>
          response.statusCode === 200
            ? resolve(performance.now() - started)
            : reject(new Error(`${url} answered ${response.statusCode}`)),
        );
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

const percentile = (sorted: number[], share: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * share))] as number;

export async function measureLlmOverhead(
  context: Context,
  stored: number,
  seeded: SeededData | undefined,
  bodies: readonly Buffer[],
): Promise<LlmOverheadResult> {
  const provider = await startFakeProvider();
  const dataDir = freshDataDir(context, `llm-${stored}`, seeded?.pristine);
  const service = await startService({
    root: context.root,
    dataDir,
    cwd: context.work,
    environment: { LLM_BASE_URL: provider.baseUrl, LLM_API_KEY: 'bench-key', LLM_MODEL: 'bench-model' },
  });
  try {
    const measure = async (path: string) => {
      const overheads: number[] = [];
      for (let request = 0; request < WARMUP_REQUESTS + MEASURED_REQUESTS; request++) {
        const before = provider.held.length;
        const total = await post(`${service.baseUrl}${path}`, bodies[request % bodies.length] as Buffer);
        if (provider.held.length !== before + 1) throw new Error(`${path} did not call the provider once`);
        if (request >= WARMUP_REQUESTS) overheads.push(total - (provider.held.at(-1) as number));
      }
      const sorted = overheads.sort((left, right) => left - right);
      return { p50Ms: percentile(sorted, 0.5), p99Ms: percentile(sorted, 0.99) };
    };
    context.log(`[${stored}] LLM path overhead: ${MEASURED_REQUESTS} questions, one at a time`);
    const answered = await measure('/api/voice/process');
    const streamed = await measure('/api/voice/process/stream');
    context.log(
      `[${stored}] LLM path overhead p50 ${answered.p50Ms.toFixed(2)} ms, streamed ${streamed.p50Ms.toFixed(2)} ms`,
    );
    return { stored, requests: MEASURED_REQUESTS, providerDelayMs: PROVIDER_DELAY_MS, answered, streamed };
  } catch (error) {
    context.log(`service output:\n${service.output()}`);
    throw error;
  } finally {
    await service.stop();
    await provider.close();
  }
}
