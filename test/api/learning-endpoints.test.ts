import { beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../helpers/eventually.js';
import { expectNotFound, expectValidationError, ISO_TIMESTAMP } from './support/api.js';
import { useTestService } from './support/service-block.js';

const NIKITINSKY = 'Как часто бригада моет подъезды в Никитинском районе?';
const NIKITINSKY_REWORDED = 'никитинский район: подъезды моют как часто?';
const PRICE = 'Сколько стоит уборка одного подъезда в месяц?';

/** The learning endpoints: stats, export, train, similar conversations, self-learning status, embeddings. */
describe('learning endpoints', () => {
  const context = useTestService();

  describe('on an empty service', () => {
    it('GET /api/learning/stats has no average, no ratings and no learning update', async () => {
      const { status, body } = await context.api.request('GET', '/api/learning/stats');
      expect(status).toBe(200);
      expect(body).toMatchObject({
        total_interactions: 0,
        avg_rating: null,
        positive_ratings: 0,
        negative_ratings: 0,
        improvement_rate: 0,
        last_learning_update: null,
      });
    });

    it('GET /api/voice/self-learning/status does not ask for retraining without ratings', async () => {
      const { status, body } = await context.api.request('GET', '/api/voice/self-learning/status');
      expect(status).toBe(200);
      expect(body).toMatchObject({
        total_interactions: 0,
        avg_rating: null,
        positive_ratings_count: 0,
        negative_ratings_count: 0,
        requires_retraining: false,
      });
      expect(typeof body.current_model).toBe('string');
    });

    it('GET /api/learning/export exports nothing', async () => {
      const { status, body } = await context.api.request('GET', '/api/learning/export');
      expect(status).toBe(200);
      expect(body).toMatchObject({ total_exported: 0, min_rating_used: 4, data: [] });
      expect(body.export_timestamp).toMatch(ISO_TIMESTAMP);
    });

    it('POST /api/learning/train starts a pass that sets last_learning_update', async () => {
      const { status, body } = await context.api.request('POST', '/api/learning/train');
      expect(status).toBe(200);
      expect(body.status).toBe('training_started');
      expect(typeof body.message).toBe('string');
      expect(body.timestamp).toMatch(ISO_TIMESTAMP);
      const updated = await eventually(async () => {
        const stats = await context.api.request('GET', '/api/learning/stats');
        return stats.body.last_learning_update ?? undefined;
      });
      expect(updated).toMatch(ISO_TIMESTAMP);
    });
  });

  describe('with rated conversations', () => {
    const ids: Record<string, string> = {};

    beforeAll(async () => {
      // Ratings 5, 5, 4, 2, 1 and two unrated conversations.
      const rated: [string, string, number | undefined][] = [
        ['nikitinsky', NIKITINSKY, 5],
        ['price', PRICE, 5],
        ['employees', 'Сколько сотрудников работает в компании?', 4],
        ['complaint', 'Куда жаловаться, если подъезд плохо убрали?', 2],
        ['windows', 'Моете ли вы окна на лестничных площадках?', 1],
        ['schedule', 'В какие дни недели бывает уборка?', undefined],
        ['reworded', NIKITINSKY_REWORDED, undefined],
      ];
      for (const [key, message, rating] of rated) {
        const answer = await context.api.ask(message, `session-${key}`);
        ids[key] = answer.log_id;
        if (rating !== undefined) await context.api.rate(answer.log_id, rating, `оценка ${rating}`);
      }
      await context.service.services.learning.requestPass();
    });

    it('GET /api/learning/stats computes the figures from storage', async () => {
      const { body } = await context.api.request('GET', '/api/learning/stats');
      expect(body.total_interactions).toBe(7);
      expect(body.avg_rating).toBeCloseTo(17 / 5, 2);
      expect(body.positive_ratings).toBe(3);
      expect(body.negative_ratings).toBe(2);
      expect(body.improvement_rate).toBeCloseTo(3 / 7, 2);
      expect(body.last_learning_update).toMatch(ISO_TIMESTAMP);
      const root = await context.api.request('GET', '/');
      expect(root.body.stats).toMatchObject({
        total_interactions: 7,
        positive_ratings: 3,
        negative_ratings: 2,
        rated_interactions: 5,
      });
    });

    it('GET /api/learning/export returns only conversations rated at least MIN_RATING_THRESHOLD', async () => {
      const { status, body } = await context.api.request('GET', '/api/learning/export');
      expect(status).toBe(200);
      expect(body.total_exported).toBe(3);
      expect(body.min_rating_used).toBe(4);
      expect(body.data).toHaveLength(3);
      for (const item of body.data) {
        expect(item.messages).toHaveLength(2);
        expect(item.messages[0].role).toBe('user');
        expect(item.messages[1].role).toBe('assistant');
        expect(typeof item.messages[0].content).toBe('string');
        expect(typeof item.messages[1].content).toBe('string');
        expect(item.metadata.rating).toBeGreaterThanOrEqual(4);
        expect(item.metadata.timestamp).toMatch(ISO_TIMESTAMP);
        expect(item.metadata.session_id).toMatch(/^session-/);
      }
      const questions = body.data.map(
        (item: { messages: { content: string }[] }) => item.messages[0]?.content,
      );
      expect(questions).toContain(NIKITINSKY);
      expect(questions).not.toContain('Куда жаловаться, если подъезд плохо убрали?');
      const all = await context.api.request('GET', '/api/learning/export?min_rating=1');
      expect(all.body.total_exported).toBe(5);
      expect(all.body.min_rating_used).toBe(1);
    });

    it('GET /api/learning/export?format=jsonl gives one JSON object per line as an attachment', async () => {
      const response = await context.api.raw('GET', '/api/learning/export?format=jsonl');
      expect(response.status).toBe(200);
      expect(response.headers.get('content-disposition') ?? '').toMatch(/^attachment;.*filename=/);
      const lines = (response.body as string).split('\n').filter((line) => line !== '');
      expect(lines).toHaveLength(3);
      for (const line of lines) {
        const parsed = JSON.parse(line);
        expect(typeof parsed).toBe('object');
        expect(parsed.messages.map((message: { role: string }) => message.role)).toEqual([
          'user',
          'assistant',
        ]);
      }
    });

    it.each([
      ['format=xml', ['query', 'format']],
      ['min_rating=0', ['query', 'min_rating']],
      ['min_rating=abc', ['query', 'min_rating']],
    ])('GET /api/learning/export?%s answers 422', async (query, loc) => {
      expectValidationError(await context.api.request('GET', `/api/learning/export?${query}`), loc);
    });

    it('GET /api/learning/similar finds the rated paraphrase and not unrelated answers', async () => {
      const { status, body } = await context.api.request(
        'GET',
        `/api/learning/similar/${ids.reworded}?limit=5`,
      );
      expect(status).toBe(200);
      expect(body.original_message).toBe(NIKITINSKY_REWORDED);
      expect(body.found_similar).toBe(body.similar_conversations.length);
      const found = body.similar_conversations.map((match: { log_id: string }) => match.log_id);
      expect(found).toContain(ids.nikitinsky);
      expect(found).not.toContain(ids.price);
      expect(found).not.toContain(ids.employees);
      const match = body.similar_conversations[0];
      expect(match).toMatchObject({ log_id: ids.nikitinsky, user_message: NIKITINSKY, rating: 5 });
      expect(typeof match.ai_response).toBe('string');
      expect(match.timestamp).toMatch(ISO_TIMESTAMP);
    });

    it('GET /api/learning/similar validates limit and answers 404 for an unknown id', async () => {
      expectNotFound(await context.api.request('GET', '/api/learning/similar/unknown-log-id'));
      for (const limit of ['0', 'abc', '-1', '2.5']) {
        expectValidationError(
          await context.api.request('GET', `/api/learning/similar/${ids.reworded}?limit=${limit}`),
          ['query', 'limit'],
        );
      }
      const one = await context.api.request('GET', `/api/learning/similar/${ids.reworded}?limit=1`);
      expect(one.status).toBe(200);
      expect(one.body.similar_conversations.length).toBeLessThanOrEqual(1);
    });

    it('GET /api/voice/similar lists matches with a similarity score', async () => {
      const { status, body } = await context.api.request('GET', `/api/voice/similar/${ids.reworded}?limit=5`);
      expect(status).toBe(200);
      expect(Array.isArray(body)).toBe(true);
      const match = body.find((entry: { log_id: string }) => entry.log_id === ids.nikitinsky);
      expect(match).toBeDefined();
      expect(match).toMatchObject({ user_message: NIKITINSKY, rating: 5 });
      expect(typeof match.ai_response).toBe('string');
      expect(match.similarity_score).toBeGreaterThan(0);
      expect(match.similarity_score).toBeLessThanOrEqual(1);
      expect(body.map((entry: { log_id: string }) => entry.log_id)).not.toContain(ids.price);
      expectNotFound(await context.api.request('GET', '/api/voice/similar/unknown-log-id'));
      expectValidationError(await context.api.request('GET', `/api/voice/similar/${ids.reworded}?limit=0`), [
        'query',
        'limit',
      ]);
    });

    it('GET /api/voice/self-learning/status asks for retraining once the average falls below 3.5', async () => {
      const before = await context.api.request('GET', '/api/voice/self-learning/status');
      expect(before.body).toMatchObject({
        total_interactions: 7,
        positive_ratings_count: 3,
        negative_ratings_count: 2,
        requires_retraining: true,
      });
      expect(before.body.avg_rating).toBeCloseTo(3.4, 2);
      await context.api.rate(ids.windows as string, 3);
      const after = await context.api.request('GET', '/api/voice/self-learning/status');
      expect(after.body.avg_rating).toBeCloseTo(3.8, 2);
      expect(after.body.requires_retraining).toBe(false);
      expect(after.body.negative_ratings_count).toBe(1);
    });

    it('POST /api/voice/embeddings/update reports its work and validates batch_size', async () => {
      const { status, body } = await context.api.request(
        'POST',
        '/api/voice/embeddings/update?batch_size=50',
      );
      expect(status).toBe(200);
      expect(typeof body.success).toBe('boolean');
      expect(Number.isInteger(body.processed)).toBe(true);
      expect(Number.isInteger(body.errors)).toBe(true);
      expect(Number.isInteger(body.total_found)).toBe(true);
      expect(body.errors).toBe(0);
      expect(body.success).toBe(true);
      const defaults = await context.api.request('POST', '/api/voice/embeddings/update');
      expect(defaults.status).toBe(200);
      for (const batch of ['0', 'abc']) {
        expectValidationError(
          await context.api.request('POST', `/api/voice/embeddings/update?batch_size=${batch}`),
          ['query', 'batch_size'],
        );
      }
    });
  });

  it('never answered with a 5xx', () => {
    expect(context.api.serverErrors()).toEqual([]);
  });
});
