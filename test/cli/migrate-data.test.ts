import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { migrateData } from '../../src/cli/migrate-data.js';
import { REGULATIONS } from '../api/support/knowledge-documents.js';
import { runCli } from '../helpers/run-cli.js';
import {
  sendRequest,
  startTestService,
  type TestService,
  temporaryDirectory,
} from '../helpers/test-service.js';
import { createPostgresDatabase, dropPostgresDatabase } from '../helpers/test-storage.js';

const QUESTIONS = [
  'Как часто моют подъезды в Никитинском районе?',
  'Сколько стоит уборка одного подъезда в месяц?',
  'Кто убирает снег у входа в подъезд?',
  'Куда жаловаться, если подъезд плохо убрали?',
  'Моете ли вы окна на лестничных площадках?',
];

/** What clients can read through the API, to compare an installation before and after the move. */
async function readThroughApi(service: TestService, logIds: string[], adminKey: string) {
  const admin = async (url: string): Promise<Record<string, unknown>> =>
    (await (
      await fetch(`${service.baseUrl}${url}`, { headers: { authorization: `Bearer ${adminKey}` } })
    ).json()) as Record<string, unknown>;
  const { export_timestamp: _exportedAt, ...exported } = await admin('/api/learning/export?min_rating=1');
  return {
    stats: (await service.request('GET', '/api/learning/stats')).body,
    exported,
    similar: await Promise.all(logIds.map((logId) => admin(`/api/learning/similar/${logId}?limit=3`))),
    curated: await admin('/api/learning/annotations'),
    knowledge: await admin('/api/knowledge/documents'),
    statusChecks: (await service.request('GET', '/api/status')).body,
  };
}

describe('vasdom migrate-data', () => {
  const dataDir = temporaryDirectory('vasdom-migrate-data-');
  const sqliteFile = path.join(dataDir, 'vasdom.sqlite');
  let postgresUrl: string | undefined;
  let service: TestService | undefined;

  afterAll(async () => {
    await service?.close();
    if (postgresUrl) await dropPostgresDatabase(postgresUrl);
  });

  it('moves an embedded installation to PostgreSQL, idempotently, checked by counts and through the API', async () => {
    service = await startTestService({ DATABASE_URL: `sqlite:${sqliteFile}` }, dataDir);
    const logIds: string[] = [];
    for (const [position, question] of QUESTIONS.entries()) {
      const answer = await service.request('POST', '/api/voice/process', {
        message: question,
        session_id: 'migration-session',
      });
      logIds.push(answer.body.log_id);
      await service.request('POST', '/api/voice/feedback', {
        log_id: answer.body.log_id,
        rating: 1 + position,
      });
    }
    // Re-rated: the history keeps both.
    await service.request('POST', '/api/voice/feedback', {
      log_id: logIds[0],
      rating: 5,
      feedback_text: 'Точно',
    });
    await service.request('POST', '/api/status', { client_name: 'monitor' });
    await service.request('POST', '/api/learning/annotations', {
      question: 'Во сколько приходит бригада?',
      answer: 'Бригада приходит с 9 до 13 часов.',
    });
    await service.request('POST', '/api/knowledge/documents', {
      title: 'Регламент',
      format: 'markdown',
      content: REGULATIONS,
    });
    const key = await service.request('POST', '/api/admin/keys', { name: 'перенос', role: 'admin' });
    expect(key.status).toBe(201);
    await service.services.learning.requestPass();
    const before = await readThroughApi(service, logIds, key.body.key);
    await service.close({ keepData: true });
    service = undefined;

    postgresUrl = await createPostgresDatabase();
    const first = await migrateData({ from: sqliteFile, to: postgresUrl, batchSize: 2 });
    for (const report of first) {
      expect(report.target, report.table).toBe(report.source);
      expect(report.copied, report.table).toBe(report.source);
    }
    expect(first.find((report) => report.table === 'feedback')?.source).toBe(QUESTIONS.length + 1);

    // Again, through the command line: nothing left to copy, the same counts.
    const again = await runCli(['migrate-data', '--from', sqliteFile, '--to', postgresUrl]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/^conversations: 0 copied; 5 in the source, 5 in the target$/m);
    expect(again.stdout).toMatch(/^feedback: 0 copied; 6 in the source, 6 in the target$/m);

    // The service on PostgreSQL shows what it showed on SQLite, and keeps numbering where SQLite stopped.
    service = await startTestService({ DATABASE_URL: postgresUrl }, temporaryDirectory('vasdom-migrated-'));
    expect(await readThroughApi(service, logIds, key.body.key)).toEqual(before);
    const rated = await sendRequest(service.baseUrl, 'POST', '/api/voice/feedback', {
      log_id: logIds[1],
      rating: 4,
    });
    expect(rated.status).toBe(200);
    expect((await service.request('POST', '/api/status', { client_name: 'after' })).status).toBe(200);
    const checks = (await service.request('GET', '/api/status')).body as { client_name: string }[];
    expect(checks.map((check) => check.client_name)).toEqual(['monitor', 'after']);
  });

  it('refuses what it cannot move, with a usage message', async () => {
    const noTarget = await runCli(['migrate-data', '--from', sqliteFile]);
    expect(noTarget.code).toBe(2);
    expect(noTarget.stderr).toContain('--to');
    const notPostgres = await runCli(['migrate-data', '--from', sqliteFile, '--to', 'sqlite:/tmp/x.db']);
    expect(notPostgres.code).toBe(2);
    expect(notPostgres.stderr).toContain('postgres://');
    const missing = await runCli([
      'migrate-data',
      '--from',
      '/nonexistent/vasdom.sqlite',
      '--to',
      'postgres://localhost/x',
    ]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no such file');
  });
});
