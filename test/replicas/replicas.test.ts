import { rmSync } from 'node:fs';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/config.schema.js';
import { openDatabase } from '../../src/storage/database.js';
import { type ChildService, startChildService } from '../api/support/child-service.js';
import { eventually } from '../helpers/eventually.js';
import { sendRequest, temporaryDirectory } from '../helpers/test-service.js';
import { countRows, createPostgresDatabase, dropPostgresDatabase } from '../helpers/test-storage.js';

interface Replica {
  name: string;
  child: ChildService;
  baseUrl: string;
  dataDir: string;
}

/** Short, so that the take-over after a kill is quick to see. */
const LEASE_TTL_MS = 1500;

const post = (replica: Replica, url: string, body: unknown) =>
  sendRequest(replica.baseUrl, 'POST', url, body);
const get = (replica: Replica, url: string) => sendRequest(replica.baseUrl, 'GET', url);

/**
 * Two service processes on one PostgreSQL database, as behind a load balancer: what is rated on one is
 * found by the other within a second, and under concurrent load on both the database holds exactly what
 * clients were told.
 */
describe('two replicas on one PostgreSQL database', () => {
  let databaseUrl: string;
  const replicas: Replica[] = [];

  beforeAll(async () => {
    databaseUrl = await createPostgresDatabase();
    for (const name of ['A', 'B']) {
      const dataDir = temporaryDirectory(`vasdom-replica-${name}-`);
      const { child, baseUrl } = await startChildService({
        DATA_DIR: dataDir,
        DATABASE_URL: databaseUrl,
        LEASE_TTL_MS: String(LEASE_TTL_MS),
      });
      replicas.push({ name, child, baseUrl, dataDir });
    }
  });

  afterAll(async () => {
    for (const replica of replicas) {
      await replica.child.kill();
      rmSync(replica.dataDir, { recursive: true, force: true });
    }
    if (databaseUrl) await dropPostgresDatabase(databaseUrl);
  });

  it('finds on B, within a second, an answer rated on A', async () => {
    const [a, b] = replicas as [Replica, Replica];
    const question = 'Как часто моют подъезды на улице Кирова в Калуге?';
    const reworded = 'кирова улица: как часто у вас моют подъезды?';
    expect((await post(b, '/api/voice/process', { message: reworded })).body.similar_found).toBe(0);

    const asked = await post(a, '/api/voice/process', { message: question });
    expect(asked.status).toBe(200);
    const rated = await post(a, '/api/voice/feedback', { log_id: asked.body.log_id, rating: 5 });
    expect(rated.status).toBe(200);
    const found = await eventually(async () => {
      const answer = (await post(b, '/api/voice/process', { message: reworded })).body;
      expect(answer.similar_found, 'B did not find the rating within 1 s').toBeGreaterThan(0);
      return answer as { response: string };
    }, 1000);
    expect(found.response).toBe(asked.body.response);

    // Rated down on B, it leaves A's examples just as fast.
    expect((await post(b, '/api/voice/feedback', { log_id: asked.body.log_id, rating: 1 })).status).toBe(200);
    await eventually(async () => {
      const { similar_found } = (await post(a, '/api/voice/process', { message: reworded })).body;
      expect(similar_found, 'A still used the answer rated 1 on B after 1 s').toBe(0);
      return true;
    }, 1000);
  });

  it('catches up after its listening connection to the database is cut', async () => {
    const [a, b] = replicas as [Replica, Replica];
    const question = 'Как часто моют лестницы в домах на проспекте Ленина?';
    const reworded = 'ленина проспект: лестницы как часто моете?';
    const storage = openDatabase(parseConfig({ DATABASE_URL: databaseUrl }).database);
    try {
      const asked = await post(a, '/api/voice/process', { message: question });
      // Both replicas lose their change feed connection; the rating's notice may reach nobody.
      const cut = await sql<{ terminated: boolean }>`select pg_terminate_backend(pid) as terminated
        from pg_stat_activity where application_name = 'vasdom-changes' and datname = current_database()`.execute(
        storage.db,
      );
      expect(cut.rows.length).toBe(2);
      expect((await post(a, '/api/voice/feedback', { log_id: asked.body.log_id, rating: 5 })).status).toBe(
        200,
      );
      await eventually(async () => {
        const hits = (await get(b, `/api/retrieval/search?q=${encodeURIComponent(reworded)}&k=10`)).body as {
          id: string;
        }[];
        expect(
          hits.map((hit) => hit.id),
          'B did not catch up after its connection was cut',
        ).toContain(asked.body.log_id);
        return true;
      }, 5000);
    } finally {
      await storage.close();
    }
  });

  it('stores exactly what clients were told under concurrent questions and ratings on both', async () => {
    const storage = openDatabase(parseConfig({ DATABASE_URL: databaseUrl }).database);
    const countBoth = async () => ({
      conversations: await countRows(storage.db, 'conversations'),
      feedback: await countRows(storage.db, 'feedback'),
    });
    try {
      const before = await countBoth();
      const logIds: string[] = [];
      const ratingsTold: { logId: string; rating: number }[] = [];
      const topics = ['уборка', 'окна', 'снег', 'график', 'жалоба', 'договор', 'бригада', 'лифт'];
      // 8 clients at once per replica; each asks, then rates its answer twice, once on each replica.
      await Promise.all(
        Array.from({ length: 16 }, async (_, client) => {
          for (let round = 0; round < 8; round++) {
            const own = replicas[client % 2] as Replica;
            const other = replicas[(client + 1) % 2] as Replica;
            const message = `Вопрос ${client}-${round}: ${topics[(client + round) % topics.length]} в доме ${round + 1}?`;
            const answer = await post(own, '/api/voice/process', { message, session_id: `client-${client}` });
            expect(answer.status).toBe(200);
            logIds.push(answer.body.log_id);
            const ratings = [1 + ((client + round) % 5), 1 + ((client * 3 + round) % 5)];
            const results = await Promise.all([
              post(own, '/api/voice/feedback', { log_id: answer.body.log_id, rating: ratings[0] }),
              post(other, '/api/voice/feedback', { log_id: answer.body.log_id, rating: ratings[1] }),
            ]);
            for (const [position, result] of results.entries()) {
              expect(result.status).toBe(200);
              ratingsTold.push({ logId: answer.body.log_id, rating: ratings[position] as number });
            }
          }
        }),
      );

      const after = await countBoth();
      expect(after.conversations - before.conversations).toBe(logIds.length);
      expect(after.feedback - before.feedback).toBe(ratingsTold.length);
      // Every rating is in the history once, and each conversation holds the rating its last one gave.
      const history = await storage.db
        .selectFrom('feedback')
        .select(['id', 'conversation_id', 'rating'])
        .where('conversation_id', 'in', logIds)
        .orderBy('id')
        .execute();
      const told = ratingsTold.map((entry) => `${entry.logId}:${entry.rating}`).sort();
      expect(history.map((row) => `${row.conversation_id}:${row.rating}`).sort()).toEqual(told);
      const lastRating = new Map(history.map((row) => [row.conversation_id, row.rating]));
      const conversations = await storage.db
        .selectFrom('conversations')
        .select(['id', 'rating'])
        .where('id', 'in', logIds)
        .execute();
      for (const row of conversations) expect(row.rating, row.id).toBe(lastRating.get(row.id));

      // Both replicas report the same figures, read from the one database.
      const [statsA, statsB] = await Promise.all(
        replicas.map((replica) => get(replica, '/api/learning/stats')),
      );
      expect(statsA?.body).toEqual(statsB?.body);
      expect(statsA?.body.total_interactions).toBe(after.conversations);
    } finally {
      await storage.close();
    }
  });

  it('loads on B the vectors A embedded for conversations that lacked one', async () => {
    const [a, b] = replicas as [Replica, Replica];
    const storage = openDatabase(parseConfig({ DATABASE_URL: databaseUrl }).database);
    const question = 'Сколько стоит мытьё окон в подъезде на улице Гагарина?';
    const reworded = 'гагарина улица: почём помыть окна в подъезде?';
    const answer = 'Мытьё окон в подъезде стоит 1500 рублей за этаж.';
    try {
      // A rated conversation written without a vector (as after a change of embedder, or by an import).
      const now = new Date().toISOString();
      await storage.db
        .insertInto('conversations')
        .values({
          id: '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b',
          session_id: 'import',
          user_message: question,
          ai_response: answer,
          model_used: 'import',
          answer_source: 'fallback',
          response_time_ms: 0,
          similar_found: 0,
          rating: 5,
          feedback_text: null,
          rated_at: now,
          created_at: now,
          updated_at: now,
        })
        .execute();
    } finally {
      await storage.close();
    }
    const answerOf = async (replica: Replica) =>
      (await post(replica, '/api/voice/process', { message: reworded })).body.response as string;
    expect(await answerOf(b)).not.toBe(answer);
    const embedded = await post(a, '/api/voice/embeddings/update?batch_size=100', {});
    expect(embedded.status, JSON.stringify(embedded.body)).toBe(200);
    expect(embedded.body.processed).toBeGreaterThanOrEqual(1);
    expect(await answerOf(a)).toBe(answer);
    await eventually(async () => {
      expect(await answerOf(b), 'B did not load the vector A stored').toBe(answer);
      return true;
    }, 3000);
  });

  it('hands the learning lease over to B when A, holding it, is killed', async () => {
    const [a, b] = replicas as [Replica, Replica];
    const holdsLease = async (replica: Replica) =>
      (await get(replica, '/api/voice/self-learning/status')).body.replica.holds_learning_lease as boolean;
    // A started first and took the lease; B only follows.
    expect(await holdsLease(a)).toBe(true);
    expect(await holdsLease(b)).toBe(false);

    await a.child.kill('SIGKILL');
    await eventually(async () => {
      expect(await holdsLease(b), 'B did not take the lease over').toBe(true);
      return true;
    }, LEASE_TTL_MS * 3);

    // B now draws the lessons for all: a rating given on it moves the time learning last ran.
    const before = (await get(b, '/api/learning/stats')).body.last_learning_update as string;
    const asked = await post(b, '/api/voice/process', { message: 'Кто убирает снег у подъезда зимой?' });
    expect((await post(b, '/api/voice/feedback', { log_id: asked.body.log_id, rating: 5 })).status).toBe(200);
    await eventually(async () => {
      const after = (await get(b, '/api/learning/stats')).body.last_learning_update as string;
      expect(after > before, `last_learning_update stayed ${before}`).toBe(true);
      return true;
    }, 5000);
  });
});
