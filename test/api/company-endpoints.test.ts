import { describe, expect, it } from 'vitest';
import { expectValidationError, ISO_TIMESTAMP } from './support/api.js';
import { useTestService } from './support/service-block.js';

/** The company figures (from the profile, not code), the integrations' status and the status checks. */
describe('company endpoints', () => {
  const context = useTestService();

  describe('company figures', () => {
    it('GET /api/dashboard serves the company figures and the ai_stats of /', async () => {
      const { status, body } = await context.api.request('GET', '/api/dashboard');
      expect(status).toBe(200);
      expect(typeof body.company).toBe('string');
      expect(body).toMatchObject({ houses: 348, employees: 82, brigades: 6 });
      expect([...body.regions].sort()).toEqual(
        ['Центральный', 'Никитинский', 'Жилетово', 'Северный', 'Пригород', 'Окраины'].sort(),
      );
      const root = await context.api.request('GET', '/');
      expect(Object.keys(body.ai_stats).sort()).toEqual(Object.keys(root.body.stats).sort());
    });

    it('GET /api/cleaning/houses gives the total and the houses by district', async () => {
      const { status, body } = await context.api.request('GET', '/api/cleaning/houses');
      expect(status).toBe(200);
      expect(body.total).toBe(348);
      expect(body.regions).toEqual({
        Центральный: 58,
        Никитинский: 62,
        Жилетово: 45,
        Северный: 71,
        Пригород: 53,
        Окраины: 59,
      });
    });

    it('GET /api/telegram/status and GET /api/bitrix24/test keep their fields', async () => {
      const telegram = await context.api.request('GET', '/api/telegram/status');
      expect(telegram.status).toBe(200);
      expect(typeof telegram.body.status).toBe('string');
      expect(telegram.body).toHaveProperty('bot');
      expect(Array.isArray(telegram.body.features)).toBe(true);
      const bitrix = await context.api.request('GET', '/api/bitrix24/test');
      expect(bitrix.status).toBe(200);
      for (const key of ['status', 'deals', 'employees', 'companies', 'integration']) {
        expect(bitrix.body, key).toHaveProperty(key);
      }
      expect(typeof bitrix.body.status).toBe('string');
      expect(bitrix.body.companies).toBe(29);
      expect(bitrix.body.employees).toBe(82);
    });
  });

  describe('status checks', () => {
    it('POST /api/status records a check and GET lists the last 10, oldest first', async () => {
      const created: { id: string; client_name: string }[] = [];
      for (let index = 1; index <= 12; index++) {
        const { status, body } = await context.api.request('POST', '/api/status', {
          client_name: `client-${index}`,
        });
        expect(status).toBe(200);
        expect(typeof body.id).toBe('string');
        expect(body.client_name).toBe(`client-${index}`);
        expect(body.timestamp).toMatch(ISO_TIMESTAMP);
        expect(typeof body.platform).toBe('string');
        created.push(body);
      }
      const { status, body } = await context.api.request('GET', '/api/status');
      expect(status).toBe(200);
      expect(body).toHaveLength(10);
      expect(body.map((check: { client_name: string }) => check.client_name)).toEqual(
        created.slice(2).map((check) => check.client_name),
      );
      expect(body.map((check: { id: string }) => check.id)).toEqual(
        created.slice(2).map((check) => check.id),
      );
    });

    it('rejects a missing or non-string client_name with 422', async () => {
      expectValidationError(await context.api.request('POST', '/api/status', {}), ['body', 'client_name']);
      expectValidationError(await context.api.request('POST', '/api/status', { client_name: 7 }), [
        'body',
        'client_name',
      ]);
    });
  });

  it('never answered with a 5xx', () => {
    expect(context.api.serverErrors()).toEqual([]);
  });
});
