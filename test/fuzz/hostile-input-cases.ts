/**
 * Hostile input, the requests: the seeded PRNG, the operations read from /openapi.json, and the generation of
 * every fuzz case (per operation, per path with the methods it does not take, and malformed HTTP).
 */
import {
  BAD_UTF8,
  type ContentTypedBody,
  DEEP_BODIES,
  DEEP_HUGE_BODIES,
  deepArray,
  deepObject,
  HUGE_ASCII,
  HUGE_TEXT,
  INVALID_JSON,
  JUNK_QUERIES,
  latin1,
  METHODS,
  ODD_HEADERS,
  ODD_STRINGS,
  pct,
  QUERY_VALUES,
  queryShapes,
  RAW_DOCUMENTS,
  RAW_TEXT_TYPES,
  STRANGE_IDS,
  WRONG_TYPES,
  wrongContentTypes,
} from './hostile-input-values.js';

// ---------------------------------------------------------------------------------------------------------
// Determinism: one seeded PRNG drives every choice (never Math.random).

export const SEED = 0x1ce_b00c;

/** mulberry32: small, fast and good enough to pick test inputs. */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  }

  int(bound: number): number {
    return Math.floor(this.next() * bound);
  }

  pick<T>(items: readonly T[]): T {
    const item = items[this.int(items.length)];
    if (item === undefined) throw new TypeError('pick from an empty list');
    return item;
  }

  hex(length: number): string {
    let text = '';
    for (let index = 0; index < length; index++) text += this.int(16).toString(16);
    return text;
  }

  /** A well-formed time-ordered UUID that no stored row has. */
  uuid(): string {
    return `${this.hex(8)}-${this.hex(4)}-7${this.hex(3)}-a${this.hex(3)}-${this.hex(12)}`;
  }

  shuffle<T>(items: T[]): T[] {
    for (let index = items.length - 1; index > 0; index--) {
      const other = this.int(index + 1);
      [items[index], items[other]] = [items[other] as T, items[index] as T];
    }
    return items;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Budget.

/** Generated requests per operation at least (systematic cases first, then seeded random combinations). */
const MIN_CASES_PER_OPERATION = 150;
export const MIN_TOTAL_REQUESTS = 5_000;

// ---------------------------------------------------------------------------------------------------------
// The service's operations, from its OpenAPI document.

export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  enum?: unknown[];
  minimum?: number;
  items?: JsonSchema;
}

export interface Operation {
  method: string;
  /** OpenAPI form: /api/learning/annotations/{id}. */
  template: string;
  pathParams: string[];
  query: { name: string; schema: JsonSchema; required: boolean }[];
  /** The JSON body's schema, when the route takes one. */
  body: JsonSchema | undefined;
  /** Not in /openapi.json (the document itself, Swagger UI). */
  hidden: boolean;
}

/** Routes the OpenAPI document hides; each is checked to exist before the fuzzing. */
export const HIDDEN_OPERATIONS: readonly { method: string; template: string; probe: string }[] = [
  { method: 'GET', template: '/openapi.json', probe: '/openapi.json' },
  { method: 'GET', template: '/docs', probe: '/docs' },
  { method: 'GET', template: '/docs/json', probe: '/docs/json' },
  { method: 'GET', template: '/docs/yaml', probe: '/docs/yaml' },
  { method: 'GET', template: '/docs/static/{file}', probe: '/docs/static/swagger-initializer.js' },
];

export function operationsOf(document: any): Operation[] {
  const operations: Operation[] = [];
  for (const [template, item] of Object.entries<Record<string, any>>(document.paths ?? {})) {
    for (const [method, operation] of Object.entries<any>(item)) {
      if (!['get', 'put', 'post', 'delete', 'patch', 'head', 'options'].includes(method)) continue;
      const parameters: any[] = operation.parameters ?? [];
      operations.push({
        method: method.toUpperCase(),
        template,
        pathParams: [...template.matchAll(/\{([^}]+)\}/g)].map((match) => match[1] as string),
        query: parameters
          .filter((parameter) => parameter.in === 'query')
          .map((parameter) => ({
            name: parameter.name as string,
            schema: (parameter.schema ?? {}) as JsonSchema,
            required: parameter.required === true,
          })),
        body: operation.requestBody?.content?.['application/json']?.schema as JsonSchema | undefined,
        hidden: false,
      });
    }
  }
  for (const hidden of HIDDEN_OPERATIONS) {
    operations.push({
      method: hidden.method,
      template: hidden.template,
      pathParams: [...hidden.template.matchAll(/\{([^}]+)\}/g)].map((match) => match[1] as string),
      query: [],
      body: undefined,
      hidden: true,
    });
  }
  return operations.sort((left, right) =>
    `${left.template} ${left.method}`.localeCompare(`${right.template} ${right.method}`),
  );
}

