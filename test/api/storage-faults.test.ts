import { copyFileSync, existsSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { eventually } from '../helpers/eventually.js';
import { CAN_MOUNT, SmallFilesystem } from '../helpers/small-filesystem.js';
import { TcpProxy } from '../helpers/tcp-proxy.js';
import {
  sendRequest,
  startTestService,
  type TestService,
  temporaryDirectory,
} from '../helpers/test-service.js';
import {
  countRows,
  createPostgresDatabase,
  createPostgresDatabaseIn,
  dropPostgresDatabase,
  TEST_DATABASE,
} from '../helpers/test-storage.js';
import { Api, type ApiResponse } from './support/api.js';
import { type ChildService, spawnService, startChildService } from './support/child-service.js';

const QUESTION = 'Сколько стоит уборка одного подъезда в месяц? '.repeat(20);

/** A storage refusal: 503 with Retry-After, the usual error shape and a Russian message. */
function expectStorageRefusal(response: ApiResponse, code: string, retryAfter: string) {
  expect(response.status, JSON.stringify(response.body)).toBe(503);
  expect(response.body.code).toBe(code);
  expect(response.body.detail).toMatch(/[А-Яа-я]/);
  expect(response.headers.get('retry-after')).toBe(retryAfter);
}

describe.runIf(CAN_MOUNT)('a full disk (the database on a small file system)', () => {
  let filesystem: SmallFilesystem | undefined;
  let service: TestService | undefined;
  let postgres: { url: string; drop(): Promise<void> } | undefined;

  afterAll(async () => {
    await service?.close();
    await postgres?.drop();
    filesystem?.unmount();
  });

  it('refuses writes with 503 storage_full, reports not ready, and recovers once space is freed', async () => {
    // A new PostgreSQL database holds about 8 MB of catalogue.
    filesystem = new SmallFilesystem(TEST_DATABASE === 'sqlite' ? 8 : 32);
    if (TEST_DATABASE === 'postgres')
      postgres = await createPostgresDatabaseIn(filesystem.directoryOf('postgres'));
    service = await startTestService(
      postgres ? { LOG_FILE: 'off', DATABASE_URL: postgres.url } : { LOG_FILE: 'off' },
      `${filesystem.path}/data`,
    );
    const api = new Api(service);
    let acknowledged = 0;
    await api.ask('Сколько домов обслуживает компания?');
    acknowledged++;

    filesystem.fill();
    // Writes go on into space the database already holds until it must grow: then they fail.
    let refused: ApiResponse | undefined;
    for (let attempt = 0; attempt < 2000 && refused === undefined; attempt++) {
      const response = await api.request('POST', '/api/voice/process', { message: `${QUESTION} ${attempt}` });
      if (response.status === 200) acknowledged++;
      else refused = response;
    }
    expect(refused, 'no write failed on a full disk').toBeDefined();
    expectStorageRefusal(refused as ApiResponse, 'storage_full', '60');
    expect(api.serverErrors().filter((entry) => entry.status !== 503)).toEqual([]);

    const ready = await api.request('GET', '/api/health/ready');
    expect(ready.status).toBe(503);
    expect(ready.body.checks.storage).toBe(false);
    expect(ready.body.reasons.join(' ')).toMatch(/storage full/);
    const health = await api.request('GET', '/api/health');
    expect(health.status).toBe(503);
    expect(health.body.status).toBe('unhealthy');
    expect(health.body.checks.storage).toMatchObject({ writable: false, fault: { kind: 'disk_full' } });
    // While it lasts, writes are refused before any work is done for them; reads are served.
    expectStorageRefusal(
      await api.request('POST', '/api/voice/feedback', { log_id: crypto.randomUUID(), rating: 5 }),
      'storage_full',
      '60',
    );
    expect((await api.request('GET', '/api/learning/stats')).status).toBe(200);

    filesystem.free();
    await eventually(async () => expect((await api.request('GET', '/api/health/ready')).status).toBe(200));
    await api.ask('Вопрос после того, как место освободилось');
    acknowledged++;
    expect(await countRows(service.services.database.db, 'conversations')).toBe(acknowledged);
  });
});

describe.runIf(TEST_DATABASE === 'sqlite')('the database file deleted while the service runs', () => {
  const children: ChildService[] = [];
  afterAll(async () => {
    for (const child of children) await child.kill('SIGKILL');
  });

  async function start(dataDir: string, env: Record<string, string> = {}) {
    const started = await startChildService({
      DATA_DIR: dataDir,
      LOG_LEVEL: 'info',
      LOG_FORMAT: 'json',
      LOG_FILE: 'off',
      ...env,
    });
    children.push(started.child);
    return started;
  }

  const ask = (baseUrl: string, message: string) =>
    sendRequest(baseUrl, 'POST', '/api/voice/process', { message });

  it('refuses writes, reports unhealthy and not ready, says so in the log, and never starts empty silently', async () => {
    const dataDir = temporaryDirectory('vasdom-deleted-');
    const file = path.join(dataDir, 'vasdom.sqlite');
    const { child, baseUrl } = await start(dataDir);
    const kept = await ask(baseUrl, 'Вопрос до удаления файла');
    expect(kept.status).toBe(200);

    for (const name of readdirSync(dataDir).filter((entry) => entry.startsWith('vasdom.sqlite'))) {
      rmSync(path.join(dataDir, name));
    }
    const refused = await ask(baseUrl, 'Вопрос после удаления файла');
    expectStorageRefusal(refused, 'storage_unavailable', '300');
    expect(refused.body.detail).toMatch(/Файл базы данных удалён/);
    expectStorageRefusal(
      await sendRequest(baseUrl, 'POST', '/api/voice/feedback', { log_id: kept.body.log_id, rating: 5 }),
      'storage_unavailable',
      '300',
    );
    const ready = await sendRequest(baseUrl, 'GET', '/api/health/ready');
    expect(ready.status).toBe(503);
    expect(ready.body.reasons.join(' ')).toContain(`${file} was deleted`);
    const health = await sendRequest(baseUrl, 'GET', '/api/health');
    expect(health.status).toBe(503);
    expect(health.body.checks.storage.fault).toMatchObject({ kind: 'file_lost' });
    // What the service holds is still served.
    expect((await sendRequest(baseUrl, 'GET', '/api/learning/stats')).body.total_interactions).toBe(1);

    // The log says what happened and where the deleted files can still be copied from.
    const lost = JSON.parse(
      child
        .stdout()
        .split('\n')
        .find((line) => line.includes('the database file was deleted')) ?? 'null',
    ) as { level: number; openCopies: string[] } | null;
    expect(lost?.level).toBe(50);
    const copies = (lost?.openCopies ?? []).map((entry) => /^(\S+) \((.+) \(deleted\)\)$/.exec(entry));
    expect(copies.map((match) => match?.[2])).toEqual([file, `${file}-wal`]);
    const rescue = temporaryDirectory('vasdom-rescue-');
    for (const match of copies)
      copyFileSync(match?.[1] as string, path.join(rescue, path.basename(match?.[2] as string)));

    child.child.kill('SIGTERM');
    await child.exited;
    // Started again, it refuses to make an empty database where one was.
    const refusedStart = spawnService({
      env: { DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', LOG_FILE: 'off' },
    });
    children.push(refusedStart);
    expect((await refusedStart.exited).code).toBe(1);
    expect(refusedStart.stderr()).toMatch(/vasdom\.sqlite is missing.*SQLITE_ALLOW_NEW_DATABASE=true/s);
    expect(existsSync(file)).toBe(false);

    // The copies made from the open files hold what was acknowledged before the loss.
    for (const name of readdirSync(rescue)) renameSync(path.join(rescue, name), path.join(dataDir, name));
    const restored = await start(dataDir);
    const stats = await sendRequest(restored.baseUrl, 'GET', '/api/learning/stats');
    expect(stats.body.total_interactions).toBe(1);
    await restored.child.kill('SIGTERM');

    // An operator may start afresh on purpose, and the log says that it happened.
    rmSync(file);
    rmSync(`${file}-wal`, { force: true });
    const fresh = await start(dataDir, { SQLITE_ALLOW_NEW_DATABASE: 'true' });
    expect((await sendRequest(fresh.baseUrl, 'GET', '/api/learning/stats')).body.total_interactions).toBe(0);
    expect(fresh.child.stdout()).toContain('created a new, empty database where one existed before');
  });

  it('notices a file replaced under it, and creates a new database and its log private to its user', async () => {
    const dataDir = path.join(temporaryDirectory('vasdom-replaced-'), 'data');
    const file = path.join(dataDir, 'vasdom.sqlite');
    const { baseUrl } = await start(dataDir, { LOG_FILE: path.join(dataDir, 'logs', 'vasdom.log') });
    for (const directory of [dataDir, path.join(dataDir, 'logs')]) {
      expect(statSync(directory).mode & 0o777, directory).toBe(0o700);
    }
    for (const name of ['vasdom.sqlite', 'vasdom.sqlite-wal', 'vasdom.sqlite-shm', 'logs/vasdom.log']) {
      expect(statSync(path.join(dataDir, name)).mode & 0o777, name).toBe(0o600);
    }
    expect((await ask(baseUrl, 'Вопрос до замены файла')).status).toBe(200);
    copyFileSync(file, `${file}.copy`);
    renameSync(`${file}.copy`, file);
    expectStorageRefusal(await ask(baseUrl, 'Вопрос после замены файла'), 'storage_unavailable', '300');
    const ready = await sendRequest(baseUrl, 'GET', '/api/health/ready');
    expect(ready.body.reasons.join(' ')).toContain(`${file} was replaced`);
  });
});

describe.runIf(TEST_DATABASE === 'postgres')('PostgreSQL stopped while the service runs', () => {
  const proxy = new TcpProxy('127.0.0.1', 5432);
  let service: TestService | undefined;
  let databaseUrl: string | undefined;

  afterAll(async () => {
    await service?.close();
    await proxy.cut();
    if (databaseUrl) await dropPostgresDatabase(databaseUrl);
  });

  it('answers writes with 503 storage_unavailable, reports not ready, and recovers when it is back', async () => {
    await proxy.start();
    databaseUrl = await createPostgresDatabase();
    const proxied = new URL(databaseUrl);
    proxied.port = String(proxy.port);
    service = await startTestService({ DATABASE_URL: proxied.toString() });
    const api = new Api(service);
    const kept = await api.ask('Вопрос, пока база данных работает');

    await proxy.cut();
    expectStorageRefusal(
      await api.request('POST', '/api/voice/process', { message: 'Вопрос, когда база данных остановлена' }),
      'storage_unavailable',
      '5',
    );
    expectStorageRefusal(
      await api.request('POST', '/api/voice/feedback', { log_id: kept.log_id, rating: 5 }),
      'storage_unavailable',
      '5',
    );
    await eventually(async () => {
      const ready = await api.request('GET', '/api/health/ready');
      expect(ready.status).toBe(503);
      expect(ready.body.checks, JSON.stringify(ready.body)).toMatchObject({
        database: false,
        storage: false,
      });
      return true;
    });
    expect((await api.request('GET', '/api/health')).body.status).toBe('unhealthy');

    await proxy.restore();
    await eventually(
      async () => expect((await api.request('GET', '/api/health/ready')).status).toBe(200),
      20_000,
    );
    await api.rate(kept.log_id, 5);
    await api.ask('Вопрос, когда база данных снова работает');
    expect(api.serverErrors().filter((entry) => entry.status !== 503)).toEqual([]);
    expect(await countRows(service.services.database.db, 'conversations')).toBe(2);
  });
});
