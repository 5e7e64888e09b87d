/**
 * Hostile input, sending and judging: the cases go out over node:http or a raw socket, a few at a time; the
 * answers are described, listed when they offend, fingerprinted and summed up by endpoint for the log.
 */
import { createHash } from 'node:crypto';
import { type ClientRequest, request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { type FuzzCase, SEED } from './hostile-input-cases.js';

// ---------------------------------------------------------------------------------------------------------
// Budget.

const CONCURRENCY = 16;
/** A request not answered within this is reported as a hang. */
const REQUEST_TIMEOUT_MS = 15_000;
/** Raw-socket cases the server may simply close are given up on after this. */
const RAW_TIMEOUT_MS = 5_000;

export type Outcome =
  | { kind: 'response'; status: number; contentType: string; allow?: string; body: string; ms: number }
  | { kind: 'no-response'; error: string; ms: number }
  | { kind: 'refused'; error: string; ms: number };

// ---------------------------------------------------------------------------------------------------------
// Sending.

function sendHttp(port: number, fuzz: FuzzCase): Promise<Outcome> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  return new Promise((resolve) => {
    let settled = false;
    const finish = (outcome: Outcome) => {
      if (settled) return;
      settled = true;
      resolve(outcome);
    };
    const headers = { ...fuzz.headers };
    if (fuzz.body !== undefined && !fuzz.chunked) headers['content-length'] = String(fuzz.body.length);
    let request: ClientRequest;
    try {
      request = httpRequest({
        host: '127.0.0.1',
        port,
        method: fuzz.method,
        path: fuzz.path,
        headers,
        agent: false,
      });
    } catch (error) {
      finish({ kind: 'refused', error: String(error), ms: 0 });
      return;
    }
    request.setTimeout(REQUEST_TIMEOUT_MS, () => {
      finish({ kind: 'no-response', error: 'timeout', ms: elapsed() });
      request.destroy();
    });
    // Set once the status line is in: an answer the socket fails after still counts as one.
    let complete: (() => void) | undefined;
    request.on('error', (error: NodeJS.ErrnoException) => {
      if (complete) complete();
      else finish({ kind: 'no-response', error: error.code ?? error.message, ms: elapsed() });
    });
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      complete = () =>
        finish({
          kind: 'response',
          status: response.statusCode ?? 0,
          contentType: String(response.headers['content-type'] ?? ''),
          allow: response.headers.allow,
          body: Buffer.concat(chunks).toString('utf8'),
          ms: elapsed(),
        });
      response.on('end', complete);
      response.on('close', complete);
      response.on('error', complete);
    });
    if (fuzz.body === undefined) {
      request.end();
    } else if (fuzz.chunked) {
      const half = Math.floor(fuzz.body.length / 2);
      request.write(fuzz.body.subarray(0, half));
      request.end(fuzz.body.subarray(half));
    } else {
      request.end(fuzz.body);
    }
  });
}

function sendRaw(port: number, fuzz: FuzzCase): Promise<Outcome> {
  const raw = fuzz.raw as NonNullable<FuzzCase['raw']>;
  const started = performance.now();
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const socket = connect(port, '127.0.0.1');
    let settled = false;
    const finish = (error?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      const text = Buffer.concat(chunks).toString('utf8');
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1];
      const ms = Math.round(performance.now() - started);
      if (status === undefined) {
        resolve({ kind: 'no-response', error: error ?? 'closed without an answer', ms });
        return;
      }
      const head = text.slice(0, Math.max(0, text.indexOf('\r\n\r\n')));
      resolve({
        kind: 'response',
        status: Number(status),
        contentType: /^content-type:\s*(.*)$/im.exec(head)?.[1] ?? '',
        body: text.slice(head.length + 4),
        ms,
      });
    };
    const timer = setTimeout(() => finish('timeout'), RAW_TIMEOUT_MS);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('close', () => finish());
    socket.on('error', (error: NodeJS.ErrnoException) => finish(error.code ?? error.message));
    socket.on('connect', () => {
      socket.write(raw.bytes);
      if (raw.halfClose) socket.end();
    });
  });
}

