import type { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { eventually } from '../helpers/eventually.js';
import { useTestService } from './support/service-block.js';

const WINDOWS = {
  question: 'Когда моют окна в подъездах Северного района?',
  answer: 'Окна в подъездах Северного района моем дважды в год: в апреле и в сентябре.',
};
const RATED_QUESTION = 'Сколько стоит генеральная уборка подъезда?';

/** The index worker behind the rated conversations: private, reached here to stand in for a crash. */
function indexWorkerOf(context: ReturnType<typeof useTestService>): Worker {
  return (context.service.services.retrieval as unknown as { index: { worker: Worker } }).index.worker;
}

describe('answering while the index of rated conversations is down', () => {
  // Served directly from this score on, so that a reworded question gets the curated answer itself.
  const context = useTestService({ ANNOTATION_REPLY_THRESHOLD: '0.6' });

  it('still answers from curated answers, and from rated conversations again once the index is back', async () => {
    const { api, service } = context;
    expect((await api.request('POST', '/api/learning/annotations', WINDOWS)).status).toBe(201);
    const rated = await api.ask(RATED_QUESTION);
    await api.rate(rated.log_id, 5);
    await service.services.learning.requestPass();
    expect((await api.ask(RATED_QUESTION)).similar_found).toBeGreaterThan(0);

    await indexWorkerOf(context).terminate();
    // Searches fail fast while the index is rebuilt: the chat answers from what it can still reach.
    const curated = await api.request('POST', '/api/voice/process', {
      message: 'окна в подъездах северного района когда моете?',
    });
    expect(curated.status).toBe(200);
    expect(curated.body).toMatchObject({ model_used: 'curated', response: WINDOWS.answer });

    const again = await eventually(async () => {
      const answer = await api.ask(RATED_QUESTION);
      expect(answer.similar_found).toBeGreaterThan(0);
      expect(answer.model_used).toBe('retrieval');
      return answer;
    });
    expect(again.response).toBe(rated.response);
  });
});
