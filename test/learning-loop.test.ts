import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
});
