import { beforeEach, describe, expect, it } from 'vitest';
import type { ResilientChatModel } from '../../src/providers/chat/resilient-chat-model.js';
import { eventually } from '../helpers/eventually.js';
import { useFakeLlmService } from './support/service-block.js';

const MODEL_ANSWER = 'Генеральная уборка подъезда стоит от 3 500 рублей.';
const QUESTION = 'Сколько стоит генеральная уборка подъезда?';

function sample(metrics: string, name: string, labels = ''): number {
  const line = metrics.split('\n').find((entry) => entry.startsWith(`${name}${labels} `));
  return line === undefined ? Number.NaN : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('an LLM that fails: retries, the circuit breaker and the deadline', () => {
  const llm = useFakeLlmService({
    LLM_API_KEY: 'resilience-test-key',
    LLM_RETRIES: '2',
    LLM_RETRY_BASE_MS: '20',
    LLM_RETRY_MAX_MS: '1500',
    LLM_BREAKER_FAILURES: '3',
    LLM_BREAKER_COOLDOWN_MS: '700',
    LLM_DEADLINE_MS: '2000',
    LLM_TIMEOUT_MS: '10000',
  });
  beforeEach(() => {
    llm.fake.respondWith({ kind: 'answer', text: MODEL_ANSWER });
  });

  const chatRequests = () =>
    llm.fake.requests.filter((request) => request.path === '/v1/chat/completions').length;
  const stored = (logId: string) => llm.service.services.conversations.findById(logId);

  it('waits as Retry-After says after a 429, then answers from the LLM', async () => {
    llm.fake.respondWith(
      { kind: 'status', status: 429, headers: { 'retry-after': '1' } },
      { kind: 'answer', text: MODEL_ANSWER },
    );
    const before = chatRequests();
    const started = performance.now();
    const answer = await llm.api.ask(QUESTION);
    expect(performance.now() - started).toBeGreaterThanOrEqual(950);
    expect(answer.response).toBe(MODEL_ANSWER);
    expect(chatRequests() - before).toBe(2);
    const metrics = (await llm.api.request('GET', '/api/metrics')).body as string;
    expect(sample(metrics, 'vasdom_llm_retries_total')).toBe(1);
  });

  it('retries 5xx with backoff, then answers without the LLM and says why', async () => {
    llm.fake.respondWith({ kind: 'status', status: 503 });
    const before = chatRequests();
    const answer = await llm.api.ask(QUESTION);
    expect(chatRequests() - before).toBe(3);
    expect(answer.model_used).toBe('fallback');
    expect(await stored(answer.log_id)).toMatchObject({
      llm_failure: 'unavailable',
      answer_source: 'fallback',
    });
  });

  it('serves the answer without the LLM once the question deadline passes on a hanging call', async () => {
    llm.fake.respondWith({ kind: 'hang' });
    const started = performance.now();
    const answer = await llm.api.ask(QUESTION);
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(1950);
    expect(elapsed).toBeLessThan(4000);
    expect(answer.model_used).toBe('fallback');
    expect(await stored(answer.log_id)).toMatchObject({ llm_failure: 'timeout' });
  });

  it('opens the circuit after failures in a row, answers without calling, and closes it once the LLM is back', async () => {
    // The 503 and the timeout above were two failures in a row; a third opens the circuit.
    llm.fake.respondWith({ kind: 'status', status: 500 });
    await llm.api.ask(QUESTION);
    const before = chatRequests();
    const skipped = await llm.api.ask(QUESTION);
    expect(chatRequests()).toBe(before);
    expect(skipped.model_used).toBe('fallback');
    expect(await stored(skipped.log_id)).toMatchObject({ llm_failure: 'circuit_open' });
    const health = await llm.api.request('GET', '/api/health');
    expect(health.body.status).toBe('degraded');
    expect(health.body.reasons).toContain('LLM circuit breaker open');
    expect(health.body.checks.llm.circuit).toBe('open');
    let metrics = (await llm.api.request('GET', '/api/metrics')).body as string;
    expect(sample(metrics, 'vasdom_llm_circuit_state', '{state="open"}')).toBe(1);
    expect(sample(metrics, 'vasdom_llm_failures_total', '{reason="circuit_open"}')).toBe(1);

    // After the cooldown one question tries the provider again; it answers, and the circuit closes.
    llm.fake.respondWith({ kind: 'answer', text: MODEL_ANSWER });
    await new Promise((resolve) => setTimeout(resolve, 750));
    const recovered = await llm.api.ask(QUESTION);
    expect(recovered.response).toBe(MODEL_ANSWER);
    metrics = (await llm.api.request('GET', '/api/metrics')).body as string;
    expect(sample(metrics, 'vasdom_llm_circuit_state', '{state="closed"}')).toBe(1);
    expect((await llm.api.request('GET', '/api/health')).body.checks.llm.circuit).toBe('closed');
    expect(llm.api.serverErrors()).toEqual([]);
  });

  it('reports the calls made, their tokens, and the calls curated answers saved', async () => {
    await llm.api.request('POST', '/api/learning/annotations', {
      question: 'Где взять ключи от подвала?',
      answer: 'Ключи от подвала хранятся у старшего по дому.',
    });
    expect((await llm.api.ask('Где взять ключи от подвала?')).model_used).toBe('curated');
    const stats = await llm.api.request('GET', '/api/learning/stats');
    // Above: two answers from the LLM (120 + 30 tokens each), four questions it failed on.
    expect(stats.body.llm_usage).toEqual({
      llm_calls: 6,
      failed_llm_calls: 4,
      prompt_tokens: 240,
      completion_tokens: 60,
      answered_without_llm: { curated: 1, retrieval: 0, knowledge: 0, fallback: 0 },
      llm_calls_saved: 1,
    });
    expect(stats.body.total_interactions).toBeTypeOf('number');
  });
});

describe('conversation memory', () => {
  const llm = useFakeLlmService({ LLM_HISTORY_TURNS: '2' });

  const sentMessages = () => llm.fake.requests.at(-1)?.body.messages as { role: string; content: string }[];

  it('puts the last turns of the same session before a follow-up question, within the budget', async () => {
    const turns = [
      ['Когда убирают подъезды в Северном районе?', 'По понедельникам и четвергам.'],
      ['А кто там бригадир?', 'Бригадир Северного района — Иванова.'],
      ['А по субботам?', 'По субботам уборки нет.'],
    ] as const;
    for (const [question, answer] of turns) {
      llm.fake.respondWith({ kind: 'answer', text: answer });
      await llm.api.ask(question, 'memory-session');
    }
    // Only the two newest earlier turns, oldest first, then the question.
    expect(sentMessages().slice(1)).toEqual([
      { role: 'user', content: turns[0][0] },
      { role: 'assistant', content: turns[0][1] },
      { role: 'user', content: turns[1][0] },
      { role: 'assistant', content: turns[1][1] },
      { role: 'user', content: turns[2][0] },
    ]);
    llm.fake.respondWith({ kind: 'answer', text: 'Да.' });
    await llm.api.ask('А в воскресенье?', 'memory-session');
    expect(
      sentMessages()
        .slice(1, -1)
        .map((message) => message.content),
    ).toEqual([turns[1][0], turns[1][1], turns[2][0], turns[2][1]]);
    // Another session starts afresh.
    await llm.api.ask('А по субботам?', 'another-session');
    expect(sentMessages().map((message) => message.role)).toEqual(['system', 'user']);
  });
});

describe('a bound on concurrent LLM calls', () => {
  const llm = useFakeLlmService({ LLM_MAX_CONCURRENT: '1', LLM_QUEUE_SIZE: '1' });

  it('queues calls beyond the bound and refuses more with 503 and Retry-After', async () => {
    llm.fake.respondWith({ kind: 'answer', text: MODEL_ANSWER, delayMs: 300 });
    const ask = () =>
      fetch(`${llm.service.baseUrl}/api/voice/process`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ message: QUESTION }),
      });
    const running = ask();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const queued = ask();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const refused = await ask();
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('5');
    expect(await refused.json()).toEqual({
      detail: 'Слишком много вопросов к модели одновременно. Повторите через несколько секунд.',
      code: 'provider_unavailable',
    });
    for (const response of await Promise.all([running, queued])) {
      expect(response.status).toBe(200);
      expect(((await response.json()) as { response: string }).response).toBe(MODEL_ANSWER);
    }
    const metrics = await (await fetch(`${llm.service.baseUrl}/api/metrics`)).text();
    expect(sample(metrics, 'vasdom_llm_failures_total', '{reason="overloaded"}')).toBe(1);
  });
});