export const endpointOf = (operation: Pick<Operation, 'method' | 'template'>) =>
  `${operation.method} ${operation.template}`;

/**
 * Enum values preferred for valid fields: the least privilege. A valid `POST /api/admin/keys` with role
 * `admin` would mint the first admin key, which (by design) ends admin access from loopback without a key,
 * and every admin route would answer 401 for the rest of the run instead of reaching its handler.
 */
const LEAST_PRIVILEGE: readonly unknown[] = ['user'];

/** A value the schema accepts, so that one field at a time can be made bad. */
function validValue(name: string, schema: JsonSchema): unknown {
  if (schema.enum && schema.enum.length > 0) {
    return schema.enum.find((value) => LEAST_PRIVILEGE.includes(value)) ?? schema.enum[0];
  }
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  if (type === 'integer' || type === 'number') return schema.minimum ?? 1;
  if (type === 'boolean') return true;
  if (type === 'array') return [];
  if (type === 'object') return {};
  return `fuzz ${name}`;
}

// ---------------------------------------------------------------------------------------------------------
// Requests.

export interface FuzzCase {
  /** Where it is counted: "METHOD /template", "* /template" for other methods, "RAW /template" for bad HTTP. */
  endpoint: string;
  family: string;
  method: string;
  /** The request target exactly as it goes on the request line. */
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
  /** Sent with Transfer-Encoding: chunked instead of Content-Length. */
  chunked?: boolean;
  /** Bigger than most routes take: the server may answer 413 and close before the upload is done. */
  mayBeCut?: boolean;
  /** Written to a socket as it is (malformed HTTP). */
  raw?: { bytes: Buffer; halfClose: boolean; mustAnswer: boolean };
}

/** The cases for every operation, every path with the methods it does not take, and malformed HTTP. */
export function generateCases(operations: readonly Operation[], rng: Rng): FuzzCase[] {
  const cases: FuzzCase[] = [];
  for (const operation of operations) cases.push(...casesFor(operation, rng));
  const templates = new Map<string, Operation[]>();
  for (const operation of operations) {
    templates.set(operation.template, [...(templates.get(operation.template) ?? []), operation]);
  }
  for (const [template, sameTemplate] of templates) {
    const declared = new Set(sameTemplate.map((operation) => operation.method));
    const first = sameTemplate[0] as Operation;
    for (const method of METHODS) {
      if (declared.has(method)) continue;
      const withBody = rng.next() < 0.5;
      cases.push({
        endpoint: `* ${template}`,
        family: 'wrong-method',
        method,
        path: fillPath(first, rng),
        headers: withBody ? { 'content-type': 'application/json' } : {},
        ...(withBody
          ? { body: Buffer.from(rng.pick(['{"message":"fuzz"}', '{', '[]', deepArray(5_000)])) }
          : {}),
      });
    }
    cases.push(...rawCases(`RAW ${template}`, fillPath(first, rng)));
  }
  cases.push(...malformedHttp());
  return cases;
}

function fillPath(operation: Operation, rng: Rng, ids: Record<string, string> = {}): string {
  return operation.template.replace(/\{([^}]+)\}/g, (_, name: string) => ids[name] ?? rng.uuid());
}

/** A valid query string for the operation (required parameters only). */
function baseQuery(operation: Operation): string {
  return operation.query
    .filter((parameter) => parameter.required)
    .map((parameter) => `${parameter.name}=${pct(String(validValue(parameter.name, parameter.schema)))}`)
    .join('&');
}

