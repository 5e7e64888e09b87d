import type { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from './helpers/eventually.js';
import { startTestService, type TestService } from './helpers/test-service.js';

describe('learning loop without an LLM', () => {
  let service: TestService;

  beforeAll(async () => {
    service = await startTestService();
  });
  afterAll(async () => {
    await service.close();
  });

  it('answers a reworded question from a 5-star answer and an unrelated one from the profile', async () => {
    const first = await service.request('POST', '/api/voice/process', {
      message: 'Как часто бригада моет подъезды в Никитинском районе?',
      session_id: 'manager-1',
    });
    expect(first.status).toBe(200);
    expect(first.body.similar_found).toBe(0);
    expect(first.body.model_used).toBe('fallback');

    const rated = await service.request('POST', '/api/voice/feedback', {
      log_id: first.body.log_id,
      rating: 5,
      feedback_text: 'Точно',
    });
    expect(rated.status).toBe(200);
    expect(rated.body.will_be_used_for_training).toBe(true);
    await service.services.learning.requestPass();

    const reworded = await service.request('POST', '/api/voice/process', {
      message: 'никитинский район: подъезды моют как часто?',
    });
    expect(reworded.status).toBe(200);
    expect(reworded.body.model_used).toBe('retrieval');
    expect(reworded.body.similar_found).toBeGreaterThanOrEqual(1);
    expect(reworded.body.learning_improved).toBe(true);
    expect(reworded.body.response).toBe(first.body.response);

    const unrelated = await service.request('POST', '/api/voice/process', {
      message: 'Сколько сотрудников работает в компании?',
    });
    expect(unrelated.body.similar_found).toBe(0);
    expect(unrelated.body.model_used).toBe('fallback');
    expect(unrelated.body.response).toContain('82');

    const stats = await service.request('GET', '/api/learning/stats');
    expect(stats.body.total_interactions).toBe(3);
    expect(stats.body.positive_ratings).toBe(1);
    expect(stats.body.last_learning_update).not.toBeNull();
  });

  it('keeps answering while its index worker is rebuilt after a crash, then finds rated answers again', async () => {
    const question = 'Во сколько приезжает бригада на Московскую улицу?';
    const asked = await service.request('POST', '/api/voice/process', { message: question });
    await service.request('POST', '/api/voice/feedback', { log_id: asked.body.log_id, rating: 5 });
    await service.services.learning.requestPass();

    // Private parts: stopping the index's worker from outside stands in for a crash.
    const index = (service.services.retrieval as unknown as { index: { worker: Worker } }).index;
    await index.worker.terminate();
    const during = await service.request('POST', '/api/voice/process', { message: question });
    expect(during.status).toBe(200);
    expect(typeof during.body.response).toBe('string');

    const after = await eventually(async () => {
      const answer = await service.request('POST', '/api/voice/process', { message: question });
      expect(answer.body.model_used).toBe('retrieval');
      return answer;
    });
    expect(after.body.response).toBe(asked.body.response);
  });
});
