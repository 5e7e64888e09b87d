import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, type TestService, temporaryDirectory } from '../helpers/test-service.js';

const PATH = '/api/admin/keys';
const REMOTE = '203.0.113.9';

describe('API keys made through the admin API', () => {
  const dataDir = temporaryDirectory();
  let service: TestService;
  const environment = { REQUIRE_USER_KEY: 'true', USER_API_KEYS: 'configured-user-key-0123456789' };

  beforeAll(async () => {
    service = await startTestService(environment, dataDir);
  });
  afterAll(async () => {
    await service?.close();
  });

  const send = async (
    method: 'GET' | 'POST' | 'DELETE',
    url: string,
    init: { key?: string; remoteAddress?: string; body?: unknown } = {},
  ) => {
    const response = await service.app.inject({
      method,
      url,
      remoteAddress: init.remoteAddress ?? '127.0.0.1',
      headers: {
        ...(init.key ? { authorization: `Bearer ${init.key}` } : {}),
        ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(init.body === undefined ? {} : { payload: JSON.stringify(init.body) }),
    });
    return { status: response.statusCode, body: response.body === '' ? undefined : response.json() };
  };
  const ask = (key: string | undefined, remoteAddress = REMOTE) =>
    send('POST', '/api/voice/process', {
      key,
      remoteAddress,
      body: { message: 'Сколько бригад в компании?' },
    });

  let userKey = '';
  let userKeyId = '';
  let adminKey = '';

  it('makes a user key, shown once and stored only as its digest, which opens the chat', async () => {
    const created = await send('POST', PATH, { body: { name: 'Планшет бригады № 2', role: 'user' } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'Планшет бригады № 2', role: 'user', revoked_at: null });
    userKey = created.body.key;
    userKeyId = created.body.id;
    expect(userKey).toMatch(/^vd_[\w-]{43}$/);
    expect(created.body.prefix).toBe(userKey.slice(0, 10));

    const listed = await send('GET', PATH);
    expect(listed.body).toHaveLength(1);
    expect(listed.body[0]).not.toHaveProperty('key');
    const rows = await service.services.database.db.selectFrom('api_keys').selectAll().execute();
    expect(JSON.stringify(rows)).not.toContain(userKey);
    expect(rows[0]?.digest).toBe(createHash('sha256').update(userKey).digest('hex'));

    expect((await ask(undefined)).status).toBe(401);
    expect((await ask(userKey)).status).toBe(200);
    // A user key does not open the admin API.
    expect((await send('GET', PATH, { key: userKey, remoteAddress: REMOTE })).status).toBe(401);
  });

  it('makes an admin key; from then on admin routes need a key, from this machine too', async () => {
    const created = await send('POST', PATH, { body: { name: 'Главный менеджер', role: 'admin' } });
    expect(created.status).toBe(201);
    adminKey = created.body.key;
    expect((await send('GET', PATH)).status).toBe(401);
    expect((await send('GET', PATH, { key: userKey })).status).toBe(403);
    expect((await send('GET', PATH, { key: adminKey, remoteAddress: REMOTE })).status).toBe(200);
  });

  it('keeps the keys across a restart', async () => {
    await service.close({ keepData: true });
    service = await startTestService(environment, dataDir);
    expect((await ask(userKey)).status).toBe(200);
    expect((await send('GET', PATH, { key: adminKey, remoteAddress: REMOTE })).body).toHaveLength(2);
  });

  it('revokes a key at once, and says when there is nothing to revoke', async () => {
    expect((await send('DELETE', `${PATH}/${userKeyId}`, { key: adminKey })).status).toBe(204);
    expect((await ask(userKey)).status).toBe(401);
    expect((await send('DELETE', `${PATH}/${userKeyId}`, { key: adminKey })).status).toBe(404);
    const listed = await send('GET', PATH, { key: adminKey });
    expect(listed.body.find((key: { id: string }) => key.id === userKeyId).revoked_at).not.toBeNull();
  });

  it('rejects a bad role or name with 422', async () => {
    const bad = await send('POST', PATH, { key: adminKey, body: { name: '', role: 'root' } });
    expect(bad.status).toBe(422);
    expect(bad.body.detail.map((entry: { loc: string[] }) => entry.loc.join('.')).sort()).toEqual([
      'body.name',
      'body.role',
    ]);
  });
});
