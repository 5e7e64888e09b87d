import net from 'node:net';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { startTestService, temporaryDirectory } from '../helpers/test-service.js';
import { useTestService } from './support/service-block.js';

const SECURITY_HEADERS = [
  'x-content-type-options',
  'x-frame-options',
  'referrer-policy',
  'cross-origin-opener-policy',
  'strict-transport-security',
  'permissions-policy',
  'content-security-policy',
];

interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

function parse(raw: string): RawResponse {
  const [head = '', body = ''] = raw.split('\r\n\r\n', 2);
  const [statusLine = '', ...lines] = head.split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status: Number(statusLine.split(' ')[1]), headers, body };
}

/** Connects, sends `text` as it is, and reads until the service closes the connection. */
function exchange(baseUrl: string, text: string, onConnected?: () => void): Promise<RawResponse> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname, () => {
      socket.write(text);
      onConnected?.();
    });
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      received += chunk;
    });
    socket.setTimeout(5000, () => socket.destroy(new Error(`no answer; got ${JSON.stringify(received)}`)));
    socket.on('error', reject);
    socket.on('close', () => resolve(parse(received)));
  });
}

describe('answers Node gives before a request reaches the service', () => {
  const context = useTestService();

  async function expectUsualShape(response: RawResponse, status: number, code: string) {
    const usual = await fetch(`${context.service.baseUrl}/api/health`);
    expect(response.status).toBe(status);
    for (const name of SECURITY_HEADERS) expect(response.headers[name], name).toBe(usual.headers.get(name));
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(response.headers.connection).toBe('close');
    expect(Number(response.headers['content-length'])).toBe(Buffer.byteLength(response.body));
    const body = JSON.parse(response.body) as { detail: string; code: string };
    expect(body).toEqual({ detail: expect.stringMatching(/[а-я]/), code });
  }

  it('answers headers larger than Node accepts with 431, the security headers and the usual error shape', async () => {
    const response = await exchange(
      context.service.baseUrl,
      `GET /api/health HTTP/1.1\r\nHost: localhost\r\nX-Padding: ${'a'.repeat(20_000)}\r\n\r\n`,
    );
    await expectUsualShape(response, 431, 'request_header_too_large');
  });

  it('answers a request line that is not HTTP with 400, the same headers and shape', async () => {
    const response = await exchange(context.service.baseUrl, 'HELLO THERE\r\n\r\n');
    await expectUsualShape(response, 400, 'invalid_request');
  });

  it('answers a request whose headers do not arrive in time with 408, the same headers and shape', async () => {
    const { server } = context.service.app;
    const accepted = new Promise<net.Socket>((resolve) => server.once('connection', resolve));
    // Headers begun and never finished; Node gives up on them after server.headersTimeout (a minute),
    // emitting this error, which the test raises at once.
    const response = exchange(context.service.baseUrl, 'GET /api/health HTTP/1.1\r\nHost: loc', async () => {
      const socket = await accepted;
      await new Promise((resolve) => setTimeout(resolve, 50));
      server.emit(
        'clientError',
        Object.assign(new Error('timeout'), { code: 'ERR_HTTP_REQUEST_TIMEOUT' }),
        socket,
      );
    });
    await expectUsualShape(await response, 408, 'request_timeout');
  });
});

describe('answers while the service stops', () => {
  it('refuses a request that arrives meanwhile with 503, the usual headers and shape, and no line per refusal', async () => {
    let logged = '';
    const console = new Writable({
      write(chunk, _encoding, callback) {
        logged += chunk.toString();
        callback();
      },
    });
    const service = await startTestService(
      { LOG_LEVEL: 'info', LOG_FORMAT: 'json', LOG_FILE: 'off' },
      temporaryDirectory(),
      { logConsole: console },
    );
    const usual = await fetch(`${service.baseUrl}/api/health`);
    const { hostname, port } = new URL(service.baseUrl);
    // Requests begun before the service starts stopping (which keeps it waiting for them), finished after.
    const sockets = await Promise.all(
      [1, 2, 3].map(
        () =>
          new Promise<net.Socket>((resolve) => {
            const socket = net.connect(Number(port), hostname, () => {
              socket.write('GET /api/health HTTP/1.1\r\nHost: localhost\r\n');
              resolve(socket);
            });
          }),
      ),
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    const closed = service.close();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const responses = await Promise.all(
      sockets.map(
        (socket) =>
          new Promise<RawResponse>((resolve) => {
            let received = '';
            socket.setEncoding('utf8');
            socket.on('data', (chunk: string) => {
              received += chunk;
            });
            socket.on('close', () => resolve(parse(received)));
            socket.write('\r\n');
          }),
      ),
    );
    await closed;
    for (const response of responses) {
      expect(response.status).toBe(503);
      for (const name of SECURITY_HEADERS) expect(response.headers[name], name).toBe(usual.headers.get(name));
      expect(response.headers.connection).toBe('close');
      expect(JSON.parse(response.body)).toEqual({
        detail: expect.stringMatching(/[а-я]/),
        code: 'shutting_down',
      });
    }
    expect(logged.match(/refus/g) ?? []).toHaveLength(1);
  });
});
