import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeOpenAiServer } from '../helpers/fake-openai-server.js';
import { startTestService, type TestService, temporaryDirectory } from '../helpers/test-service.js';
import { Api, expectNotFound, expectValidationError, ISO_TIMESTAMP } from './support/api.js';

const PATH = '/api/learning/annotations';
const WINDOWS = {
  question: 'Когда моют окна в подъездах Северного района?',
  alternatives: ['Как часто в Северном районе моют окна на лестничных клетках?'],
  answer: 'Окна в подъездах Северного района моем дважды в год: в апреле и в сентябре.',
};
const REWORDED = 'окна в подъездах северного района когда моете?';

describe('curated answers', () => {
  let fake: FakeOpenAiServer;
  let service: TestService;
  let api: Api;
  const dataDir = temporaryDirectory();
  // A lower reply threshold than the default (set for the built-in embedder from EVALUATION.md), so that
  // these reworded questions are served directly.
  const environment = () => ({
    LLM_BASE_URL: fake.baseUrl,
    LLM_API_KEY: 'curated-test-key',
    ANNOTATION_REPLY_THRESHOLD: '0.6',
  });

  beforeAll(async () => {
    fake = await new FakeOpenAiServer().start();
    fake.respondWith({ kind: 'answer', text: 'Ответ модели.' });
    service = await startTestService(environment(), dataDir);
    api = new Api(service);
  });
  afterAll(async () => {
    await service?.close();
    await fake?.stop();
  });

  it('are created, read, listed, replaced and deleted by an admin', async () => {
    const created = await api.request('POST', PATH, {
      question: '  Во сколько начинается уборка?  ',
      answer: 'Уборка начинается в 9:00.',
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      question: 'Во сколько начинается уборка?',
      alternatives: [],
      answer: 'Уборка начинается в 9:00.',
      origin: 'admin',
      status: 'active',
      hits: 0,
      last_hit_at: null,
    });
    expect(created.body.created_at).toMatch(ISO_TIMESTAMP);
    const { id } = created.body;
    expect((await api.request('GET', `${PATH}/${id}`)).body).toEqual(created.body);
    expect((await api.request('GET', PATH)).body.map((item: { id: string }) => item.id)).toContain(id);

    const replaced = await api.request('PUT', `${PATH}/${id}`, {
      question: 'Во сколько начинается уборка подъездов?',
      alternatives: ['С какого часа убирают подъезды?'],
      answer: 'Уборка подъездов начинается в 9:00 по будням.',
      status: 'review',
    });
    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({
      alternatives: ['С какого часа убирают подъезды?'],
      status: 'review',
    });

    expect((await api.request('DELETE', `${PATH}/${id}`)).status).toBe(204);
    expectNotFound(await api.request('GET', `${PATH}/${id}`));
    expectNotFound(await api.request('DELETE', `${PATH}/${id}`));
    expectNotFound(await api.request('PUT', `${PATH}/${id}`, WINDOWS));
  });

  it('reject invalid input with 422', async () => {
    expectValidationError(await api.request('POST', PATH, { ...WINDOWS, question: '   ' }), [
      'body',
      'question',
    ]);
    expectValidationError(await api.request('POST', PATH, { question: WINDOWS.question }), [
      'body',
      'answer',
    ]);
    expectValidationError(await api.request('POST', PATH, { ...WINDOWS, alternatives: 'одна строка' }), [
      'body',
      'alternatives',
    ]);
    expectValidationError(
      await api.request('POST', PATH, {
        ...WINDOWS,
        alternatives: Array.from({ length: 21 }, (_, n) => `вопрос ${n}`),
      }),
      ['body', 'alternatives'],
    );
    expectValidationError(await api.request('POST', PATH, { ...WINDOWS, status: 'maybe' }), [
      'body',
      'status',
    ]);
    expectValidationError(await api.request('POST', PATH, { ...WINDOWS, answer: 'я'.repeat(4001) }), [
      'body',
      'answer',
    ]);
  });

  it('answer a reworded question as they are, with no LLM call, and count it', async () => {
    const created = await api.request('POST', PATH, WINDOWS);
    const llmCalls = fake.requests.length;
    const answer = await api.ask(REWORDED);
    expect(answer.model_used).toBe('curated');
    expect(answer.response).toBe(WINDOWS.answer);
    expect(answer.similar_found).toBeGreaterThanOrEqual(1);
    expect(fake.requests.length).toBe(llmCalls);
    const after = await api.request('GET', `${PATH}/${created.body.id}`);
    expect(after.body.hits).toBe(1);
    expect(after.body.last_hit_at).toMatch(ISO_TIMESTAMP);

    const search = await api.request('GET', `/api/retrieval/search?q=${encodeURIComponent(REWORDED)}`);
    expect(search.body[0]).toMatchObject({ kind: 'curated', id: created.body.id, answer: WINDOWS.answer });

    // Something unrelated goes to the LLM as before.
    const unrelated = await api.ask('Сколько сотрудников работает в компании?');
    expect(unrelated.model_used).not.toBe('curated');
    expect(fake.requests.length).toBe(llmCalls + 1);
  });

  it('are held back under review or once deleted, and are found again after a restart', async () => {
    const created = await api.request('POST', PATH, {
      question: 'Кто убирает снег у входа в подъезд зимой?',
      answer: 'Снег и наледь у входа в подъезд убирает наша бригада в дни уборки.',
    });
    const question = 'зимой снег у входа в подъезд кто убирает';
    expect((await api.ask(question)).model_used).toBe('curated');

    await api.request('PUT', `${PATH}/${created.body.id}`, {
      question: 'Кто убирает снег у входа в подъезд зимой?',
      answer: 'Снег и наледь у входа в подъезд убирает наша бригада в дни уборки.',
      status: 'review',
    });
    expect((await api.ask(question)).model_used).not.toBe('curated');

    await service.close({ keepData: true });
    service = await startTestService(environment(), dataDir);
    api = new Api(service);
    expect((await api.ask(REWORDED)).model_used).toBe('curated');
    expect((await api.ask(question)).model_used).not.toBe('curated');

    const windows = (await api.request('GET', PATH)).body.find(
      (item: { question: string }) => item.question === WINDOWS.question,
    );
    await api.request('DELETE', `${PATH}/${windows.id}`);
    expect((await api.ask(REWORDED)).model_used).not.toBe('curated');
    expect(api.serverErrors()).toEqual([]);
  });

  it('go to the LLM as vouched-for examples when they match, but not closely enough to be served', async () => {
    const strict = await startTestService({ ...environment(), ANNOTATION_REPLY_THRESHOLD: '1' });
    try {
      const strictApi = new Api(strict);
      await strictApi.request('POST', PATH, WINDOWS);
      fake.respondWith({ kind: 'answer', text: 'Окна моем весной и осенью.' });
      const answer = await strictApi.ask(REWORDED);
      expect(answer.model_used).not.toBe('curated');
      expect(answer.response).toBe('Окна моем весной и осенью.');
      const messages = (fake.requests.at(-1)?.body?.messages ?? []) as { role: string; content: string }[];
      const system = messages.find((message) => message.role === 'system')?.content ?? '';
      expect(system).toContain(WINDOWS.answer);
      expect(system).toContain('проверенный ответ компании');
    } finally {
      await strict.close();
    }
  });

  it('without an LLM, are served introduced by their question when close but not close enough', async () => {
    const offline = await startTestService({
      ANNOTATION_REPLY_THRESHOLD: '1',
      RETRIEVAL_REPLY_THRESHOLD: '0.5',
    });
    try {
      const offlineApi = new Api(offline);
      const created = await offlineApi.request('POST', PATH, WINDOWS);
      const answer = await offlineApi.ask(REWORDED);
      expect(answer.model_used).toBe('retrieval');
      expect(answer.response).toBe(
        `Точного ответа на этот вопрос у меня нет. На похожий вопрос «${WINDOWS.question}» ответ такой: ${WINDOWS.answer}`,
      );
      // Only answers served as they are count as hits.
      expect((await offlineApi.request('GET', `${PATH}/${created.body.id}`)).body.hits).toBe(0);
      // A question that shares little with it gets the profile's answer instead.
      expect((await offlineApi.ask('Сколько стоит генеральная уборка подъезда?')).model_used).toBe(
        'fallback',
      );
    } finally {
      await offline.close();
    }
  });
});
