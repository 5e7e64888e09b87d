import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import {
  sendRequest,
  startTestService,
  type TestService,
  temporaryDirectory,
} from '../helpers/test-service.js';
import { countRows, openStorage } from '../helpers/test-storage.js';
import { Api } from './support/api.js';
import { type ChildService, startChildService } from './support/child-service.js';

const QUESTIONS = [
  'Как часто бригада моет подъезды в Никитинском районе?',
  'Сколько стоит уборка одного подъезда в месяц?',
  'Сколько сотрудников работает в компании?',
  'Куда жаловаться, если подъезд плохо убрали?',
  'Какая бригада обслуживает Северный район?',
  'Моете ли вы окна на лестничных площадках?',
];

describe('data survives a clean restart', () => {
  const dataDir = temporaryDirectory('vasdom-restart-');
  let service: TestService | undefined;

  afterAll(async () => {
    await service?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps conversations, ratings, status checks and the retrieval index', async () => {
    service = await startTestService({}, dataDir);
    let api = new Api(service);
    const rated = await api.ask(QUESTIONS[0] as string, 'restart-session');
    await api.rate(rated.log_id, 5, 'Точно');
    const low = await api.ask(QUESTIONS[3] as string);
    await api.rate(low.log_id, 4);
    await api.rate(low.log_id, 2, 'Передумал');
    const unrated = await api.ask(QUESTIONS[2] as string);
    for (const client of ['monitor-a', 'monitor-b']) {
      expect((await api.request('POST', '/api/status', { client_name: client })).status).toBe(200);
    }
    const statsBefore = (await api.request('GET', '/api/learning/stats')).body;
    await service.close({ keepData: true });
    service = undefined;

    service = await startTestService({}, dataDir);
    api = new Api(service);
    const stats = (await api.request('GET', '/api/learning/stats')).body;
    expect(stats).toMatchObject({
      total_interactions: 3,
      avg_rating: 3.5,
      positive_ratings: 1,
      negative_ratings: 1,
      rated_interactions: 2,
    });
    expect(stats.last_learning_update).toBe(statsBefore.last_learning_update);
    const checks = (await api.request('GET', '/api/status')).body;
    expect(checks.map((check: { client_name: string }) => check.client_name)).toEqual([
      'monitor-a',
      'monitor-b',
    ]);

    const exported = (await api.request('GET', '/api/learning/export?min_rating=1')).body;
    const byQuestion = new Map(
      exported.data.map((item: { messages: { content: string }[]; metadata: { rating: number } }) => [
        item.messages[0]?.content,
        item.metadata.rating,
      ]),
    );
    expect(byQuestion.get(QUESTIONS[0])).toBe(5);
    expect(byQuestion.get(QUESTIONS[3])).toBe(2);
    const unratedSimilar = await api.request('GET', `/api/learning/similar/${unrated.log_id}`);
    expect(unratedSimilar.status).toBe(200);
    expect(unratedSimilar.body.original_message).toBe(QUESTIONS[2]);

    // The index is rebuilt from storage: the 5-star answer is found for a paraphrase, the re-rated one is not.
    const reworded = await api.ask('никитинский район: подъезды моют как часто?');
    expect(reworded.model_used).toBe('retrieval');
    expect(reworded.response).toBe(rated.response);
    const complaint = await api.ask('Куда пожаловаться, если плохо убрали подъезд?');
    expect(complaint.model_used).toBe('fallback');
    expect(api.serverErrors()).toEqual([]);
  });
});

describe('data survives kill -9', () => {
  const dataDir = temporaryDirectory('vasdom-kill-');
  const children: ChildService[] = [];

  async function start(): Promise<string> {
    const { child, baseUrl } = await startChildService({ DATA_DIR: dataDir });
    children.push(child);
    return baseUrl;
  }

  afterAll(async () => {
    for (const child of children) await child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps every conversation and rating that was acknowledged before the kill', async () => {
    let baseUrl = await start();
    const conversations = new Map<string, string>();
    const ratings = new Map<string, number>();
    const serverErrors: number[] = [];
    let inFlight = 0;
    let inFlightAtKill = -1;
    let killed = false;
    const first = children[0] as ChildService;

    const tracked = async (method: string, url: string, body: unknown) => {
      inFlight++;
      try {
        const response = await sendRequest(baseUrl, method, url, body);
        if (response.status >= 500) serverErrors.push(response.status);
        return response;
      } finally {
        inFlight--;
      }
    };

    const worker = async (index: number) => {
      for (let round = 0; !killed && round < 40; round++) {
        const message = `${QUESTIONS[(index + round) % QUESTIONS.length]} (${index}-${round})`;
        const answer = await tracked('POST', '/api/voice/process', { message });
        if (answer.status !== 200) continue;
        conversations.set(answer.body.log_id, message);
        const rating = ((index + round) % 5) + 1;
        const rated = await tracked('POST', '/api/voice/feedback', { log_id: answer.body.log_id, rating });
        if (rated.status === 200) ratings.set(answer.body.log_id, rating);
        if (!killed && ratings.size >= 150) {
          killed = true;
          inFlightAtKill = inFlight;
          first.child.kill('SIGKILL');
        }
      }
    };
    const results = await Promise.allSettled(Array.from({ length: 24 }, (_, index) => worker(index)));
    await first.exited;

    expect(killed).toBe(true);
    expect(inFlightAtKill).toBeGreaterThan(0);
    expect(results.some((result) => result.status === 'rejected')).toBe(true);
    expect(serverErrors).toEqual([]);
    expect(conversations.size).toBeGreaterThanOrEqual(150);

    baseUrl = await start();
    const exported = await sendRequest(baseUrl, 'GET', '/api/learning/export?min_rating=1');
    expect(exported.status).toBe(200);
    const stored = new Map<string, number>(
      exported.body.data.map((item: { metadata: { log_id: string; rating: number } }) => [
        item.metadata.log_id,
        item.metadata.rating,
      ]),
    );
    for (const [logId, rating] of ratings) expect(stored.get(logId), logId).toBe(rating);
    const stats = await sendRequest(baseUrl, 'GET', '/api/learning/stats');
    expect(stats.body.total_interactions).toBeGreaterThanOrEqual(conversations.size);
    for (const logId of [...conversations.keys()].slice(0, 40)) {
      const similar = await sendRequest(baseUrl, 'GET', `/api/learning/similar/${logId}?limit=1`);
      expect(similar.status, logId).toBe(200);
      expect(similar.body.original_message).toBe(conversations.get(logId));
    }

    // After a clean stop, read the database directly: every acknowledged conversation is a row.
    const second = children[1] as ChildService;
    await second.kill('SIGTERM');
    expect((await second.exited).code).toBe(0);
    const database = await openStorage(dataDir);
    try {
      const rows = await database.db
        .selectFrom('conversations')
        .select(['id', 'user_message', 'rating'])
        .execute();
      const byId = new Map(rows.map((row) => [row.id, row]));
      for (const [logId, message] of conversations)
        expect(byId.get(logId)?.user_message, logId).toBe(message);
      for (const [logId, rating] of ratings) expect(byId.get(logId)?.rating, logId).toBe(rating);
      expect(await countRows(database.db, 'feedback')).toBeGreaterThanOrEqual(ratings.size);
    } finally {
      await database.close();
    }
  }, 60_000);
});
