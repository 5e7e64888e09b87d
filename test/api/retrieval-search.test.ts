import { beforeAll, describe, expect, it } from 'vitest';
import { expectValidationError } from './support/api.js';
import { useTestService } from './support/service-block.js';

const RATED = [
  'Как часто моют подъезды в Никитинском районе?',
  'Кто отвечает за уборку снега у входа в подъезд?',
  'Сколько стоит генеральная уборка подъезда?',
];

describe('GET /api/retrieval/search', () => {
  const context = useTestService();
  const answers = new Map<string, { id: string; answer: string }>();

  beforeAll(async () => {
    for (const question of RATED) {
      const asked = await context.api.ask(question);
      await context.api.rate(asked.log_id, 5);
      answers.set(question, { id: asked.log_id, answer: asked.response });
    }
    await context.service.services.learning.requestPass();
  });

  it('ranks rated answers for a reworded question, best first, as the chat does', async () => {
    const question = 'никитинский район — подъезды как часто моете?';
    const { status, body } = await context.api.request(
      'GET',
      `/api/retrieval/search?q=${encodeURIComponent(question)}&k=3`,
    );
    expect(status).toBe(200);
    const expected = answers.get(RATED[0] as string);
    expect(body[0]).toMatchObject({
      kind: 'conversation',
      id: expected?.id,
      question: RATED[0],
      answer: expected?.answer,
    });
    expect(body[0].score).toBeGreaterThan(0.45);
    expect(body[0].score).toBeLessThanOrEqual(1);
    for (let rank = 1; rank < body.length; rank++)
      expect(body[rank].score).toBeLessThanOrEqual(body[rank - 1].score);
    // The chat serves what the search ranks first.
    const chat = await context.api.ask(question);
    expect(chat.model_used).toBe('retrieval');
    expect(chat.response).toBe(body[0].answer);
  });

  it('finds nothing for an unrelated question and honours k', async () => {
    const unrelated = await context.api.request(
      'GET',
      `/api/retrieval/search?q=${encodeURIComponent('Какая погода завтра в Москве?')}`,
    );
    expect(unrelated.body).toEqual([]);
    // A question made of two rated ones finds both; k=1 keeps the first of them.
    const twofold = encodeURIComponent(`${RATED[1]} ${RATED[2]}`);
    const both = await context.api.request('GET', `/api/retrieval/search?q=${twofold}&k=3`);
    expect(both.body.map((hit: { question: string }) => hit.question).sort()).toEqual(
      [RATED[1], RATED[2]].sort(),
    );
    const one = await context.api.request('GET', `/api/retrieval/search?q=${twofold}&k=1`);
    expect(one.body).toEqual([both.body[0]]);
  });

  it('rejects a missing or empty question and a bad k with 422', async () => {
    expectValidationError(await context.api.request('GET', '/api/retrieval/search'), ['query', 'q']);
    expectValidationError(await context.api.request('GET', '/api/retrieval/search?q=%20%20'), ['query', 'q']);
    expectValidationError(await context.api.request('GET', '/api/retrieval/search?q=x&k=0'), ['query', 'k']);
    expectValidationError(await context.api.request('GET', '/api/retrieval/search?q=x&k=abc'), [
      'query',
      'k',
    ]);
    expectValidationError(await context.api.request('GET', `/api/retrieval/search?q=${'я'.repeat(2001)}`), [
      'query',
      'q',
    ]);
  });
});