export async function runAll(
  port: number,
  cases: readonly FuzzCase[],
): Promise<{ fuzz: FuzzCase; outcome: Outcome }[]> {
  const results: { fuzz: FuzzCase; outcome: Outcome }[] = new Array(cases.length);
  let next = 0;
  const worker = async () => {
    for (let index = next++; index < cases.length; index = next++) {
      const fuzz = cases[index] as FuzzCase;
      results[index] = { fuzz, outcome: await (fuzz.raw ? sendRaw(port, fuzz) : sendHttp(port, fuzz)) };
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return results;
}

// ---------------------------------------------------------------------------------------------------------
// Judging the answers.

/** A stack trace line ("    at fn (file.js:1:2)") or a Node error message ("TypeError: ..."). */
export const STACK_TRACE = /^ {4}at |\bat .+\.(?:[cm]?js|ts):\d+:\d+/m;
export const NODE_ERROR = /Error:/;

/** Control, format (zero-width, bidi), private and unassigned characters and lone surrogates, as escapes. */
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}]/gu;

/** A short, readable, reproducible excerpt: invisible characters are shown as \u escapes. */
const snippet = (text: string, length = 160) =>
  (text.length > length ? `${text.slice(0, length)}…(${text.length} chars)` : text).replace(
    INVISIBLE,
    (char) => `\\u{${(char.codePointAt(0) as number).toString(16)}}`,
  );

function describeCase(fuzz: FuzzCase): string {
  if (fuzz.raw) return `RAW ${snippet(fuzz.raw.bytes.toString('latin1'), 200)}`;
  const headers = Object.entries(fuzz.headers)
    .map(([name, value]) => `${name}: ${snippet(value, 60)}`)
    .join('; ');
  const body = fuzz.body === undefined ? '' : ` body=${snippet(fuzz.body.toString('utf8'), 160)}`;
  return `${fuzz.method} ${snippet(fuzz.path, 200)} [${fuzz.family}] {${headers}}${body}${fuzz.chunked ? ' (chunked)' : ''}`;
}

// ---------------------------------------------------------------------------------------------------------

export type Result = { fuzz: FuzzCase; outcome: Outcome };

/** Every offender: the request as it went out and what came back. */
export function report(list: readonly Result[]): string {
  return list
    .map(({ fuzz, outcome }) => {
      const answer =
        outcome.kind === 'response' ? `${outcome.status} ${snippet(outcome.body, 300)}` : outcome.error;
      return `  ${describeCase(fuzz)}\n    → ${answer}`;
    })
    .join('\n');
}

/** A digest of every request as it goes out: the same on every run, else the generation is not deterministic. */
function fingerprint(cases: readonly FuzzCase[]): string {
  const hash = createHash('sha256');
  for (const fuzz of cases) {
    hash.update(`${fuzz.endpoint}\n${fuzz.method} ${fuzz.path}\n${JSON.stringify(fuzz.headers)}\n`);
    hash.update(fuzz.raw?.bytes ?? fuzz.body ?? Buffer.alloc(0));
  }
  return hash.digest('hex').slice(0, 16);
}

/** Requests and answers by endpoint, and the slowest requests, for the log. */
export function summary(results: readonly Result[], seconds: number, cases: readonly FuzzCase[]) {
  const perEndpoint = new Map<string, { sent: number; statuses: Map<number | string, number> }>();
  for (const { fuzz, outcome } of results) {
    const entry = perEndpoint.get(fuzz.endpoint) ?? { sent: 0, statuses: new Map() };
    entry.sent++;
    const key = outcome.kind === 'response' ? outcome.status : outcome.kind;
    entry.statuses.set(key, (entry.statuses.get(key) ?? 0) + 1);
    perEndpoint.set(fuzz.endpoint, entry);
  }
  const lines = [...perEndpoint.entries()]
    .sort(([left], [right]) => left.localeCompare(right))
    .map(([endpoint, { sent, statuses }]) => {
      const spread = [...statuses.entries()]
        .sort(([left], [right]) => String(left).localeCompare(String(right)))
        .map(([status, count]) => `${status}×${count}`)
        .join(' ');
      return `${String(sent).padStart(5)}  ${endpoint}  (${spread})`;
    });
  const slowest = [...results]
    .sort((left, right) => right.outcome.ms - left.outcome.ms)
    .slice(0, 5)
    .map(({ fuzz, outcome }) => `${String(outcome.ms).padStart(6)} ms  ${describeCase(fuzz).slice(0, 200)}`);
  const text = [
    `hostile input: ${results.length} requests (seed ${SEED}, fingerprint ${fingerprint(cases)}) in ${seconds.toFixed(1)} s, ${CONCURRENCY} in flight`,
    ...lines,
    'slowest:',
    ...slowest,
  ].join('\n');
  return { perEndpoint, text };
}
