import { describe, expect, it } from 'vitest';
import { eventually } from '../helpers/eventually.js';
import { expectValidationError } from './support/api.js';
import { useFakeLlmService, useTestService } from './support/service-block.js';
import { readStream, streamedText } from './support/sse.js';

const MODEL_ANSWER = 'По субботам бригады убирают подъезды с 9 до 15 часов.';
const STREAM_PATH = '/api/voice/process/stream';

describe('POST /api/voice/process/stream', () => {
  const llm = useFakeLlmService({ LLM_API_KEY: 'stream-test-key', LLM_MODEL: 'gpt-4o-mini' });

  const ask = (message: string, options: Parameters<typeof readStream>[2] = {}) =>
    readStream(`${llm.service.baseUrl}${STREAM_PATH}`, { message }, options);

  it('streams the LLM answer piece by piece, then the fields of /api/voice/process, and stores it once', async () => {
    llm.fake.respondWith({ kind: 'answer', text: MODEL_ANSWER, model: 'gpt-4o-mini-2024-07-18', pieces: 4 });
    const stream = await ask('Во сколько убирают подъезды по субботам?');
    expect(stream.status).toBe(200);
    expect(stream.contentType).toBe('text/event-stream; charset=utf-8');
    const deltas = stream.events.filter((event) => event.event === 'delta');
    expect(deltas.length).toBe(4);
    expect(streamedText(stream.events)).toBe(MODEL_ANSWER);
    const done = stream.events.at(-1);
    expect(done?.event).toBe('done');
    expect(done?.data).toMatchObject({ response: MODEL_ANSWER, model_used: 'gpt-4o-mini-2024-07-18' });
    expect(Object.keys(done?.data).sort()).toEqual(
      [
        'learning_improved',
        'log_id',
        'model_used',
        'response',
        'response_time',
        'session_id',
        'similar_found',
      ].sort(),
    );
    expect(llm.fake.requests.at(-1)?.body.stream).toBe(true);
    const stored = await llm.service.services.conversations.findById(done?.data.log_id);
    expect(stored).toMatchObject({
      ai_response: MODEL_ANSWER,
      answer_source: 'llm',
      prompt_tokens: 120,
      completion_tokens: 30,
      interrupted: 0,
      llm_failure: null,
    });
    expect(stored?.prompt_version).toMatch(/^system-prompt@1#[0-9a-f]{8}$/);
  });

  it('withdraws what was streamed when the provider cuts the stream, and answers without the LLM', async () => {
    llm.fake.respondWith({ kind: 'partial', text: MODEL_ANSWER, pieces: 2, ending: 'cut' });
    const stream = await ask('Сколько сотрудников работает в компании?');
    const names = stream.events.map((event) => event.event);
    expect(names.slice(0, 2)).toEqual(['delta', 'delta']);
    expect(names.slice(2)).toEqual(['reset', 'delta', 'done']);
    const done = stream.events.at(-1)?.data;
    expect(done.model_used).toBe('fallback');
    expect(streamedText(stream.events)).toBe(done.response);
    expect(done.response).toContain('82');
    const stored = await llm.service.services.conversations.findById(done.log_id);
    expect(stored).toMatchObject({ answer_source: 'fallback', llm_failure: 'malformed', interrupted: 0 });
  });

  it('keeps an answer the provider ended for its length (max_tokens): the call itself is whole', async () => {
    llm.fake.respondWith({ kind: 'answer', text: MODEL_ANSWER, finishReason: 'length' });
    const stream = await ask('Во сколько убирают подъезды по субботам? (длинный ответ)');
    const done = stream.events.at(-1)?.data;
    expect(stream.events.map((event) => event.event)).toEqual(['delta', 'delta', 'delta', 'done']);
    expect(done).toMatchObject({ response: MODEL_ANSWER, model_used: 'gpt-4o-mini' });
    const stored = await llm.service.services.conversations.findById(done.log_id);
    expect(stored).toMatchObject({ answer_source: 'llm', llm_failure: null });
  });

  describe('a provider that closes an unframed connection before the end of its answer', () => {
    // Two pieces without a finish reason and without [DONE], then the connection closes: with neither
    // Content-Length nor chunked encoding, that is a clean end of the body to the HTTP client.
    const cut = { kind: 'unframed-cut', text: MODEL_ANSWER, pieces: 2 } as const;
    const truncated = MODEL_ANSWER.slice(0, 2 * Math.ceil(MODEL_ANSWER.length / 3));
    const malformedFailures = async () => {
      const metrics = (await llm.api.request('GET', '/api/metrics')).body as string;
      return Number(/^vasdom_llm_failures_total\{reason="malformed"\} (\d+)$/m.exec(metrics)?.[1] ?? 0);
    };

    it('withdraws the streamed pieces and answers without the LLM', async () => {
      llm.fake.respondWith(cut);
      const failuresBefore = await malformedFailures();
      const stream = await ask('Сколько сотрудников работает в компании? (поток оборван)');
      const names = stream.events.map((event) => event.event);
      expect(names).toEqual(['delta', 'delta', 'reset', 'delta', 'done']);
      expect(stream.events[0]?.data.text + stream.events[1]?.data.text).toBe(truncated);
      const done = stream.events.at(-1)?.data;
      expect(done.model_used).toBe('fallback');
      expect(streamedText(stream.events)).toBe(done.response);
      expect(done.response).toContain('82');
      const stored = await llm.service.services.conversations.findById(done.log_id);
      expect(stored).toMatchObject({ answer_source: 'fallback', llm_failure: 'malformed', interrupted: 0 });
      expect(stored?.ai_response).not.toContain(truncated);
      expect(await malformedFailures()).toBe(failuresBefore + 1);
    });

    it('answers a plain question without the LLM when the JSON answer is cut', async () => {
      llm.fake.respondWith(cut);
      const failuresBefore = await malformedFailures();
      const answer = await llm.api.ask('Сколько сотрудников работает в компании? (ответ оборван)');
      expect(answer.model_used).toBe('fallback');
      expect(answer.response).toContain('82');
      const stored = await llm.service.services.conversations.findById(answer.log_id);
      expect(stored).toMatchObject({ answer_source: 'fallback', llm_failure: 'malformed', interrupted: 0 });
      expect(await malformedFailures()).toBe(failuresBefore + 1);
    });
  });

  it('stops the provider call when the client goes away, and keeps the conversation as interrupted', async () => {
    llm.fake.respondWith({ kind: 'partial', text: MODEL_ANSWER, pieces: 1, ending: 'hang' });
    const abandonedBefore = llm.fake.abandoned;
    const question = 'Кто убирает подъезды по субботам в Северном районе?';
    const stream = await ask(question, {
      onEvent: (event, controller) => {
        if (event.event === 'delta') controller.abort();
      },
    });
    expect(stream.events.map((event) => event.event)).toEqual(['delta']);
    const first = stream.events[0]?.data.text as string;
    // The provider's request is aborted, and the conversation is stored with what was written.
    await eventually(() => llm.fake.abandoned > abandonedBefore);
    const stored = await eventually(() =>
      llm.service.services.database.db
        .selectFrom('conversations')
        .selectAll()
        .where('user_message', '=', question)
        .executeTakeFirst(),
    );
    expect(stored).toMatchObject({ ai_response: first, answer_source: 'llm', interrupted: 1 });
    const metrics = await llm.api.request('GET', '/api/metrics');
    expect(metrics.body).toMatch(/^vasdom_ai_responses_total\{status="interrupted"\} 1$/m);
  });

  it('rejects bad input with 422 before streaming', async () => {
    const response = await llm.api.request('POST', STREAM_PATH, { message: '' });
    expectValidationError(response, ['body', 'message']);
    expect(llm.api.serverErrors()).toEqual([]);
  });
});

describe('POST /api/voice/process/stream without an LLM', () => {
  const context = useTestService();

  it('streams the answer as one piece', async () => {
    const stream = await readStream(`${context.service.baseUrl}${STREAM_PATH}`, {
      message: 'Сколько сотрудников работает в компании?',
      session_id: 'stream-session',
    });
    expect(stream.events.map((event) => event.event)).toEqual(['delta', 'done']);
    expect(stream.events[1]?.data).toMatchObject({ model_used: 'fallback', session_id: 'stream-session' });
    expect(stream.events[0]?.data.text).toBe(stream.events[1]?.data.response);
  });
});