const withQuery = (path: string, query: string) => (query === '' ? path : `${path}?${query}`);

/** A JSON object's text from entries whose values are JSON texts (so raw numbers and bad JSON fit). */
const objectText = (entries: readonly (readonly [string, string])[]) =>
  `{${entries.map(([key, value]) => `${JSON.stringify(key)}:${value}`).join(',')}}`;

function baseEntries(operation: Operation): [string, string][] {
  const schema = operation.body as JsonSchema;
  return (schema.required ?? []).map((name) => [
    name,
    JSON.stringify(validValue(name, schema.properties?.[name] ?? {})),
  ]);
}

function withField(entries: readonly [string, string][], name: string, value: string): [string, string][] {
  const replaced = entries.map(([key, old]): [string, string] => [key, key === name ? value : old]);
  return entries.some(([key]) => key === name) ? replaced : [...replaced, [name, value]];
}

const withoutField = (entries: readonly [string, string][], name: string) =>
  entries.filter(([key]) => key !== name);

/** A JSON body with the field's value replaced by raw bytes. */
function bytesInField(entries: readonly [string, string][], name: string, bytes: readonly number[]): Buffer {
  const [before, after] = objectText(withField(entries, name, '"@@BYTES@@"')).split('@@BYTES@@');
  return Buffer.concat([Buffer.from(before ?? ''), Buffer.from(bytes), Buffer.from(after ?? '')]);
}

