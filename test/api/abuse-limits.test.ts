import { describe, expect, it } from 'vitest';
import { useTestService } from './support/service-block.js';

describe('rate limits and security headers', () => {
  const context = useTestService({
    RATE_LIMIT_PER_MINUTE: '3',
    USER_API_KEYS: 'user-key-0123456789abcdef',
  });

  const ask = (headers: Record<string, string> = {}) =>
    fetch(`${context.service.baseUrl}/api/voice/process`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ message: 'Сколько бригад в компании?' }),
    });

  it('answers a client over its limit with 429, Retry-After and a message, and counts others apart', async () => {
    for (let request = 0; request < 3; request++) expect((await ask()).status).toBe(200);
    const limited = await ask();
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await limited.json()).toEqual({
      detail: expect.stringMatching(/^Слишком много запросов: не больше 3 в минуту/),
      code: 'rate_limited',
    });
    // Feedback counts against the same client; health and other routes are not limited.
    const feedback = await context.api.request('POST', '/api/voice/feedback', {
      log_id: 'unknown',
      rating: 5,
    });
    expect(feedback.status).toBe(429);
    expect((await context.api.request('GET', '/api/health')).status).toBe(200);
    // A client with its own key has its own allowance.
    expect((await ask({ authorization: 'Bearer user-key-0123456789abcdef' })).status).toBe(200);
  });

  it('puts security headers on every response, streamed ones included', async () => {
    for (const response of [
      await fetch(`${context.service.baseUrl}/api/health`),
      await fetch(`${context.service.baseUrl}/no/such/path`),
      await fetch(`${context.service.baseUrl}/api/voice/process/stream`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer user-key-0123456789abcdef' },
        body: JSON.stringify({ message: 'Сколько бригад в компании?' }),
      }),
    ]) {
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('x-frame-options')).toBe('DENY');
      expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
      expect(response.headers.get('referrer-policy')).toBe('no-referrer');
      await response.text();
    }
    const docs = await fetch(`${context.service.baseUrl}/docs/`);
    expect(docs.headers.get('content-security-policy')).toContain("script-src 'self'");
  });
});

describe('rate limits by API key', () => {
  const USER_KEY = 'user-key-0123456789abcdef';
  const context = useTestService({ RATE_LIMIT_PER_MINUTE: '3', USER_API_KEYS: USER_KEY });

  const ask = (key?: string) =>
    fetch(`${context.service.baseUrl}/api/voice/process`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(key === undefined ? {} : { authorization: `Bearer ${key}` }),
      },
      body: JSON.stringify({ message: 'Сколько бригад в компании?' }),
    }).then(async (response) => {
      await response.text();
      return response.status;
    });

  it('gives a bucket of its own only to a valid key: made-up keys count against the address', async () => {
    // A valid key spends its own allowance, and leaves the address's untouched.
    for (let request = 0; request < 3; request++) expect(await ask(USER_KEY)).toBe(200);
    expect(await ask(USER_KEY)).toBe(429);
    // Every made-up key is a different string, yet they all count against the one address.
    for (let request = 0; request < 3; request++) expect(await ask(`junk-${request}`)).toBe(200);
    expect(await ask('junk-3')).toBe(429);
    expect(await ask('junk-4')).toBe(429);
    expect(await ask()).toBe(429);
    // A key made through the admin API has its own allowance although the address has none left.
    const created = await context.api.request('POST', '/api/admin/keys', { name: 'Планшет', role: 'user' });
    expect(created.status).toBe(201);
    expect(await ask(created.body.key)).toBe(200);
  });
});

/** Asks a question over HTTP with the given headers; resolves with the status. */
async function askWith(baseUrl: string, headers: Record<string, string>): Promise<number> {
  const response = await fetch(`${baseUrl}/api/voice/process`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ message: 'Сколько бригад в компании?' }),
  });
  await response.text();
  return response.status;
}

describe('rate limits behind a trusted reverse proxy', () => {
  // The test's requests come from 127.0.0.1: they play the proxy, forwarding for the client they name.
  const context = useTestService({ RATE_LIMIT_PER_MINUTE: '3', TRUST_PROXY: '127.0.0.1' });

  it('counts each forwarded client apart, by the address the proxy saw', async () => {
    const viaProxy = (forwardedFor: string) =>
      askWith(context.service.baseUrl, { 'x-forwarded-for': forwardedFor });
    for (let request = 0; request < 3; request++) expect(await viaProxy('203.0.113.1')).toBe(200);
    expect(await viaProxy('203.0.113.1')).toBe(429);
    expect(await viaProxy('203.0.113.2')).toBe(200);
    // What the client itself put in front of the proxy's entry is not believed.
    expect(await viaProxy('198.51.100.1, 203.0.113.1')).toBe(429);
  });
});

describe('rate limits without a trusted proxy', () => {
  const context = useTestService({ RATE_LIMIT_PER_MINUTE: '3' });

  it('ignores forwarding headers: made-up client addresses all count against the socket address', async () => {
    const spoofed = (index: number) =>
      askWith(context.service.baseUrl, {
        'x-forwarded-for': `203.0.113.${index}`,
        'x-real-ip': `203.0.113.${index}`,
        forwarded: `for=203.0.113.${index}`,
      });
    for (let request = 0; request < 3; request++) expect(await spoofed(request)).toBe(200);
    expect(await spoofed(3)).toBe(429);
    expect(await askWith(context.service.baseUrl, {})).toBe(429);
  });
});

describe('a request Fastify refuses before any hook', () => {
  const context = useTestService();

  it('gets the same headers and error shape as any other answer', async () => {
    const response = await fetch(`${context.service.baseUrl}/api/learning/annotations/%E0%A4%A`);
    expect(response.status).toBe(400);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('x-request-id')).not.toBeNull();
    expect(await response.json()).toEqual({ detail: 'Некорректный адрес запроса', code: 'invalid_input' });
  });
});
