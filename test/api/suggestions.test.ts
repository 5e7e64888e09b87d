import { describe, expect, it } from 'vitest';
import { expectValidationError } from './support/api.js';
import { useTestService } from './support/service-block.js';

describe('GET /api/learning/suggestions', () => {
  const context = useTestService();

  it('lists low-rated answers nobody corrected and questions nothing matched, by wording', async () => {
    const poor = await context.api.ask('Сколько стоит дезинфекция подъезда?');
    await context.api.rate(poor.log_id, 1, 'Цены нет');
    const fixed = await context.api.ask('Кто моет лифтовые кабины?');
    await context.api.rate(fixed.log_id, 2);
    await context.api.request('PUT', `/api/conversations/${fixed.log_id}/correction`, {
      answer: 'Лифтовые кабины моет бригада в дни уборки подъезда.',
    });
    for (const wording of [
      'Где взять пропуск на парковку?',
      'где взять  пропуск на парковку',
      'Где взять пропуск на парковку',
    ]) {
      await context.api.ask(wording);
    }
    const good = await context.api.ask('Есть ли у вас доставка цветов?');
    await context.api.rate(good.log_id, 5);

    const { status, body } = await context.api.request('GET', '/api/learning/suggestions');
    expect(status).toBe(200);
    expect(body.low_rated).toEqual([
      expect.objectContaining({
        log_id: poor.log_id,
        rating: 1,
        comment: 'Цены нет',
        question: 'Сколько стоит дезинфекция подъезда?',
      }),
    ]);
    // Corrected conversations are done with; the same wording is counted once (shown as last asked), the most
    // asked first.
    expect(body.unanswered[0]).toMatchObject({
      question: expect.stringMatching(/^Где взять пропуск на парковку\??$/),
      times_asked: 3,
    });
    const questions = body.unanswered.map((item: { question: string }) => item.question);
    expect(questions).not.toContain('Кто моет лифтовые кабины?');
    expect(questions).toContain('Сколько стоит дезинфекция подъезда?');
    // A profile answer rated 5 served its asker.
    expect(questions).not.toContain('Есть ли у вас доставка цветов?');
  });

  it('honours limit and rejects bad query values with 422', async () => {
    const one = await context.api.request('GET', '/api/learning/suggestions?limit=1');
    expect(one.body.unanswered).toHaveLength(1);
    expectValidationError(await context.api.request('GET', '/api/learning/suggestions?limit=0'), [
      'query',
      'limit',
    ]);
    expectValidationError(await context.api.request('GET', '/api/learning/suggestions?days_back=x'), [
      'query',
      'days_back',
    ]);
  });
});