function casesFor(operation: Operation, rng: Rng): FuzzCase[] {
  const endpoint = endpointOf(operation);
  const cases: FuzzCase[] = [];
  const path = () => withQuery(fillPath(operation, rng), baseQuery(operation));
  const add = (family: string, fields: Partial<FuzzCase>) => {
    const body = fields.body;
    cases.push({
      endpoint,
      family,
      method: operation.method,
      path: fields.path ?? path(),
      ...fields,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...fields.headers },
    });
  };
  const json = (family: string, text: string | Buffer, extra: Partial<FuzzCase> = {}) =>
    add(family, { body: typeof text === 'string' ? Buffer.from(text) : text, ...extra });

  // Bodies: every field given every wrong type and every odd string, left out, duplicated, cut, nested.
  if (operation.body) {
    const schema = operation.body;
    const fields = Object.keys(schema.properties ?? {});
    const base = baseEntries(operation);
    const validJson = objectText(base);
    for (const field of fields) {
      for (const value of WRONG_TYPES) json('wrong-type', objectText(withField(base, field, value)));
      for (const value of ODD_STRINGS)
        json('odd-string', objectText(withField(base, field, JSON.stringify(value))));
      json('missing-field', objectText(withoutField(base, field)));
      json('huge-string', objectText(withField(base, field, JSON.stringify(HUGE_TEXT))));
      json('huge-string', objectText(withField(base, field, JSON.stringify(HUGE_ASCII))));
      json('deep-field', objectText(withField(base, field, deepArray(5_000))));
      json('deep-field', objectText(withField(base, field, deepObject(5_000))));
      const valid = JSON.stringify(validValue(field, schema.properties?.[field] ?? {}));
      json('duplicate-key', `${objectText(withField(base, field, valid)).slice(0, -1)},"${field}":12}`);
      json('duplicate-key', `{"${field}":[],${objectText(withField(base, field, valid)).slice(1)}`);
      json('duplicate-key', `{${Array.from({ length: 1_000 }, () => `"${field}":${valid}`).join(',')}}`);
      for (const bytes of BAD_UTF8) json('invalid-utf8', bytesInField(base, field, bytes));
    }
    json('invalid-utf8', Buffer.concat([Buffer.from(validJson), Buffer.from([0xff, 0xfe])]));
    json('invalid-utf8', Buffer.concat([Buffer.from('{"'), Buffer.from([0xc0, 0xaf]), Buffer.from('":1}')]));
    json('missing-field', '{}');
    json('extra-field', objectText([...base, ['unexpected', '"x"'], ['__proto__', '{"x":1}']]));
    json('extra-field', objectText([...base, ['constructor', '{"prototype":{"x":1}}']]));
    for (const text of INVALID_JSON) json('invalid-json', text);
    for (const text of DEEP_BODIES) json('deep-body', text);
    for (const text of DEEP_HUGE_BODIES) json('deep-body', text, { mayBeCut: true });
    json('deep-body', objectText(withField(base, rng.pick(fields), deepArray(1_000_000))), {
      mayBeCut: true,
    });
    json('body-shape', `[${validJson}]`);
    json('body-shape', `[${validJson},${validJson}]`);
    json('body-shape', JSON.stringify(validJson));
    for (const [contentType, body] of wrongContentTypes(validJson)) {
      add('content-type', { body, headers: contentType === null ? {} : { 'content-type': contentType } });
    }
    json('chunked', validJson, { chunked: true });
    json('chunked', HUGE_ASCII, { chunked: true, mayBeCut: true });
    // A route that reads options from the query may take the document itself as the body.
    if (operation.query.length > 0) {
      const options = operation.query.map((parameter) => parameter.name);
      for (const [index, document] of RAW_DOCUMENTS.entries()) {
        const query = [
          `${options[0]}=${pct(`fuzz raw ${index}`)}`,
          ...options.slice(1).map((name) => `${name}=${rng.next() < 0.3 ? rng.pick(QUERY_VALUES) : ''}`),
        ].join('&');
        add('raw-body', {
          path: withQuery(fillPath(operation, rng), rng.next() < 0.8 ? query : rng.pick(JUNK_QUERIES)),
          body: typeof document === 'string' ? Buffer.from(document) : document,
          headers: { 'content-type': RAW_TEXT_TYPES[index % RAW_TEXT_TYPES.length] as string },
          mayBeCut: true,
        });
      }
    }
    for (const headers of ODD_HEADERS) json('odd-header', validJson, { headers });
  } else {
    // Routes that take no body get one anyway.
    const bodies: ContentTypedBody[] = [
      ['application/json', Buffer.from('{"message":"fuzz"}')],
      ['application/json', Buffer.from('{')],
      ['application/json', Buffer.alloc(0)],
      ['application/json', Buffer.from(deepArray(20_000))],
      ['application/json', Buffer.from(HUGE_ASCII)],
      ['application/json', Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d])],
      ['text/plain', Buffer.from('hello')],
      [null, Buffer.from('a body without a content type')],
      ['multipart/form-data; boundary=b', Buffer.from('--b\r\n\u0000\r\n--')],
      ['application/x-www-form-urlencoded', Buffer.from('a=1&a=2&%E0%A4%A')],
      ['application/octet-stream', Buffer.from(Array.from({ length: 256 }, (_, byte) => byte))],
    ];
    for (const [contentType, body] of bodies) {
      add('unexpected-body', { body, headers: contentType === null ? {} : { 'content-type': contentType } });
    }
    add('unexpected-body', { body: Buffer.from('{"a":1}'), chunked: true });
    for (const headers of ODD_HEADERS) add('odd-header', { headers });
  }

  // Query parameters: every declared one given every odd value and shape; junk for all routes.
  for (const parameter of operation.query) {
    const others = operation.query
      .filter((other) => other.required && other.name !== parameter.name)
      .map((other) => `${other.name}=${pct(String(validValue(other.name, other.schema)))}`);
    const query = (part: string) => [...others, part].join('&');
    for (const value of QUERY_VALUES) {
      add('query-value', { path: withQuery(fillPath(operation, rng), query(`${parameter.name}=${value}`)) });
    }
    for (const shape of queryShapes(parameter.name)) {
      add('query-shape', { path: withQuery(fillPath(operation, rng), query(shape)) });
    }
  }
  for (const junk of JUNK_QUERIES) {
    add('query-junk', { path: `${fillPath(operation, rng)}?${[baseQuery(operation), junk].join('&')}` });
  }

  // Path parameters: strange ids for each.
  for (const name of operation.pathParams) {
    for (const id of STRANGE_IDS) {
      add('strange-id', { path: withQuery(fillPath(operation, rng, { [name]: id }), baseQuery(operation)) });
    }
  }

  // The path itself, bent.
  const plain = fillPath(operation, rng);
  const bent = [
    `${plain}/`,
    `/${plain}`,
    plain.replace('/', '//'),
    plain.replace('/', '/./'),
    `${plain}/..`,
    `${plain}/.`,
    plain.toUpperCase(),
    `${plain};jsessionid=1`,
    `${plain}%2F`,
    `${plain}%00`,
    `${plain}%`,
    `${plain}%E0%A4%A`,
    `${plain}#fragment`,
    `http://127.0.0.1${plain}`,
    `http://evil.example${plain}`,
    '*',
    `${plain}${latin1([0xff])}`,
    plain.replaceAll('/', '%2F'),
    `${plain}/${'x'.repeat(3_000)}`,
  ];
  for (const target of bent) add('path-shape', { path: withQuery(target, baseQuery(operation)) });

  // Then seeded random combinations of the above until the operation has its share.
  while (cases.length < MIN_CASES_PER_OPERATION) cases.push(randomCase(operation, rng));
  return cases;
}