describe('LLM calls cut short for shutdown', () => {
  const llm = useFakeLlmService({
    LLM_MAX_CONCURRENT: '1',
    LLM_QUEUE_SIZE: '1',
    LLM_BREAKER_FAILURES: '1',
    LLM_DEADLINE_MS: '30000',
    LLM_TIMEOUT_MS: '30000',
  });

  it('answers the question in flight and the one queued for a slot without the LLM, and does not count against the provider', async () => {
    llm.fake.respondWith({ kind: 'hang' });
    const calls = llm.fake.requests.length;
    const running = llm.api.ask(QUESTION);
    await eventually(() => llm.fake.requests.length === calls + 1);
    const queued = llm.api.ask(`${QUESTION} Срочно.`);
    const limiter = llm.service.services.model as ResilientChatModel;
    await eventually(() => limiter.queued === 1);

    const cut = performance.now();
    llm.service.services.cutShortLlmCalls();
    const answers = await Promise.all([running, queued]);
    expect(performance.now() - cut).toBeLessThan(1000);
    // A question asked after the cut is answered at once, without calling the provider.
    answers.push(await llm.api.ask('Есть ли скидки для ТСЖ?'));
    expect(llm.fake.requests.length).toBe(calls + 1);
    for (const answer of answers) {
      expect(answer.model_used).toBe('fallback');
      expect(await llm.service.services.conversations.findById(answer.log_id)).toMatchObject({
        answer_source: 'fallback',
        llm_failure: 'shutdown',
      });
    }
    const metrics = (await llm.api.request('GET', '/api/metrics')).body as string;
    expect(sample(metrics, 'vasdom_llm_failures_total', '{reason="shutdown"}')).toBe(3);
    // One failure would open the circuit; being cut short is not one.
    expect(sample(metrics, 'vasdom_llm_circuit_state', '{state="closed"}')).toBe(1);
    expect(llm.api.serverErrors()).toEqual([]);
  });
});
