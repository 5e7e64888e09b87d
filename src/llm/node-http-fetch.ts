import http from 'node:http';
import https from 'node:https';
import { Readable } from 'node:stream';

/** How long an idle connection to the provider is kept for the next call. */
const KEEP_ALIVE_MS = 30_000;

type Fetch = typeof globalThis.fetch;

/**
 * A `fetch` for the `openai` client made on node:http with a keep-alive agent. The client still builds
 * every request and reads every answer (JSON and SSE) itself; only the transport is Node's own HTTP
 * client, which costs a fraction of the built-in fetch's time per call. Supports what the client uses:
 * method, headers, a string or byte body, an abort signal, and a response body: streamed as it arrives
 * for an event stream, read whole before the response resolves for anything else.
 */
export function nodeHttpFetch(): Fetch & { close(): void } {
  const agents = {
    'http:': new http.Agent({ keepAlive: true, keepAliveMsecs: KEEP_ALIVE_MS }),
    'https:': new https.Agent({ keepAlive: true, keepAliveMsecs: KEEP_ALIVE_MS }),
  };
  const fetchOverHttp = (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const url = new URL(input instanceof Request ? input.url : input);
    const transport = url.protocol === 'https:' ? https : url.protocol === 'http:' ? http : undefined;
    if (!transport) return Promise.reject(new TypeError(`Unsupported protocol: ${url.protocol}`));
    const signal = init.signal ?? undefined;
    if (signal?.aborted) return Promise.reject(abortError(signal));
    return new Promise((resolve, reject) => {
      const request = transport.request(url, {
        method: init.method ?? 'GET',
        headers: headerRecord(init.headers),
        agent: agents[url.protocol as keyof typeof agents],
      });
      const onAbort = () => request.destroy(abortError(signal as AbortSignal));
      signal?.addEventListener('abort', onAbort, { once: true });
      request.once('error', (error) => {
        signal?.removeEventListener('abort', onAbort);
        reject(signal?.aborted ? abortError(signal) : new TypeError('fetch failed', { cause: error }));
      });
      request.once('response', (response) => {
        response.once('close', () => signal?.removeEventListener('abort', onAbort));
        const status = response.statusCode ?? 502;
        const headers = new Headers();
        for (const [name, value] of Object.entries(response.headers)) {
          if (Array.isArray(value)) for (const item of value) headers.append(name, item);
          else if (value !== undefined) headers.set(name, value);
        }
        const answer = { status, statusText: response.statusMessage, headers };
        if (status === 204 || status === 304 || init.method === 'HEAD') {
          // A body is not allowed on these.
          response.resume();
          resolve(new Response(null, answer));
        } else if (isEventStream(response.headers['content-type'])) {
          // Streamed answers are passed on as they arrive.
          resolve(new Response(Readable.toWeb(response) as ReadableStream<Uint8Array>, answer));
        } else {
          // Any other answer is read whole first: the client then parses it without going through a web
          // stream, which would cost it more than the read.
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.once('end', () => resolve(new Response(Buffer.concat(chunks), answer)));
          response.once('close', () => {
            if (!response.complete) {
              reject(
                signal?.aborted ? abortError(signal) : new TypeError('fetch failed: the answer was cut off'),
              );
            }
          });
        }
      });
      request.end(requestBody(init.body));
    });
  };
  return Object.assign(fetchOverHttp as Fetch, {
    close() {
      agents['http:'].destroy();
      agents['https:'].destroy();
    },
  });
}

function isEventStream(contentType: string | undefined): boolean {
  return contentType !== undefined && /^\s*text\/event-stream/i.test(contentType);
}

function headerRecord(headers: RequestInit['headers']): Record<string, string> {
  if (headers === undefined) return {};
  if (headers instanceof Headers) return Object.fromEntries(headers.entries());
  if (Array.isArray(headers)) return Object.fromEntries(headers);
  return headers as Record<string, string>;
}

function requestBody(body: RequestInit['body']): string | Uint8Array | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string' || body instanceof Uint8Array) return body;
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  if (body instanceof URLSearchParams) return body.toString();
  throw new TypeError('Unsupported request body for the provider transport');
}

function abortError(signal: AbortSignal): Error {
  return signal.reason instanceof Error
    ? signal.reason
    : new DOMException('This operation was aborted', 'AbortError');
}