/** One random combination of the hostile inputs above. */
function randomCase(operation: Operation, rng: Rng): FuzzCase {
  const ids: Record<string, string> = {};
  for (const name of operation.pathParams) if (rng.next() < 0.7) ids[name] = rng.pick(STRANGE_IDS);
  const queryParts: string[] = [];
  const names = [...operation.query.map((parameter) => parameter.name), 'q', 'limit', 'x'];
  for (let count = rng.int(3); count > 0; count--) {
    queryParts.push(
      rng.next() < 0.5
        ? `${rng.pick(names)}=${rng.pick(QUERY_VALUES)}`
        : rng.pick(queryShapes(rng.pick(names))),
    );
  }
  if (rng.next() < 0.2) queryParts.push(rng.pick(JUNK_QUERIES));
  const path = withQuery(fillPath(operation, rng, ids), queryParts.join('&'));
  const headers: Record<string, string> = rng.next() < 0.2 ? { ...rng.pick(ODD_HEADERS) } : {};
  let body: Buffer | undefined;
  if (operation.body && rng.next() < 0.9) {
    let entries = baseEntries(operation);
    const fields = Object.keys(operation.body.properties ?? {});
    for (let count = 1 + rng.int(fields.length); count > 0; count--) {
      const field = rng.pick(fields);
      const value = rng.next() < 0.5 ? rng.pick(WRONG_TYPES) : JSON.stringify(rng.pick(ODD_STRINGS));
      entries = withField(entries, field, value);
    }
    const text = objectText(entries);
    body =
      rng.next() < 0.15 ? bytesInField(entries, rng.pick(fields), rng.pick(BAD_UTF8)) : Buffer.from(text);
    const [contentType, other] = rng.pick(wrongContentTypes(text));
    if (rng.next() < 0.3) {
      if (contentType === null) delete headers['content-type'];
      else headers['content-type'] = contentType;
      body = other;
    } else {
      headers['content-type'] = 'application/json';
    }
  } else if (rng.next() < 0.3) {
    headers['content-type'] = 'application/json';
    body = Buffer.from(rng.pick([...INVALID_JSON, ...DEEP_BODIES.slice(0, 2)]));
  }
  return {
    endpoint: endpointOf(operation),
    family: 'random-mix',
    method: operation.method,
    path,
    headers,
    ...(body === undefined ? {} : { body }),
    ...(rng.next() < 0.1 ? { chunked: true } : {}),
  };
}

