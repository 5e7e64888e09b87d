import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeHttpFetch } from './node-http-fetch.js';

describe('nodeHttpFetch', () => {
  let server: Server;
  let baseUrl: string;
  const sockets = new Set<Socket>();
  let handle: (request: IncomingMessage, body: string, response: ServerResponse) => void = () => {};
  const fetchOverHttp = nodeHttpFetch();

  beforeAll(async () => {
    server = createServer((request, response) => {
      sockets.add(request.socket);
      let body = '';
      request.setEncoding('utf8').on('data', (chunk: string) => {
        body += chunk;
      });
      request.on('end', () => handle(request, body, response));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    fetchOverHttp.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('sends the method, headers and body, and reads status, headers and body', async () => {
    handle = (request, body, response) => {
      response.writeHead(201, { 'content-type': 'application/json', 'x-echo': request.headers['x-test'] });
      response.end(JSON.stringify({ method: request.method, body }));
    };
    const response = await fetchOverHttp(`${baseUrl}/v1/things`, {
      method: 'POST',
      headers: { 'x-test': 'yes', 'content-type': 'application/json' },
      body: JSON.stringify({ вопрос: 'когда уборка?' }),
    });
    expect(response.status).toBe(201);
    expect(response.headers.get('x-echo')).toBe('yes');
    expect(await response.json()).toEqual({ method: 'POST', body: '{"вопрос":"когда уборка?"}' });
  });

  it('gives the body of a whole answer once, in the form asked for, and keeps repeated headers', async () => {
    handle = (_request, _body, response) => {
      response.setHeader('set-cookie', ['a=1', 'b=2']);
      response.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
      response.end('\uFEFF{"ответ":"по понедельникам"}');
    };
    const response = await fetchOverHttp(baseUrl);
    expect(response.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    const copy = response.clone();
    expect(response.bodyUsed).toBe(false);
    expect(await response.json()).toEqual({ ответ: 'по понедельникам' });
    expect(response.bodyUsed).toBe(true);
    await expect(response.text()).rejects.toThrow('already been read');
    expect(() => response.clone()).toThrow('already been consumed');

    expect(await copy.clone().text()).toBe('{"ответ":"по понедельникам"}');
    expect((await copy.clone().blob()).type).toBe('application/json; charset=utf-8');
    expect(Buffer.from(await copy.clone().arrayBuffer()).toString('utf8')).toBe(
      '\uFEFF{"ответ":"по понедельникам"}',
    );
    expect(await new Response(copy.body).text()).toBe('{"ответ":"по понедельникам"}');
    expect(copy.bodyUsed).toBe(true);
  });

  it('keeps the connection for the next call', async () => {
    handle = (_request, _body, response) => response.end('ok');
    sockets.clear();
    for (let call = 0; call < 3; call++) expect(await (await fetchOverHttp(baseUrl)).text()).toBe('ok');
    expect(sockets.size).toBe(1);
  });

  it('streams a body as it arrives', async () => {
    let finish: () => void = () => {};
    handle = (_request, _body, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write('data: первый\n\n');
      finish = () => response.end('data: [DONE]\n\n');
    };
    const response = await fetchOverHttp(baseUrl);
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toBe('data: первый\n\n');
    finish();
    let rest = '';
    for (let part = await reader.read(); !part.done; part = await reader.read()) {
      rest += new TextDecoder().decode(part.value);
    }
    expect(rest).toBe('data: [DONE]\n\n');
  });

  it('rejects with the abort reason when aborted before the answer or midway through a whole one', async () => {
    handle = () => {}; // never answers
    const early = new AbortController();
    const pending = fetchOverHttp(baseUrl, { signal: early.signal });
    early.abort(new Error('deadline'));
    await expect(pending).rejects.toThrow('deadline');

    let started: () => void = () => {};
    const answerStarted = new Promise<void>((resolve) => {
      started = resolve;
    });
    handle = (_request, _body, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write('{"начало":');
      started();
    };
    const midway = new AbortController();
    const cutOff = fetchOverHttp(baseUrl, { signal: midway.signal });
    await answerStarted;
    midway.abort(new Error('deadline'));
    await expect(cutOff).rejects.toThrow('deadline');
  });

  it('fails when the provider cuts a whole answer off, and errors a stream aborted midway', async () => {
    handle = (_request, _body, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write('{"начало":', () => response.socket?.destroy());
    };
    await expect(fetchOverHttp(baseUrl)).rejects.toThrow('fetch failed');

    handle = (_request, _body, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write('data: начало\n\n');
    };
    const midway = new AbortController();
    const response = await fetchOverHttp(baseUrl, { signal: midway.signal });
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    await reader.read();
    midway.abort();
    await expect(reader.read()).rejects.toThrow();

    handle = (_request, _body, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write('data: начало\n\n', () => setTimeout(() => response.socket?.destroy(), 20));
    };
    const cutShort = await fetchOverHttp(baseUrl);
    const cutReader = (cutShort.body as ReadableStream<Uint8Array>).getReader();
    expect(new TextDecoder().decode((await cutReader.read()).value)).toBe('data: начало\n\n');
    await expect(cutReader.read()).rejects.toThrow('cut off');
  });

  it('holds a streamed answer back while its reader is behind', async () => {
    const piece = `${'data: '.padEnd(64 * 1024, 'я')}\n\n`;
    const pieces = 500;
    let sent = 0;
    handle = (_request, _body, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      const pump = () => {
        while (sent < pieces) {
          sent++;
          if (!response.write(piece)) return void response.once('drain', pump);
        }
        response.end();
      };
      pump();
    };
    const response = await fetchOverHttp(baseUrl);
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    await reader.read();
    await new Promise((resolve) => setTimeout(resolve, 300));
    // Unread, the answer stops at what the sockets' buffers hold: far from all of it.
    expect(sent).toBeLessThan(pieces / 2);
    let bytes = (await reader.read()).value?.byteLength ?? 0;
    for (let part = await reader.read(); !part.done; part = await reader.read()) {
      bytes += part.value.byteLength;
    }
    expect(sent).toBe(pieces);
    expect(bytes).toBeGreaterThan(0);
  });

  it('fails as fetch does when nothing listens, and refuses other protocols', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await expect(fetchOverHttp(`http://127.0.0.1:${port}/`)).rejects.toThrow('fetch failed');
    await expect(fetchOverHttp('ftp://example.org/')).rejects.toThrow('Unsupported protocol');
  });
});
