import { request as httpRequest } from 'node:http';
import { describe, expect, it } from 'vitest';
import type { TestService } from '../helpers/test-service.js';
import { useTestService } from './support/service-block.js';

const ADMIN_KEY = 'admin-key-0123456789abcdef';
const USER_KEY = 'user-key-0123456789abcdef';

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** Admin-only routes that exist today, with a request that would otherwise succeed. */
const ADMIN_ROUTES = [
  { method: 'GET', url: '/api/learning/export' },
  { method: 'GET', url: '/api/learning/export?format=jsonl' },
  { method: 'POST', url: '/api/learning/train' },
  { method: 'POST', url: '/api/voice/embeddings/update' },
  { method: 'GET', url: '/api/learning/similar/some-id' },
  { method: 'GET', url: '/api/voice/similar/some-id' },
  { method: 'GET', url: '/api/retrieval/search?q=%D0%BE%D0%BA%D0%BD%D0%B0' },
  { method: 'GET', url: '/api/learning/annotations' },
  { method: 'GET', url: '/api/learning/annotations/some-id' },
  { method: 'GET', url: '/api/learning/suggestions' },
  { method: 'PUT', url: '/api/conversations/some-id/correction', body: { answer: 'Исправленный ответ.' } },
  { method: 'GET', url: '/api/knowledge/documents' },
  { method: 'GET', url: '/api/knowledge/documents/some-id' },
  { method: 'DELETE', url: '/api/knowledge/documents/some-id' },
  {
    method: 'POST',
    url: '/api/knowledge/documents',
    body: { title: 'Памятка', format: 'text', content: 'Инвентарь хранится в подвале.' },
  },
] as const satisfies readonly { method: Method; url: string; body?: object }[];

async function send(
  service: TestService,
  method: Method,
  url: string,
  init: { key?: string; remoteAddress?: string; body?: unknown } = {},
) {
  // inject runs the whole request pipeline in process and can say where the request comes from.
  const response = await service.app.inject({
    method,
    url,
    remoteAddress: init.remoteAddress ?? '127.0.0.1',
    headers: init.key === undefined ? {} : { authorization: `Bearer ${init.key}` },
    ...(init.body === undefined ? {} : { payload: init.body as object }),
  });
  const json = String(response.headers['content-type'] ?? '').includes('application/json');
  return {
    status: response.statusCode,
    body: (json ? response.json() : {}) as { detail?: string },
    headers: response.headers,
  };
}

describe('access without configured keys', () => {
  const context = useTestService();

  it('serves admin routes to this machine only, and says how to configure a key', async () => {
    for (const route of ADMIN_ROUTES) {
      const { method, url } = route;
      const body = 'body' in route ? route.body : undefined;
      const local = await send(context.service, method, url, { body });
      expect([200, 201, 204, 404], `${method} ${url} from loopback`).toContain(local.status);
      for (const remoteAddress of ['192.0.2.10', '::ffff:10.0.0.7', '2001:db8::1']) {
        const remote = await send(context.service, method, url, { remoteAddress, body });
        expect(remote.status, `${method} ${url} from ${remoteAddress}`).toBe(401);
        expect(remote.body.detail).toContain('ADMIN_API_KEYS');
        expect(remote.headers['www-authenticate']).toMatch(/^Bearer/);
      }
    }
    expect((await send(context.service, 'GET', '/api/learning/stats', { remoteAddress: '::1' })).status).toBe(
      200,
    );
  });

  it('keeps chat, feedback and health open to everyone', async () => {
    const remoteAddress = '192.0.2.10';
    const asked = await send(context.service, 'POST', '/api/voice/process', {
      remoteAddress,
      body: { message: 'Сколько домов вы обслуживаете?' },
    });
    expect(asked.status).toBe(200);
    const logId = (asked.body as { log_id: string }).log_id;
    expect(
      (
        await send(context.service, 'POST', '/api/voice/feedback', {
          remoteAddress,
          body: { log_id: logId, rating: 4 },
        })
      ).status,
    ).toBe(200);
    expect((await send(context.service, 'GET', '/api/health', { remoteAddress })).status).toBe(200);
  });
});

