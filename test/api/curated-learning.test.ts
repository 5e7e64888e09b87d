import { describe, expect, it } from 'vitest';
import { expectValidationError } from './support/api.js';
import { useTestService } from './support/service-block.js';

const PATH = '/api/learning/annotations';

interface CuratedItem {
  id: string;
  question: string;
  alternatives: string[];
  answer: string;
  origin: string;
  status: string;
  status_reason: string | null;
  status_changed_at: string | null;
}

describe('curated answers learnt from ratings', () => {
  const context = useTestService({
    CURATED_PROMOTION_MIN_SESSIONS: '3',
    CURATED_DEMOTION_MIN_NEGATIVE: '2',
    // Low enough for these reworded questions to be served by a curated answer directly.
    ANNOTATION_REPLY_THRESHOLD: '0.6',
  });

  const list = async (query: string): Promise<CuratedItem[]> => {
    const response = await context.api.request('GET', `${PATH}${query}`);
    expect(response.status).toBe(200);
    return response.body;
  };
  /** Asks in its own session and rates the answer; the learning pass runs before it resolves. */
  const askAndRate = async (question: string, session: string, ...ratings: number[]) => {
    const asked = await context.api.ask(question, session);
    for (const rating of ratings) await context.api.rate(asked.log_id, rating);
    await context.service.services.learning.requestPass();
    return asked;
  };

  it('promote an answer rated 5 in enough distinct sessions, with the reason', async () => {
    const question = 'Сколько бригад работает в компании?';
    const first = await askAndRate(question, 'promotion-a', 5);
    // More 5s in the same session count once.
    await askAndRate(question, 'promotion-a', 5);
    await askAndRate('а бригад у вас сколько?', 'promotion-b', 5);
    expect(await list('?origin=promotion')).toEqual([]);

    await askAndRate('сколько всего бригад в компании', 'promotion-c', 5);
    const [promoted] = await list('?origin=promotion');
    expect(promoted).toMatchObject({
      question,
      answer: first.response,
      origin: 'promotion',
      status: 'active',
      status_reason: 'Оценка 5 в 3 разных сессиях, ни одной оценки 2 или ниже',
    });
    expect(promoted?.alternatives.sort()).toEqual([
      'а бригад у вас сколько?',
      'сколько всего бригад в компании',
    ]);
    expect(promoted?.status_changed_at).not.toBeNull();

    // It is served as it is from now on, and not promoted twice.
    const served = await context.api.ask('Сколько бригад работает в компании?', 'promotion-d');
    expect(served.model_used).toBe('curated');
    expect(served.response).toBe(first.response);
    await askAndRate(question, 'promotion-e', 5);
    expect(await list('?origin=promotion')).toHaveLength(1);
  });

  it('never promote an answer that was once rated 2 or lower', async () => {
    const question = 'Сколько сотрудников работает в компании?';
    // Rated 1, then changed to 5: the earlier rating still counts against it.
    await askAndRate(question, 'never-a', 1, 5);
    await askAndRate(question, 'never-b', 5);
    await askAndRate(question, 'never-c', 5);
    await askAndRate(question, 'never-d', 5);
    const promotions = await list('?origin=promotion');
    expect(promotions.map((item) => item.question)).not.toContain(question);
  });

  it('demote a curated answer that collects low ratings to review, and count afresh after an edit', async () => {
    const created = await context.api.request('POST', PATH, {
      question: 'Когда моют окна в подъездах Северного района?',
      answer: 'Окна в подъездах Северного района моем раз в месяц.',
    });
    expect(created.status).toBe(201);
    const reworded = 'окна в подъездах северного района когда моете?';
    const first = await askAndRate(reworded, 'demotion-a', 1);
    expect(first.model_used).toBe('curated');
    expect((await list('?status=review')).map((item) => item.id)).not.toContain(created.body.id);

    await askAndRate(reworded, 'demotion-b', 2);
    const demoted = (await list('?status=review')).find((item) => item.id === created.body.id);
    if (!demoted) throw new Error('the curated answer was not demoted');
    expect(demoted).toMatchObject({
      status: 'review',
      status_reason: '2 из 2 оценок после последнего изменения — 2 или ниже',
    });
    expect((await context.api.ask(reworded, 'demotion-c')).model_used).not.toBe('curated');

    // An admin fixes it and puts it back: the reason goes, and earlier ratings no longer count.
    const fixed = await context.api.request('PUT', `${PATH}/${created.body.id}`, {
      question: 'Когда моют окна в подъездах Северного района?',
      answer: 'Окна в подъездах Северного района моем дважды в год: в апреле и в сентябре.',
      status: 'active',
    });
    expect(fixed.body).toMatchObject({ status: 'active', status_reason: null });
    expect(fixed.body.status_changed_at > (demoted.status_changed_at ?? '')).toBe(true);
    await askAndRate(reworded, 'demotion-d', 1);
    expect((await context.api.request('GET', `${PATH}/${created.body.id}`)).body.status).toBe('active');
  });

  it('keep a popular curated answer that a few users rated low', async () => {
    const created = await context.api.request('POST', PATH, {
      question: 'Кто чистит снег у входа в подъезд?',
      answer: 'Снег у входа в подъезд чистит дворник управляющей компании.',
    });
    const reworded = 'снег у входа в подъезд кто чистит?';
    for (const [index, rating] of [5, 5, 4, 5, 5, 1, 2].entries()) {
      await askAndRate(reworded, `popular-${index}`, rating);
    }
    expect((await context.api.request('GET', `${PATH}/${created.body.id}`)).body.status).toBe('active');
  });

  it('reject an unknown status or origin filter with 422', async () => {
    expectValidationError(await context.api.request('GET', `${PATH}?status=deleted`), ['query', 'status']);
    expectValidationError(await context.api.request('GET', `${PATH}?origin=robot`), ['query', 'origin']);
    expect(context.api.serverErrors()).toEqual([]);
  });
});
