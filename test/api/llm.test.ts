import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../helpers/eventually.js';
import { type FakeBehaviour, FakeOpenAiServer } from '../helpers/fake-openai-server.js';
import { startTestService } from '../helpers/test-service.js';
import { Api } from './support/api.js';
import { freePort } from './support/child-service.js';
import { useFakeLlmService } from './support/service-block.js';

const RATED_QUESTION = 'Как часто бригада моет подъезды в Никитинском районе?';
const REWORDED = 'никитинский район: подъезды моют как часто?';
const UNRELATED = 'Сколько сотрудников работает в компании?';
const MODEL_ANSWER = 'Подъезды в Никитинском районе моют дважды в неделю.';

function systemPrompt(fake: FakeOpenAiServer): string {
  const request = fake.requests.at(-1);
  const messages = (request?.body?.messages ?? []) as { role: string; content: string }[];
  return messages.find((message) => message.role === 'system')?.content ?? '';
}

describe('answers from an OpenAI-compatible LLM', () => {
  const llm = useFakeLlmService({
    LLM_API_KEY: 'test-key-123',
    LLM_MODEL: 'gpt-4o-mini',
  });

  it('answers with the text and the model name the provider reports', async () => {
    llm.fake.respondWith({ kind: 'answer', text: MODEL_ANSWER, model: 'gpt-4o-mini-2024-07-18' });
    const answer = await llm.api.ask(RATED_QUESTION);
    expect(answer.response).toBe(MODEL_ANSWER);
    expect(answer.model_used).toBe('gpt-4o-mini-2024-07-18');
    expect(answer.similar_found).toBe(0);
    const request = llm.fake.requests.at(-1);
    expect(request?.path).toBe('/v1/chat/completions');
    expect(request?.headers.authorization).toBe('Bearer test-key-123');
    expect(request?.body.model).toBe('gpt-4o-mini');
    const messages = request?.body.messages as { role: string; content: string }[];
    expect(messages.at(-1)).toEqual({ role: 'user', content: RATED_QUESTION });
    const prompt = systemPrompt(llm.fake);
    expect(prompt).toContain('348');
    expect(prompt).toContain('82');
    expect(prompt).toContain('Никитинский');
  });

  it('puts an earlier 5-star answer to a similar question into the system prompt', async () => {
    llm.fake.respondWith({ kind: 'answer', text: MODEL_ANSWER, model: 'gpt-4o-mini-2024-07-18' });
    const first = await llm.api.ask(RATED_QUESTION);
    await llm.api.rate(first.log_id, 5, 'Верно');
    await llm.service.services.learning.requestPass();

    llm.fake.respondWith({ kind: 'answer', text: 'Дважды в неделю, как и раньше.' });
    const second = await llm.api.ask(REWORDED);
    expect(second.response).toBe('Дважды в неделю, как и раньше.');
    expect(second.similar_found).toBeGreaterThanOrEqual(1);
    expect(second.learning_improved).toBe(true);
    const prompt = systemPrompt(llm.fake);
    expect(prompt).toContain(RATED_QUESTION);
    expect(prompt).toContain(MODEL_ANSWER);
    expect(prompt).toMatch(/5\/5|оценка 5|rating 5/);
    expect(prompt).toContain('348');

    await llm.api.ask(UNRELATED);
    expect(systemPrompt(llm.fake)).not.toContain(RATED_QUESTION);
  });

  describe('when the LLM fails', () => {
    const failures: [string, FakeBehaviour][] = [
      ['HTTP 500', { kind: 'status', status: 500 }],
      ['HTTP 429', { kind: 'status', status: 429, headers: { 'retry-after': '0' } }],
      ['HTTP 401', { kind: 'status', status: 401, body: { error: { message: 'bad key' } } }],
      ['a malformed body', { kind: 'malformed' }],
      ['an empty answer', { kind: 'answer', text: '' }],
    ];

    afterEach(() => {
      llm.fake.respondWith({ kind: 'answer', text: MODEL_ANSWER });
    });

    it.each(failures)('answers from the rated answer after %s', async (_name, behaviour) => {
      llm.fake.respondWith(behaviour);
      const started = performance.now();
      const answer = await llm.api.ask(REWORDED);
      expect(performance.now() - started).toBeLessThan(5000);
      expect(answer.model_used).toBe('retrieval');
      expect(answer.response).toBe(MODEL_ANSWER);
      expect(answer.similar_found).toBeGreaterThanOrEqual(1);
    });

    it.each(failures)('answers from the company profile after %s', async (_name, behaviour) => {
      llm.fake.respondWith(behaviour);
      const answer = await llm.api.ask(UNRELATED);
      expect(answer.model_used).toBe('fallback');
      expect(answer.response).toContain('82');
      expect(answer.similar_found).toBe(0);
    });

    it('counts the failures in the metrics', async () => {
      const metrics = await llm.api.request('GET', '/api/metrics');
      expect(metrics.body).toMatch(/^vasdom_ai_responses_total\{status="error"\} [1-9]/m);
      expect(metrics.body).toMatch(/^vasdom_ai_responses_total\{status="llm"\} [1-9]/m);
    });
  });

  it('never answered with a 5xx', () => {
    expect(llm.api.serverErrors()).toEqual([]);
  });
});