/** GET /api/admin/keys over real HTTP with the given headers; resolves with the status and body. */
async function listKeys(baseUrl: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${baseUrl}/api/admin/keys`, { headers });
  return { status: response.status, body: (await response.json()) as { detail?: string } };
}

describe('access without keys, and proxies', () => {
  const context = useTestService();

  it('does not count a request that came through a proxy as local when no proxy is trusted', async () => {
    const { baseUrl } = context.service;
    expect((await listKeys(baseUrl)).status).toBe(200);
    // A proxy on this machine connects from loopback for every client; the headers it adds give it away.
    for (const headers of [
      { 'x-forwarded-for': '203.0.113.5' } as Record<string, string>,
      { 'x-forwarded-for': '127.0.0.1' },
      { 'x-real-ip': '127.0.0.1' },
      { forwarded: 'for=127.0.0.1' },
    ]) {
      const refused = await listKeys(baseUrl, headers);
      expect(refused.status, JSON.stringify(headers)).toBe(401);
      expect(refused.body.detail).toContain('ADMIN_API_KEYS');
    }
  });
});

describe('access without keys behind a trusted proxy', () => {
  // The test's requests come from 127.0.0.1: they play the proxy, forwarding for the client they name.
  const context = useTestService({ TRUST_PROXY: '127.0.0.1' });

  it('serves admin routes to a client on this machine only, by the address the proxy saw', async () => {
    const { baseUrl } = context.service;
    expect((await listKeys(baseUrl)).status).toBe(200);
    expect((await listKeys(baseUrl, { 'x-forwarded-for': '127.0.0.1' })).status).toBe(200);
    for (const forwardedFor of ['203.0.113.5', '127.0.0.1, 203.0.113.5', '::ffff:10.0.0.7']) {
      const refused = await listKeys(baseUrl, { 'x-forwarded-for': forwardedFor });
      expect(refused.status, forwardedFor).toBe(401);
      expect(refused.body.detail).toContain('ADMIN_API_KEYS');
    }
    // A proxy that names its client in a header Fastify does not read: the client is unknown.
    expect((await listKeys(baseUrl, { 'x-real-ip': '127.0.0.1' })).status).toBe(401);
    expect((await listKeys(baseUrl, { forwarded: 'for=127.0.0.1' })).status).toBe(401);
  });
});

/** A request over real HTTP with the headers exactly as given, Host included (fetch sets its own). */
function rawRequest(
  baseUrl: string,
  method: Method,
  path: string,
  headers: Record<string, string>,
  body?: object,
): Promise<{ status: number; body: { detail?: string; code?: string; key?: string } }> {
  const text = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      `${baseUrl}${path}`,
      {
        method,
        setHost: false,
        headers: text === undefined ? headers : { 'content-type': 'application/json', ...headers },
      },
      (response) => {
        let received = '';
        response.setEncoding('utf8').on('data', (chunk: string) => {
          received += chunk;
        });
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, body: received === '' ? {} : JSON.parse(received) }),
        );
      },
    );
    outgoing.on('error', reject);
    outgoing.end(text);
  });
}

describe('admin routes without keys, from a browser (DNS rebinding, cross-site requests)', () => {
  const context = useTestService({ SERVICE_HOSTNAMES: 'vasdom.example, 2001:db8::5' });
  const port = () => new URL(context.service.baseUrl).port;
  const makeKey = (headers: Record<string, string>) =>
    rawRequest(context.service.baseUrl, 'POST', '/api/admin/keys', headers, { name: 'Чужой', role: 'admin' });
  const expectRefused = (answer: Awaited<ReturnType<typeof rawRequest>>, label: string) => {
    expect(answer.status, label).toBe(403);
    expect(answer.body.code).toBe('forbidden');
    expect(answer.body.detail).toMatch(/^Административные методы|^Запрос к административным методам/);
  };

  it('refuses a loopback request addressed to a host name that is not this machine (DNS rebinding)', async () => {
    // A page of rebind.attacker.example whose name now resolves to 127.0.0.1: the browser sends its Host.
    const rebound = await makeKey({
      host: `rebind.attacker.example:${port()}`,
      origin: `http://rebind.attacker.example:${port()}`,
      'sec-fetch-site': 'same-origin',
    });
    expectRefused(rebound, 'rebound page');
    expect(rebound.body.detail).toContain('SERVICE_HOSTNAMES');
    for (const host of [
      'rebind.attacker.example',
      'localhost.attacker.example',
      '127.0.0.1.nip.io',
      // Browsers resolve *.localhost themselves, but other resolvers may ask DNS, which could rebind it.
      'app.localhost',
      'vasdom.example.attacker.example',
      'evil.example@127.0.0.1',
      '',
    ]) {
      expectRefused(await makeKey({ host }), `Host: ${host}`);
    }
    // No key was made.
    expect((await listKeys(context.service.baseUrl)).body).toEqual([]);
  });

  it('serves loopback names and addresses, and the host names of SERVICE_HOSTNAMES', async () => {
    for (const host of [
      'localhost',
      `localhost:${port()}`,
      'LocalHost',
      `127.0.0.1:${port()}`,
      '127.0.0.2',
      '[::1]',
      `[::1]:${port()}`,
      'vasdom.example',
      `VASDOM.example:${port()}`,
      '[2001:db8::5]:8001',
    ]) {
      const answer = await rawRequest(context.service.baseUrl, 'GET', '/api/admin/keys', { host });
      expect(answer.status, `Host: ${host}`).toBe(200);
    }
  });

  it('refuses a request a page of another site makes, and serves one from its own page', async () => {
    const host = `127.0.0.1:${port()}`;
    for (const headers of [
      { origin: 'https://evil.example' },
      { origin: 'null' },
      { origin: `http://127.0.0.1:${Number(port()) + 1}` },
      { origin: `http://localhost:${port()}` },
      { origin: 'not an origin' },
      { 'sec-fetch-site': 'cross-site' },
    ] as Record<string, string>[]) {
      expectRefused(await makeKey({ host, ...headers }), JSON.stringify(headers));
    }
    // A form a foreign page posts without asking first (a "simple" request) is refused as well.
    const train = await rawRequest(context.service.baseUrl, 'POST', '/api/learning/train', {
      host,
      origin: 'https://evil.example',
      'content-type': 'text/plain',
    });
    expectRefused(train, 'cross-site form post');
    expect((await listKeys(context.service.baseUrl)).body).toEqual([]);

    const fromOwnPage = await makeKey({ host, origin: `http://${host}`, 'sec-fetch-site': 'same-origin' });
    expect(fromOwnPage.status).toBe(201);
    const named = await rawRequest(context.service.baseUrl, 'GET', '/api/admin/keys', {
      host: 'vasdom.example',
      origin: 'https://vasdom.example',
    });
    // The key made just now turned the no-key mode off: the request now needs it.
    expect(named.status).toBe(401);
    const withKey = await rawRequest(context.service.baseUrl, 'GET', '/api/admin/keys', {
      host: 'vasdom.example',
      origin: 'https://vasdom.example',
      authorization: `Bearer ${fromOwnPage.body.key}`,
    });
    expect(withKey.status).toBe(200);
  });
});

