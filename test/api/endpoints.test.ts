import { describe, expect, it } from 'vitest';
import { FeedbackStore } from '../../src/conversations/feedback.store.js';
import { startTestService } from '../helpers/test-service.js';
import { Api, expectNotFound, expectValidationError, ISO_TIMESTAMP } from './support/api.js';
import { useTestService } from './support/service-block.js';

/** Service info, health, chat, feedback, metrics, 404/405 (company figures: company-endpoints.test.ts). */
describe('HTTP API endpoints', () => {
  const context = useTestService();

  describe('service info', () => {
    it('GET / describes the service with stats and ai_services', async () => {
      const { status, body } = await context.api.request('GET', '/');
      expect(status).toBe(200);
      expect(typeof body.name).toBe('string');
      expect(typeof body.version).toBe('string');
      expect(typeof body.description).toBe('string');
      expect(Array.isArray(body.features)).toBe(true);
      expect(body.features.length).toBeGreaterThan(0);
      for (const key of [
        'total_interactions',
        'positive_ratings',
        'negative_ratings',
        'rated_interactions',
      ]) {
        expect(typeof body.stats[key], key).toBe('number');
      }
      expect(body.stats.avg_rating === null || typeof body.stats.avg_rating === 'number').toBe(true);
      expect(Object.keys(body.ai_services).length).toBeGreaterThan(0);
      for (const value of Object.values(body.ai_services)) expect(typeof value).toBe('boolean');
    });

    it('GET /api/ lists the endpoints by path', async () => {
      const { status, body } = await context.api.request('GET', '/api/');
      expect(status).toBe(200);
      expect(typeof body.message).toBe('string');
      expect(typeof body.version).toBe('string');
      expect(typeof body.status).toBe('string');
      expect(Array.isArray(body.features)).toBe(true);
      expect(body.endpoints).toMatchObject({
        chat: '/api/voice/process',
        feedback: '/api/voice/feedback',
        stats: '/api/learning/stats',
        export: '/api/learning/export',
        train: '/api/learning/train',
      });
    });

    it('GET /api/health reports every listed field with its type', async () => {
      const { status, body } = await context.api.request('GET', '/api/health');
      expect(status).toBe(200);
      expect(['healthy', 'degraded', 'unhealthy']).toContain(body.status);
      expect(body.timestamp).toMatch(ISO_TIMESTAMP);
      expect(typeof body.platform).toBe('string');
      expect(typeof body.version).toBe('string');
      expect(typeof body.uptime_seconds).toBe('number');
      expect(typeof body.response_time_ms).toBe('number');
      for (const key of ['emergent_llm', 'embeddings', 'database', 'storage', 'http_client']) {
        expect(typeof body.services[key], `services.${key}`).toBe('boolean');
      }
      for (const key of ['total_conversations', 'embeddings_cached', 'rated_conversations']) {
        expect(typeof body.learning_data[key], `learning_data.${key}`).toBe('number');
      }
      const limit = body.learning_data.max_storage_limit;
      expect(limit === null || typeof limit === 'number').toBe(true);
      for (const key of ['cpu_percent', 'memory_percent', 'disk_percent']) {
        expect(typeof body.system_metrics[key], `system_metrics.${key}`).toBe('number');
        expect(body.system_metrics[key]).toBeGreaterThanOrEqual(0);
        expect(body.system_metrics[key]).toBeLessThanOrEqual(100);
      }
      for (const key of ['ai_service_init', 'storage_accessible', 'config_loaded', 'embedding_creation']) {
        expect(typeof body.critical_checks[key], `critical_checks.${key}`).toBe('boolean');
      }
      expect(body.services.database).toBe(true);
      expect(body.services.emergent_llm).toBe(false);
      // Every background job, with its last run.
      const jobs = body.checks.jobs as {
        name: string;
        schedule: string;
        runs: number;
        last_result: unknown;
      }[];
      expect(jobs.map((job) => job.name)).toEqual(
        expect.arrayContaining(['health-database-ping', 'system-sample']),
      );
      for (const job of jobs) {
        expect(typeof job.schedule, `checks.jobs ${job.name}`).toBe('string');
        expect(typeof job.runs, `checks.jobs ${job.name}`).toBe('number');
        expect([null, 'success', 'failure']).toContain(job.last_result);
      }
      // No LLM configured: the service answers from what it has learned and is fully healthy.
      expect(body.status).toBe('healthy');
      expect(body.reasons).toEqual([]);
      expect(body.checks.llm).toEqual({ configured: false });
      expect(body.checks.database).toMatchObject({ ok: true });
      expect(body.checks.database.checked_at).toMatch(ISO_TIMESTAMP);
      expect(body.checks.embedder.ok).toBe(true);
      expect(body.checks.retrieval_index).toEqual({ state: 'ready', items: expect.any(Number) });
      expect(body.checks.disk.writable).toBe(true);
      expect(body.checks.disk.free_bytes).toBeGreaterThan(0);
      expect(body.checks.memory.process_rss_bytes).toBeGreaterThan(0);
    });

    it('GET /api/health/live and /api/health/ready answer for orchestrators', async () => {
      const live = await context.api.request('GET', '/api/health/live');
      expect(live.status).toBe(200);
      expect(live.body.status).toBe('alive');
      const ready = await context.api.request('GET', '/api/health/ready');
      expect(ready.status).toBe(200);
      expect(ready.body).toEqual({
        status: 'ready',
        reasons: [],
        checks: { migrations: true, retrieval_index: true, database: true, storage: true },
      });
    });

    it('GET /api/voice/health names its components', async () => {
      const { status, body } = await context.api.request('GET', '/api/voice/health');
      expect(status).toBe(200);
      expect(typeof body.status).toBe('string');
      for (const key of ['ai_service', 'embedding_service', 'local_model', 'database']) {
        expect(body.components).toHaveProperty(key);
      }
    });
  });

  describe('POST /api/voice/process', () => {
    it('answers a valid question with every field typed', async () => {
      const { status, body } = await context.api.request('POST', '/api/voice/process', {
        message: 'Сколько домов вы обслуживаете?',
      });
      expect(status).toBe(200);
      expect(typeof body.response).toBe('string');
      expect(body.response.length).toBeGreaterThan(0);
      expect(typeof body.log_id).toBe('string');
      expect(typeof body.session_id).toBe('string');
      expect(body.session_id.length).toBeGreaterThan(0);
      expect(typeof body.model_used).toBe('string');
      expect(typeof body.response_time).toBe('number');
      expect(body.response_time).toBeGreaterThanOrEqual(0);
      expect(body.response_time).toBeLessThan(10);
      expect(Number.isInteger(body.similar_found)).toBe(true);
      expect(typeof body.learning_improved).toBe('boolean');
    });

    it('generates a session id for null and echoes a given one', async () => {
      const generated = await context.api.ask('Какой график уборки?', null);
      expect(typeof generated.session_id).toBe('string');
      expect(generated.session_id.length).toBeGreaterThan(0);
      const other = await context.api.ask('Какой график уборки?', null);
      expect(other.session_id).not.toBe(generated.session_id);
      expect(other.log_id).not.toBe(generated.log_id);
      const given = await context.api.ask('Какой график уборки?', 'client-session-42');
      expect(given.session_id).toBe('client-session-42');
    });

    it('accepts exactly 2000 characters and rejects 2001', async () => {
      const ok = await context.api.request('POST', '/api/voice/process', { message: 'ж'.repeat(2000) });
      expect(ok.status).toBe(200);
      const tooLong = await context.api.request('POST', '/api/voice/process', { message: 'ж'.repeat(2001) });
      expectValidationError(tooLong, ['body', 'message']);
    });

    it.each([
      ['missing message', {}],
      ['empty message', { message: '' }],
      ['whitespace-only message', { message: ' \n\t  ' }],
      ['numeric message', { message: 42 }],
      ['null message', { message: null }],
      ['array message', { message: ['Сколько домов?'] }],
    ])('rejects a %s with 422 at body.message', async (_name, body) => {
      expectValidationError(await context.api.request('POST', '/api/voice/process', body), [
        'body',
        'message',
      ]);
    });

    it.each([
      ['malformed JSON', '{"message": "Сколько домов?"'],
      ['an array', '["Сколько домов?"]'],
      ['a string', '"Сколько домов?"'],
      ['a number', '42'],
      ['null', 'null'],
    ])('rejects a body that is %s with a 422 detail list', async (_name, raw) => {
      const response = await context.api.raw('POST', '/api/voice/process', {
        headers: { 'content-type': 'application/json' },
        body: raw,
      });
      expectValidationError(response);
    });

    it('rejects an empty JSON body and a body-less request with 422', async () => {
      const empty = await context.api.raw('POST', '/api/voice/process', {
        headers: { 'content-type': 'application/json' },
        body: '',
      });
      expectValidationError(empty);
      expectValidationError(await context.api.raw('POST', '/api/voice/process'));
    });
  });

  describe('POST /api/voice/feedback', () => {
    it('accepts a valid rating and says whether it is used for training', async () => {
      const answer = await context.api.ask('Сколько бригад в компании?');
      const five = await context.api.rate(answer.log_id, 5, 'Отлично');
      expect(five).toMatchObject({ success: true, log_id: answer.log_id, will_be_used_for_training: true });
      expect(typeof five.message).toBe('string');
      expect((await context.api.rate(answer.log_id, 4)).will_be_used_for_training).toBe(true);
      expect((await context.api.rate(answer.log_id, 3)).will_be_used_for_training).toBe(false);
      expect((await context.api.rate(answer.log_id, 1)).will_be_used_for_training).toBe(false);
    });

    it('answers 404 with a string detail for an unknown log_id', async () => {
      const response = await context.api.request('POST', '/api/voice/feedback', {
        log_id: 'no-such-conversation',
        rating: 5,
      });
      expectNotFound(response);
    });

    it.each([
      ['0', 0],
      ['6', 6],
      ['3.5', 3.5],
      ['the string "5"', '5'],
      ['null', null],
    ])('rejects rating %s with 422 at body.rating', async (_name, rating) => {
      const answer = await context.api.ask('Сколько клиентов у компании?');
      const response = await context.api.request('POST', '/api/voice/feedback', {
        log_id: answer.log_id,
        rating,
      });
      expectValidationError(response, ['body', 'rating']);
    });

    it('rejects a missing log_id with 422 at body.log_id', async () => {
      const response = await context.api.request('POST', '/api/voice/feedback', { rating: 5 });
      expectValidationError(response, ['body', 'log_id']);
    });

    it('overwrites the current rating on re-rating and keeps the history', async () => {
      const fresh = await startTestService();
      try {
        const freshApi = new Api(fresh);
        const answer = await freshApi.ask('Кто убирает подъезды в Северном районе?');
        await freshApi.rate(answer.log_id, 1, 'Не то');
        await freshApi.rate(answer.log_id, 5, 'Теперь понятно');
        const stats = await freshApi.request('GET', '/api/learning/stats');
        expect(stats.body.avg_rating).toBe(5);
        expect(stats.body.positive_ratings).toBe(1);
        expect(stats.body.negative_ratings).toBe(0);
        const history = await new FeedbackStore(fresh.services.database.db).history(answer.log_id);
        expect(history.map((entry) => entry.rating)).toEqual([1, 5]);
        expect(history.map((entry) => entry.comment)).toEqual(['Не то', 'Теперь понятно']);
        expect(freshApi.serverErrors()).toEqual([]);
      } finally {
        await fresh.close();
      }
    });
  });

  describe('routing errors', () => {
    it.each([
      ['GET', '/api/does-not-exist'],
      ['POST', '/api/voice/nothing'],
      ['GET', '/api/learning/similar'],
    ])('%s %s answers 404 with a detail', async (method, url) => {
      expectNotFound(await context.api.request(method, url));
    });

    it.each([
      ['GET', '/api/voice/process', 'POST'],
      ['GET', '/api/voice/feedback', 'POST'],
      ['DELETE', '/api/health', 'GET'],
      ['PUT', '/api/learning/stats', 'GET'],
      ['GET', '/api/learning/train', 'POST'],
    ])('%s %s answers 405 and allows %s', async (method, url, allowed) => {
      const response = await context.api.request(method, url);
      expect(response.status).toBe(405);
      expect(response.headers.get('allow') ?? '').toContain(allowed);
    });

    it('answers an oversized body with a 4xx, not a crash', async () => {
      const response = await context.api.request('POST', '/api/voice/process', {
        message: 'ж'.repeat(100_000),
      });
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(response.status).toBeLessThan(500);
    });
  });

  describe('GET /api/metrics', () => {
    it('exports request, answer and feedback series labelled by route template', async () => {
      const answer = await context.api.ask('Как передать жалобу на уборку?');
      await context.api.rate(answer.log_id, 5);
      await context.api.request('GET', `/api/learning/similar/${answer.log_id}`);
      await context.api.request('GET', '/api/learning/similar/unknown-id-123?limit=2');
      await context.api.request('GET', `/api/no-route-${answer.log_id}`);
      const { status, body, headers } = await context.api.request('GET', '/api/metrics');
      expect(status).toBe(200);
      expect(headers.get('content-type') ?? '').toContain('text/plain');
      const text = body as string;
      expect(text).toMatch(
        /^vasdom_requests_total\{[^}]*endpoint="\/api\/learning\/similar\/:log_id"[^}]*status="200"[^}]*\} [1-9]/m,
      );
      expect(text).toMatch(
        /^vasdom_requests_total\{[^}]*endpoint="\/api\/learning\/similar\/:log_id"[^}]*status="404"[^}]*\} [1-9]/m,
      );
      expect(text).toMatch(/^vasdom_requests_total\{[^}]*endpoint="\/api\/voice\/process"[^}]*\} [1-9]/m);
      expect(text).toMatch(/^vasdom_request_duration_seconds_bucket\{/m);
      expect(text).toMatch(/^vasdom_ai_responses_total\{[^}]*\} [1-9]/m);
      expect(text).toMatch(/^vasdom_learning_feedback_total\{rating="5"\} [1-9]/m);
      expect(text).toMatch(/^process_cpu_user_seconds_total/m);
      expect(text).not.toContain(answer.log_id);
      expect(text).not.toContain('unknown-id-123');
    });
  });

  it('answers odd input with a 2xx or 4xx, never a 5xx', async () => {
    const json = { 'content-type': 'application/json' };
    const bodies = [
      '{"message": "\\u0000\\u0001"}',
      '{"message": "\\ud800 одинокий суррогат"}',
      '{"__proto__": {"polluted": true}, "message": "Сколько домов?"}',
      '{"message": "Сколько домов?", "session_id": 12}',
      `{"message": "Сколько домов?", "session_id": "${'s'.repeat(500)}"}`,
      `{"message": ${'['.repeat(500)}${']'.repeat(500)}}`,
      '{"log_id": "x", "rating": 1e309}',
      `{"log_id": "${'x'.repeat(5000)}", "rating": 5}`,
      '{"log_id": "x", "rating": 5, "feedback_text": 42}',
    ];
    for (const url of ['/api/voice/process', '/api/voice/feedback', '/api/status']) {
      for (const body of bodies) {
        const response = await context.api.raw('POST', url, { headers: json, body });
        expect(response.status, `${url} ${body.slice(0, 60)}`).toBeLessThan(500);
      }
      // A NUL character (PostgreSQL cannot store it in text) is refused where it is, on either database.
      const nul = await context.api.raw('POST', url, {
        headers: json,
        body: '{"message": "a\\u0000", "log_id": "\\u0000"}',
      });
      expect(nul.status, url).toBe(422);
      expect(nul.body.detail[0]).toMatchObject({ type: 'string_nul' });
      const wrongType = await context.api.raw('POST', url, {
        headers: { 'content-type': 'text/plain' },
        body: 'hi',
      });
      expect(wrongType.status).toBeGreaterThanOrEqual(400);
      expect(wrongType.status).toBeLessThan(500);
    }
    for (const url of [
      '/api/learning/similar/%E0%A4%A',
      `/api/learning/similar/${'a'.repeat(300)}`,
      '/api/voice/similar/..%2F..%2Fetc%2Fpasswd',
      '/api/learning/export?limit=999999999999',
      '/api/learning/export?days_back=-1&format=jsonl',
      '/api/learning/stats?x=%00',
    ]) {
      const response = await context.api.raw('GET', url);
      expect(response.status, url).toBeLessThan(500);
    }
  });

  it('never answered with a 5xx', () => {
    expect(context.api.serverErrors()).toEqual([]);
    expect(context.api.seen.length).toBeGreaterThan(50);
  });
});
