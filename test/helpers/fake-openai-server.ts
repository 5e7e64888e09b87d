import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

export type FakeBehaviour =
  /**
   * After `delayMs`; streamed requests get the text in `pieces` (default 3) chunks, `delayMs` apart, the
   * last one followed by a chunk with the finish reason (default stop).
   */
  | {
      kind: 'answer';
      text: string;
      model?: string;
      pieces?: number;
      delayMs?: number;
      finishReason?: string;
    }
  /** A stream that sends its first `pieces` chunks, then, after `delayMs`, hangs ('hang') or is cut. */
  | { kind: 'partial'; text: string; pieces: number; ending: 'cut' | 'hang'; delayMs?: number }
  | { kind: 'status'; status: number; body?: unknown; headers?: Record<string, string> }
  | { kind: 'hang' }
  | { kind: 'malformed' }
  /**
   * Cut on an unframed connection (HTTP/1.1 with neither Content-Length nor chunked encoding: the body
   * ends when the socket closes, so the client sees a clean end). A streamed request gets `pieces` chunks
   * without a finish reason and without [DONE]; any other gets the first half of the JSON answer.
   */
  | { kind: 'unframed-cut'; text: string; pieces: number };

export interface RecordedRequest {
  path: string;
  headers: IncomingMessage['headers'];
  body: any;
}

/** Dimensions of the fake embeddings. */
const EMBEDDING_DIMENSIONS = 64;

/**
 * A deterministic stand-in for a sentence-embedding model: each word's first five letters are hashed to a
 * dimension and a sign (so that vectors mix signs, as real ones do); texts sharing word stems come out
 * similar, and any text gets a vector with at least one dimension set.
 */
export function fakeEmbedding(text: string): number[] {
  const vector = new Array<number>(EMBEDDING_DIMENSIONS).fill(0);
  const words = text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  for (const word of [...words, '<text>']) {
    let hash = 0x811c9dc5;
    for (const character of word.slice(0, 5)) hash = Math.imul(hash ^ character.charCodeAt(0), 0x01000193);
    const dimension = (hash >>> 0) % EMBEDDING_DIMENSIONS;
    vector[dimension] = (vector[dimension] as number) + ((hash >>> 31) & 1 ? -1 : 1);
  }
  return vector;
}

/**
 * A small server speaking the OpenAI wire format (chat completions, embeddings, and the model list health
 * probes read), so that the real `openai` client is exercised against it. Chat behaviours are consumed in
 * order; the last one repeats.
 */
export class FakeOpenAiServer {
  /** Everything but model-list requests, in order. */
  readonly requests: RecordedRequest[] = [];
  /** GET /v1/models, as health probes send it. */
  readonly modelListRequests: RecordedRequest[] = [];
  /** POST /v1/embeddings. */
  readonly embeddingRequests: RecordedRequest[] = [];
  /** How /v1/embeddings answers: with vectors, or failing. */
  embeddings: 'vectors' | 'unavailable' = 'vectors';
  private behaviours: FakeBehaviour[] = [{ kind: 'answer', text: 'Ответ модели.' }];
  private server: Server | undefined;
  private readonly hanging = new Set<ServerResponse>();
  /** Chat requests whose connection closed before their answer was complete (the client aborted them). */
  abandoned = 0;

  get baseUrl(): string {
    const address = this.server?.address();
    if (!address || typeof address === 'string') throw new Error('fake server not started');
    return `http://127.0.0.1:${address.port}/v1`;
  }

  respondWith(...behaviours: FakeBehaviour[]): void {
    this.behaviours = behaviours;
  }

  async start(): Promise<this> {
    this.server = createServer((request, response) => void this.handle(request, response));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return this;
  }