describe('an LLM that hangs or cannot be reached', () => {
  let fake: FakeOpenAiServer;

  beforeAll(async () => {
    fake = await new FakeOpenAiServer().start();
  });
  afterAll(async () => {
    await fake?.stop();
  });

  async function rateOne(api: Api): Promise<void> {
    const first = await api.ask(RATED_QUESTION);
    await api.rate(first.log_id, 5);
    await api.service.services.learning.requestPass();
  }

  it('gives up after LLM_TIMEOUT_MS and answers anyway', async () => {
    fake.respondWith({ kind: 'answer', text: MODEL_ANSWER });
    const service = await startTestService({
      LLM_BASE_URL: fake.baseUrl,
      LLM_API_KEY: 'k',
      LLM_TIMEOUT_MS: '500',
    });
    try {
      const api = new Api(service);
      await rateOne(api);
      fake.respondWith({ kind: 'hang' });
      let started = performance.now();
      const retrieved = await api.ask(REWORDED);
      expect(performance.now() - started).toBeLessThan(4000);
      expect(retrieved.model_used).toBe('retrieval');
      expect(retrieved.response).toBe(MODEL_ANSWER);
      started = performance.now();
      const fallback = await api.ask(UNRELATED);
      expect(performance.now() - started).toBeLessThan(4000);
      expect(fallback.model_used).toBe('fallback');
      expect(fallback.response).toContain('82');
    } finally {
      await service.close();
    }
  });

  it('answers when nothing listens on LLM_BASE_URL', async () => {
    const port = await freePort();
    const service = await startTestService({
      LLM_BASE_URL: `http://127.0.0.1:${port}/v1`,
      LLM_API_KEY: 'k',
      LLM_TIMEOUT_MS: '1000',
    });
    try {
      const api = new Api(service);
      const started = performance.now();
      const fallback = await api.ask(UNRELATED);
      expect(performance.now() - started).toBeLessThan(4000);
      expect(fallback.model_used).toBe('fallback');
      expect(fallback.response).toContain('82');
      await rateOne(api);
      const retrieved = await api.ask(REWORDED);
      expect(retrieved.model_used).toBe('retrieval');
      expect(retrieved.similar_found).toBeGreaterThanOrEqual(1);
      // A configured provider that fails degrades the service; it keeps serving (200, not 503).
      const health = await eventually(async () => {
        const response = await api.request('GET', '/api/health');
        expect(response.body.checks.llm.ok).toBe(false);
        return response;
      });
      expect(health.status).toBe(200);
      expect(health.body.status).toBe('degraded');
      expect(health.body.reasons).toContain('LLM provider unreachable');
      expect(health.body.checks.llm).toMatchObject({ configured: true, ok: false });
      expect(health.body.services.http_client).toBe(false);
      expect((await api.request('GET', '/api/health/ready')).status).toBe(200);
      expect(api.serverErrors()).toEqual([]);
    } finally {
      await service.close();
    }
  });

  it('accepts EMERGENT_LLM_KEY as the API key', async () => {
    fake.respondWith({ kind: 'answer', text: MODEL_ANSWER, model: 'alias-model' });
    const service = await startTestService({
      LLM_BASE_URL: fake.baseUrl,
      EMERGENT_LLM_KEY: 'emergent-secret',
    });
    try {
      const api = new Api(service);
      const answer = await api.ask(UNRELATED);
      expect(answer.model_used).toBe('alias-model');
      expect(answer.response).toBe(MODEL_ANSWER);
      expect(fake.requests.at(-1)?.headers.authorization).toBe('Bearer emergent-secret');
      // The provider is probed in the background with the same key (GET /models), and it answered.
      const health = await eventually(async () => {
        const response = await api.request('GET', '/api/health');
        expect(response.body.checks.llm).toMatchObject({ configured: true, ok: true });
        return response;
      });
      expect(health.body.services.emergent_llm).toBe(true);
      expect(health.body.status).toBe('healthy');
      expect(fake.modelListRequests.at(-1)?.headers.authorization).toBe('Bearer emergent-secret');
    } finally {
      await service.close();
    }
  });

  it('prefers LLM_API_KEY when both keys are set', async () => {
    fake.respondWith({ kind: 'answer', text: MODEL_ANSWER });
    const service = await startTestService({
      LLM_BASE_URL: fake.baseUrl,
      LLM_API_KEY: 'primary-key',
      EMERGENT_LLM_KEY: 'legacy-key',
    });
    try {
      await new Api(service).ask(UNRELATED);
      expect(fake.requests.at(-1)?.headers.authorization).toBe('Bearer primary-key');
    } finally {
      await service.close();
    }
  });
});