describe('access with admin and user keys', () => {
  const context = useTestService({
    ADMIN_API_KEYS: ADMIN_KEY,
    USER_API_KEYS: USER_KEY,
    REQUIRE_USER_KEY: 'true',
    CORS_ORIGINS: 'https://console.example',
  });

  it('serves an admin key from any host name, but not to a page of a site CORS_ORIGINS does not list', async () => {
    const { baseUrl } = context.service;
    const asAdmin = (headers: Record<string, string>) =>
      rawRequest(baseUrl, 'GET', '/api/admin/keys', { authorization: `Bearer ${ADMIN_KEY}`, ...headers });
    // The key is the proof: a rebinding page cannot send it, so any Host will do.
    expect((await asAdmin({ host: 'vasdom.example' })).status).toBe(200);
    expect(
      (
        await asAdmin({
          host: 'vasdom.example',
          origin: 'https://console.example',
          'sec-fetch-site': 'cross-site',
        })
      ).status,
    ).toBe(200);
    for (const headers of [
      { host: 'vasdom.example', origin: 'https://evil.example' },
      { host: 'vasdom.example', 'sec-fetch-site': 'cross-site' },
    ] as Record<string, string>[]) {
      const refused = await asAdmin(headers);
      expect(refused.status, JSON.stringify(headers)).toBe(403);
      expect(refused.body.code).toBe('forbidden');
    }
  });

  it('needs an admin key for admin routes, from anywhere', async () => {
    for (const route of ADMIN_ROUTES) {
      const { method, url } = route;
      const body = 'body' in route ? route.body : undefined;
      const anonymous = await send(context.service, method, url, { body });
      expect(anonymous.status, `${method} ${url} without a key`).toBe(401);
      expect(anonymous.body.detail).toContain('Authorization: Bearer');
      expect((await send(context.service, method, url, { key: 'wrong-key-0123456789', body })).status).toBe(
        401,
      );
      const asUser = await send(context.service, method, url, { key: USER_KEY, body });
      expect(asUser.status, `${method} ${url} with a user key`).toBe(403);
      const asAdmin = await send(context.service, method, url, {
        key: ADMIN_KEY,
        remoteAddress: '192.0.2.10',
        body,
      });
      expect([200, 201, 204, 404], `${method} ${url} with the admin key`).toContain(asAdmin.status);
    }
  });

  it('needs a user or admin key for chat and feedback under REQUIRE_USER_KEY', async () => {
    const body = { message: 'Когда моют окна?' };
    expect((await send(context.service, 'POST', '/api/voice/process', { body })).status).toBe(401);
    expect(
      (await send(context.service, 'POST', '/api/voice/process', { body, key: 'not-a-key-at-all-0000' }))
        .status,
    ).toBe(401);
    const asUser = await send(context.service, 'POST', '/api/voice/process', { body, key: USER_KEY });
    expect(asUser.status).toBe(200);
    expect((await send(context.service, 'POST', '/api/voice/process', { body, key: ADMIN_KEY })).status).toBe(
      200,
    );
    const rating = { log_id: (asUser.body as { log_id: string }).log_id, rating: 5 };
    expect((await send(context.service, 'POST', '/api/voice/feedback', { body: rating })).status).toBe(401);
    expect(
      (await send(context.service, 'POST', '/api/voice/feedback', { body: rating, key: USER_KEY })).status,
    ).toBe(200);
    // Health and metrics stay open for probes and scrapers.
    expect((await send(context.service, 'GET', '/api/health/live')).status).toBe(200);
  });

  it('refuses a document for the knowledge base before reading it', async () => {
    const response = await context.service.app.inject({
      method: 'POST',
      url: '/api/knowledge/documents?title=x',
      remoteAddress: '192.0.2.10',
      headers: { 'content-type': 'text/markdown', authorization: `Bearer ${USER_KEY}` },
      // Larger than any body limit: refused by access control, not by size.
      payload: 'я'.repeat(3 * 1024 * 1024),
    });
    expect(response.statusCode).toBe(403);
  });

  it('never echoes a key, and refuses before reading the body', async () => {
    const refused = await send(context.service, 'POST', '/api/voice/process', {
      key: 'secret-guess-0123456789',
      body: { message: 1 },
    });
    // 401, not 422: the body of a refused request is not looked at.
    expect(refused.status).toBe(401);
    expect(JSON.stringify(refused)).not.toContain('secret-guess');
  });
});