/** Malformed HTTP on a path: conflicting framing, NUL in a header, bad chunks, raw bytes in the target. */
function rawCases(endpoint: string, path: string): FuzzCase[] {
  const raw = (family: string, text: string, halfClose = false, mustAnswer = true): FuzzCase => ({
    endpoint,
    family,
    method: 'RAW',
    path,
    headers: {},
    raw: { bytes: Buffer.from(text, 'latin1'), halfClose, mustAnswer },
  });
  // A local Host: without admin keys, admin routes refuse other host names before reading the body.
  const json = 'Host: localhost\r\nContent-Type: application/json\r\nConnection: close\r\n';
  return [
    raw(
      'raw-framing',
      `POST ${path} HTTP/1.1\r\n${json}Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`,
    ),
    raw('raw-framing', `POST ${path} HTTP/1.1\r\n${json}Content-Length: 2\r\nContent-Length: 7\r\n\r\n{}`),
    raw(
      'raw-framing',
      `POST ${path} HTTP/1.1\r\n${json}Transfer-Encoding: chunked\r\n\r\nZZ\r\n{}\r\n0\r\n\r\n`,
    ),
    raw('raw-header', `GET ${path} HTTP/1.1\r\nHost: fuzz\r\nX-Fuzz: a\u0000b\r\nConnection: close\r\n\r\n`),
    raw('raw-target', `GET ${path}\u00ff\u0000 HTTP/1.1\r\nHost: fuzz\r\nConnection: close\r\n\r\n`),
    raw(
      'raw-cut-body',
      `PUT ${path} HTTP/1.1\r\n${json}Content-Length: 1000\r\n\r\n{"message":"cut`,
      true,
      false,
    ),
  ];
}

/** Malformed HTTP that is not about one route. */
function malformedHttp(): FuzzCase[] {
  const endpoint = 'RAW (malformed HTTP)';
  const close = 'Connection: close\r\n';
  const texts = [
    'GET /api/health HTTP/9.9\r\nHost: fuzz\r\n\r\n',
    'GET /api/health HTTP/1.0\r\n\r\n',
    `GET /api/health HTTP/1.1\r\nHost: fuzz\r\nX-Folded: a\r\n  b\r\n${close}\r\n`,
    `GET /api/health HTTP/1.1\nHost: fuzz\n${close.replace('\r', '')}\n`,
    `GET /api/health HTTP/1.1\r\nHost: fuzz\r\nBad Header: x\r\n${close}\r\n`,
    `GET  /api/health HTTP/1.1\r\nHost: fuzz\r\n${close}\r\n`,
    `get /api/health HTTP/1.1\r\nHost: fuzz\r\n${close}\r\n`,
    `GET api/health HTTP/1.1\r\nHost: fuzz\r\n${close}\r\n`,
    `GET * HTTP/1.1\r\nHost: fuzz\r\n${close}\r\n`,
    `GET /api/health HTTP/1.1\r\nHost: a\r\nHost: b\r\n${close}\r\n`,
    `POST /api/voice/process HTTP/1.1\r\nHost: fuzz\r\nContent-Length: -1\r\n${close}\r\n`,
    `POST /api/voice/process HTTP/1.1\r\nHost: fuzz\r\nContent-Length: 1e3\r\n${close}\r\n`,
    `POST /api/voice/process HTTP/1.1\r\nHost: fuzz\r\nContent-Length: 99999999999999999999\r\n${close}\r\n`,
    `GET /api/health HTTP/1.1\r\nHost: fuzz\r\nX-Big: ${'x'.repeat(20_000)}\r\n${close}\r\n`,
    `POST /api/voice/process HTTP/1.1\r\nHost: fuzz\r\nTransfer-Encoding: chunked, identity\r\n${close}\r\n0\r\n\r\n`,
    `POST /api/voice/process HTTP/1.1\r\nHost: fuzz\r\nTransfer-Encoding: xchunked\r\n${close}\r\n0\r\n\r\n`,
    `GET /api/health HTTP/1.1\r\nHost: fuzz\r\n\r\nGARBAGE\u0000\u00ff\r\n\r\n`,
    `GET /api/health HTTP/1.1\r\nHost: fuzz\r\n\u00ff\u00fe: x\r\n${close}\r\n`,
    `\u0000\u00ff\u00fe GET /api/health\r\n\r\n`,
    `GET /api/health HTTP/1.1\r\nHost: fuzz\r\nContent-Type: application/json\r\n${close}Content-Length: 5\r\n\r\n{"a":`,
  ];
  return texts.map((text) => ({
    endpoint,
    family: 'malformed-http',
    method: 'RAW',
    path: text.split('\r\n')[0]?.slice(0, 60) ?? '',
    headers: {},
    raw: { bytes: Buffer.from(text, 'latin1'), halfClose: false, mustAnswer: false },
  }));
}
