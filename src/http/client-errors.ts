import { type ServerResponse, STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyBaseLogger } from 'fastify';
import { API_SECURITY_HEADERS } from './security-headers.js';

interface Refusal {
  status: number;
  code: string;
  detail: string;
}

/** What Node refuses before any request exists, by its error code; anything else it cannot parse is a 400. */
const REFUSALS: Record<string, Refusal> = {
  HPE_HEADER_OVERFLOW: {
    status: 431,
    code: 'request_header_too_large',
    detail: 'Заголовки запроса слишком большие',
  },
  ERR_HTTP_REQUEST_TIMEOUT: {
    status: 408,
    code: 'request_timeout',
    detail: 'Запрос не был получен целиком вовремя',
  },
};
const MALFORMED: Refusal = { status: 400, code: 'invalid_request', detail: 'Некорректный HTTP-запрос' };

/** The whole answer, status line to body, with the headers every other answer carries; built once. */
function rawAnswer({ status, code, detail }: Refusal): string {
  const body = JSON.stringify({ detail, code });
  const headers = {
    ...API_SECURITY_HEADERS,
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(body)),
    connection: 'close',
  };
  const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`);
  return `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n${lines.join('')}\r\n${body}`;
}

const ANSWERS = new Map(Object.entries(REFUSALS).map(([code, refusal]) => [code, rawAnswer(refusal)]));
const MALFORMED_ANSWER = rawAnswer(MALFORMED);

/**
 * Fastify's clientErrorHandler: answers what Node's HTTP parser refuses (headers too large, a request that
 * is not HTTP, headers that take too long) in the service's error shape, with its security headers, where
 * Fastify would send its own shape without them. There is no request, so no hook runs: the answer is
 * written to the socket, which is then closed, as Node itself does.
 */
export function clientErrorHandler(logger: FastifyBaseLogger) {
  return (error: Error & { code?: string }, socket: Socket): void => {
    // The client is gone: nobody to answer.
    if (error.code === 'ECONNRESET' || socket.destroyed) return;
    logger.debug({ code: error.code }, 'unreadable request refused');
    // As in Node's own handler: no answer once a response on this connection has begun, which it would
    // corrupt. `_httpMessage` is the response Node has attached to the socket.
    const inFlight = (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage;
    if (socket.writable && !inFlight?.headersSent) {
      socket.write(ANSWERS.get(error.code ?? '') ?? MALFORMED_ANSWER);
    }
    socket.destroy();
  };
}
