import { afterAll, describe, expect, it } from 'vitest';
import { eventually } from '../helpers/eventually.js';
import { startTestService, type TestService, temporaryDirectory } from '../helpers/test-service.js';
import { openStorage } from '../helpers/test-storage.js';
import { Api } from './support/api.js';

const QUESTIONS = [
  'Как часто моют подъезды в Никитинском районе?',
  'Кто убирает снег у входа в подъезд?',
  'Когда приходит бригада в Северный район?',
];

describe('vectors rebuilt in the background', () => {
  const dataDir = temporaryDirectory();
  let service: TestService | undefined;
  afterAll(async () => {
    await service?.close();
  });

  it('embeds and indexes stored conversations that lack a vector, while the service keeps answering', async () => {
    service = await startTestService({}, dataDir);
    let api = new Api(service);
    for (const question of QUESTIONS) {
      const asked = await api.ask(question);
      await api.rate(asked.log_id, 5);
    }
    await service.services.learning.requestPass();
    await service.close({ keepData: true });

    // What a change of embedder leaves behind: conversations with no vector from the embedder in use.
    const database = await openStorage(dataDir);
    const deleted = await database.db.deleteFrom('embeddings').executeTakeFirst();
    expect(Number(deleted.numDeletedRows)).toBe(QUESTIONS.length);
    await database.close();

    service = await startTestService({}, dataDir);
    api = new Api(service);
    const reworded = 'никитинский район: подъезды как часто моют?';
    const answer = await eventually(async () => {
      const response = await api.ask(reworded);
      return response.model_used === 'retrieval' && response;
    });
    expect(answer.similar_found).toBeGreaterThanOrEqual(1);

    const status = await eventually(async () => {
      const report = await api.request('POST', '/api/voice/embeddings/update');
      return report.body.background.state === 'done' && report.body;
    });
    expect(status.background).toMatchObject({
      missingAtStart: QUESTIONS.length,
      processed: QUESTIONS.length,
      errors: 0,
    });
    expect(status.total_found).toBe(0);
    expect(service.services.retrieval.indexSize).toBe(QUESTIONS.length);
  });
});