  async stop(): Promise<void> {
    for (const response of this.hanging) response.destroy();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const body = raw === '' ? undefined : JSON.parse(raw);
    const recorded = { path: request.url ?? '', headers: request.headers, body };
    if (request.method === 'GET' && request.url === '/v1/models') {
      this.modelListRequests.push(recorded);
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({
          object: 'list',
          data: [{ id: 'fake-model', object: 'model', created: 1_700_000_000, owned_by: 'fake' }],
        }),
      );
      return;
    }
    if (request.method === 'POST' && request.url === '/v1/embeddings') {
      this.embeddingRequests.push(recorded);
      this.answerEmbeddings(body, response);
      return;
    }
    this.requests.push(recorded);
    if (request.url !== '/v1/chat/completions') {
      response.writeHead(404, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: { message: 'not found', type: 'invalid_request_error' } }));
      return;
    }
    const behaviour = (
      this.behaviours.length > 1 ? this.behaviours.shift() : this.behaviours[0]
    ) as FakeBehaviour;
    if (body?.stream === true && (behaviour.kind === 'answer' || behaviour.kind === 'partial')) {
      await this.stream(body, behaviour, response);
      return;
    }
    switch (behaviour.kind) {
      case 'partial':
        throw new Error('partial answers are for streamed requests');
      case 'answer':
        if (behaviour.delayMs) await new Promise((resolve) => setTimeout(resolve, behaviour.delayMs));
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(
          JSON.stringify(
            completion(
              `chatcmpl-${this.requests.length}`,
              behaviour.model ?? body?.model ?? 'fake-model',
              behaviour.text,
            ),
          ),
        );
        return;
      case 'status':
        response.writeHead(behaviour.status, { 'content-type': 'application/json', ...behaviour.headers });
        response.end(
          JSON.stringify(behaviour.body ?? { error: { message: 'server error', type: 'server_error' } }),
        );
        return;
      case 'hang':
        this.hanging.add(response);
        return;
      case 'malformed':
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end('{"id": "chatcmpl-broken", "choices": [');
        return;
      case 'unframed-cut':
        this.cutUnframed(body, behaviour, response);
        return;
    }
  }

  /**
   * Writes the answer on the socket itself, as a server that frames its body by closing the connection:
   * Node's own response would add a Content-Length or chunked encoding, which would show the cut.
   */
  private cutUnframed(
    body: any,
    behaviour: Extract<FakeBehaviour, { kind: 'unframed-cut' }>,
    response: ServerResponse,
  ): void {
    const id = `chatcmpl-${this.requests.length}`;
    const model = body?.model ?? 'fake-model';
    let contentType: string;
    let payload: string;
    if (body?.stream === true) {
      contentType = 'text/event-stream';
      payload = [
        { role: 'assistant', content: '' },
        ...splitText(behaviour.text, 3)
          .slice(0, behaviour.pieces)
          .map((content) => ({ content })),
      ]
        .map((delta) => sseChunk(id, model, [{ index: 0, delta, finish_reason: null }]))
        .join('');
    } else {
      contentType = 'application/json';
      const whole = JSON.stringify(completion(id, model, behaviour.text));
      payload = whole.slice(0, Math.floor(whole.length / 2));
    }
    response.socket?.end(
      `HTTP/1.1 200 OK\r\nContent-Type: ${contentType}\r\nConnection: close\r\n\r\n${payload}`,
    );
  }

  private answerEmbeddings(body: any, response: ServerResponse): void {
    if (this.embeddings === 'unavailable') {
      response.writeHead(503, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: { message: 'overloaded', type: 'server_error' } }));
      return;
    }
    const inputs: string[] = Array.isArray(body?.input) ? body.input : [body?.input];
    const encode = (vector: number[]) =>
      body?.encoding_format === 'base64'
        ? Buffer.from(Float32Array.from(vector).buffer).toString('base64')
        : vector;
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(
      JSON.stringify({
        object: 'list',
        model: body?.model ?? 'fake-embedding',
        data: inputs.map((input, index) => ({
          object: 'embedding',
          index,
          embedding: encode(fakeEmbedding(String(input))),
        })),
        usage: { prompt_tokens: inputs.length, total_tokens: inputs.length },
      }),
    );
  }

  /** The SSE chunks of a streamed chat completion, as OpenAI sends them, ending with usage and [DONE]. */
  private async stream(
    body: any,
    behaviour: Extract<FakeBehaviour, { kind: 'answer' | 'partial' }>,
    response: ServerResponse,
  ): Promise<void> {
    let finished = false;
    response.on('close', () => {
      if (!finished) this.abandoned++;
    });
    response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    const id = `chatcmpl-${this.requests.length}`;
    const model = (behaviour.kind === 'answer' && behaviour.model) || body?.model || 'fake-model';
    const chunk = (delta: object, extra: object = {}) =>
      sseChunk(id, model, [{ index: 0, delta, finish_reason: null }], extra);
    const pieces = splitText(behaviour.text, behaviour.kind === 'answer' ? (behaviour.pieces ?? 3) : 3);
    const sent = behaviour.kind === 'partial' ? pieces.slice(0, behaviour.pieces) : pieces;
    response.write(chunk({ role: 'assistant', content: '' }));
    for (const piece of sent) {
      if (behaviour.delayMs) await new Promise((resolve) => setTimeout(resolve, behaviour.delayMs));
      if (response.destroyed) return;
      response.write(chunk({ content: piece }));
    }
    if (behaviour.kind === 'partial') {
      if (behaviour.ending === 'hang') {
        this.hanging.add(response);
        return;
      }
      // Cut: the connection drops before the stream's end, once the client has read what was sent.
      await new Promise((resolve) => setTimeout(resolve, 50));
      response.socket?.destroy();
      return;
    }
    const finishReason = (behaviour.kind === 'answer' && behaviour.finishReason) || 'stop';
    response.write(chunk({}, { choices: [{ index: 0, delta: {}, finish_reason: finishReason }] }));
    response.write(
      chunk({}, { choices: [], usage: { prompt_tokens: 120, completion_tokens: 30, total_tokens: 150 } }),
    );
    response.write('data: [DONE]\n\n');
    finished = true;
    response.end();
  }
}

/** A whole chat completion, as a non-streamed request gets it. */
function completion(id: string, model: string, text: string) {
  return {
    id,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 120, completion_tokens: 30, total_tokens: 150 },
  };
}

/** One event of a streamed chat completion. */
function sseChunk(id: string, model: string, choices: object[], extra: object = {}): string {
  const chunk = {
    id,
    object: 'chat.completion.chunk',
    created: Math.floor(Date.now() / 1000),
    model,
    choices,
  };
  return `data: ${JSON.stringify({ ...chunk, ...extra })}\n\n`;
}

/** A text in `count` pieces of about equal length (at least one character each). */
function splitText(text: string, count: number): string[] {
  const size = Math.max(1, Math.ceil(text.length / count));
  const pieces: string[] = [];
  for (let start = 0; start < text.length; start += size) pieces.push(text.slice(start, start + size));
  return pieces;
}
