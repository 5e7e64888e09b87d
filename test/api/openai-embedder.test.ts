import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../helpers/eventually.js';
import { FakeOpenAiServer } from '../helpers/fake-openai-server.js';
import { startTestService, type TestService, temporaryDirectory } from '../helpers/test-service.js';
import { Api } from './support/api.js';

const QUESTION = 'Как часто моют подъезды в Никитинском районе?';
const REWORDED = 'никитинском районе подъезды моют как часто';

/**
 * EMBEDDING_PROVIDER=openai against a fake OpenAI-compatible server, through the real client library:
 * dense vectors in their own index, a provider that fails, and a change of embedder over stored data.
 */
describe('an OpenAI-compatible embedder', () => {
  let fake: FakeOpenAiServer;
  const dataDir = temporaryDirectory();
  let service: TestService | undefined;
  const openAiEmbeddings = () => ({
    EMBEDDING_PROVIDER: 'openai',
    EMBEDDING_BASE_URL: fake.baseUrl,
    EMBEDDING_API_KEY: 'embedding-test-key',
    EMBEDDING_MODEL: 'fake-embedding-3',
    EMBEDDING_TIMEOUT_MS: '2000',
  });

  beforeAll(async () => {
    fake = await new FakeOpenAiServer().start();
  });
  afterAll(async () => {
    await service?.close();
    await fake?.stop();
  });

  it('re-embeds what the built-in embedder stored, in the background, and then retrieves with it', async () => {
    service = await startTestService({}, dataDir);
    let api = new Api(service);
    const asked = await api.ask(QUESTION);
    await api.rate(asked.log_id, 5);
    await service.services.learning.requestPass();
    await service.close({ keepData: true });

    service = await startTestService(openAiEmbeddings(), dataDir);
    api = new Api(service);
    expect(service.services.retrieval.embedderId).toBe('openai:fake-embedding-3');
    const status = await eventually(async () => {
      const report = await api.request('POST', '/api/voice/embeddings/update');
      return report.body.background.state === 'done' && report.body;
    });
    expect(status.background).toMatchObject({ missingAtStart: 1, processed: 1, errors: 0 });

    const answer = await api.ask(REWORDED);
    expect(answer.model_used).toBe('retrieval');
    expect(answer.response).toBe(asked.response);
    const search = await api.request('GET', `/api/retrieval/search?q=${encodeURIComponent(REWORDED)}`);
    expect(search.body[0]).toMatchObject({ kind: 'conversation', id: asked.log_id });
    // The real client sent the model and the key.
    const request = fake.embeddingRequests.at(-1);
    expect(request?.body.model).toBe('fake-embedding-3');
    expect(request?.headers.authorization).toBe('Bearer embedding-test-key');
  });

  it('serves curated answers from dense vectors', async () => {
    const api = new Api(service as TestService);
    const created = await api.request('POST', '/api/learning/annotations', {
      question: 'Кто чистит снег у входа в подъезд?',
      answer: 'Снег у входа чистит дворник управляющей компании.',
    });
    expect(created.status).toBe(201);
    const answer = await api.ask('Кто чистит снег у входа в подъезд?');
    expect(answer.model_used).toBe('curated');
  });

  it('answers without retrieval while the provider fails, and embeds those questions later', async () => {
    const api = new Api(service as TestService);
    fake.embeddings = 'unavailable';
    try {
      const answer = await api.ask('Сколько стоит генеральная уборка подъезда?');
      expect(answer.model_used).toBe('fallback');
      expect(answer.similar_found).toBe(0);
      const search = await api.request('GET', '/api/retrieval/search?q=%D0%BA%D1%82%D0%BE');
      expect(search.status).toBe(503);
      expect(search.body).toEqual({
        detail: 'Сервис эмбеддингов сейчас недоступен, повторите позже',
        code: 'provider_unavailable',
      });
      const metrics = await api.raw('GET', '/api/metrics');
      expect(metrics.body).toMatch(/vasdom_embedder_failures_total\{reason="unavailable"\} [1-9]/);
    } finally {
      fake.embeddings = 'vectors';
    }
    const update = await api.request('POST', '/api/voice/embeddings/update');
    expect(update.body).toMatchObject({ success: true, processed: 1, errors: 0 });
    // The one 5xx is the search's deliberate 503.
    expect(api.serverErrors().map((entry) => entry.status)).toEqual([503]);
  });
});
