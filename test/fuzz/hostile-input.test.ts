/**
 * Hostile input (issue 6): thousands of generated bad requests against every endpoint of the real service.
 *
 * The endpoints come from the running service's /openapi.json (plus the few routes it hides: the document
 * itself and Swagger UI), so a new route is fuzzed without touching this file. Requests are generated from
 * a seeded PRNG (the same requests on every run, in the same order) and sent with raw `node:http` requests
 * or, for malformed HTTP, written byte for byte to a socket, so invalid bytes and odd headers really go out.
 * Admin routes are reached because the test service has no ADMIN_API_KEYS and we call from loopback.
 *
 * Asserted: no answer is a 5xx, none leaks a stack trace or a Node error message, every request is answered,
 * admin input reaches the handlers, a wrong method answers 405 whatever its body, the service is healthy
 * afterwards, and what was written before the fuzzing reads back identically through the API and straight
 * from the SQLite file. The log shows the requests and answers by endpoint and the slowest requests.
 */
import { createHash } from 'node:crypto';
import { type ClientRequest, request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseSchema } from '../../src/storage/tables.js';
import { Api } from '../api/support/api.js';
import { eventually } from '../helpers/eventually.js';
import { startTestService, type TestService } from '../helpers/test-service.js';

// ---------------------------------------------------------------------------------------------------------
// Determinism: one seeded PRNG drives every choice (never Math.random).

const SEED = 0x1ce_b00c;

/** mulberry32: small, fast and good enough to pick test inputs. */
class Rng {
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
const MIN_TOTAL_REQUESTS = 5_000;
const CONCURRENCY = 16;
/** A request not answered within this is reported as a hang. */
const REQUEST_TIMEOUT_MS = 15_000;
/** Raw-socket cases the server may simply close are given up on after this. */
const RAW_TIMEOUT_MS = 5_000;

// ---------------------------------------------------------------------------------------------------------
// Building blocks.

/** Bytes as a string of the same code units: node:http writes the request line and headers as latin1. */
const latin1 = (bytes: readonly number[]) => Buffer.from(bytes).toString('latin1');

/** Percent-encodes the UTF-8 bytes of a text (lone surrogates become U+FFFD, as any client would send). */
function pct(text: string): string {
  let encoded = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const char = String.fromCharCode(byte);
    encoded += /[A-Za-z0-9._~-]/.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return encoded;
}

const TEN_TO_THE_300 = `1${'0'.repeat(300)}`;
/** 72 KB of UTF-8 (36 864 code points): over the 64 KB body limit on its own. */
const HUGE_TEXT = '\u0416'.repeat(36 * 1024);
const HUGE_ASCII = 'A'.repeat(70 * 1024);

/** JSON texts of the wrong type (or an absurd value) for any field. */
const WRONG_TYPES: readonly string[] = [
  '0',
  '-1',
  '1.5',
  'true',
  'false',
  'null',
  '[]',
  '["x"]',
  '[1,2,3]',
  '{}',
  '{"$ne":null}',
  '{"$gt":""}',
  '[[[]]]',
  '"5"',
  '"true"',
  TEN_TO_THE_300,
  '1e300',
  '-1e300',
  '1e999',
  '-1e999',
  '1e-999',
  '-0',
  '9007199254740993',
  `0.${'0'.repeat(300)}1`,
  `-${TEN_TO_THE_300}.5e-10`,
];

/** Strings of the right type with hostile content; JSON.stringify escapes lone surrogates as "\ud800". */
const ODD_STRINGS: readonly string[] = [
  '',
  ' ',
  '\t\r\n \u000b\u000c',
  '\u00a0\u2003\u3000\u205f',
  '\u200b\u200c\u200d\u2060\ufeff',
  '\u200d'.repeat(1500),
  'abc\u202eRTL override\u202c, \u200f mark \u200e',
  '\u0627\u0644\u0639\u0631\u0628\u064a\u0629 \u05e2\u05d1\u05e8\u05d9\u05ea',
  '\ud800',
  '\udfff',
  'a\ud800b',
  '\udc00\ud800',
  '\ud83d',
  'x\ud83d'.repeat(500),
  '\u{1F468}\u200d\u{1F469}\u200d\u{1F467}\u200d\u{1F466} \u{1F3F3}\ufe0f\u200d\u{1F308}',
  '\u{1F600}'.repeat(2000),
  '\u{1F600}'.repeat(2001),
  '\u0000',
  'a\u0000b',
  '\u0000'.repeat(300),
  '\u0001\u0002\u001b[31mred\u001b[0m\u007f',
  '\u2028\u2029',
  '\ufffe\uffff\ufffd',
  '\u{10ffff}\u{e0001}',
  `e${'\u0301'.repeat(1999)}`,
  'Z\u0335\u0321\u0322\u0327\u0328\u0334\u0336\u0337\u0338'.repeat(150),
  'x'.repeat(200),
  'x'.repeat(201),
  'x'.repeat(2000),
  'x'.repeat(2001),
  'x'.repeat(4001),
  "' OR 1=1 --",
  "'; DROP TABLE conversations; --",
  'Robert"); DELETE FROM feedback; --',
  '\u0024{7*7}', // a template-literal probe, spelt so that it is not one here
  '{{7*7}}',
  '<script>alert(1)</script>',
  ']]><!--',
  '../../etc/passwd',
  '..\\..\\windows\\win.ini',
  '%00',
  '%E0%A4%A',
  '%s%n%x%d',
  '\r\nX-Injected: yes',
  '\\u0000',
  '\\',
  '"',
  '__proto__',
  'constructor',
  'toString',
  '\u0130\u0131\u017f\u00df\u1e9e\u01c5',
  '\u{1D573}\u{1D58A}\u{1D591}',
  '\u0085\u008d\u009f',
  'a\u0308o\u0308u\u0308',
  '-1',
  'NaN',
  'null',
  'undefined',
  '[]',
];

/** Invalid UTF-8: lone bytes, overlong forms, encoded surrogates, beyond U+10FFFF, cut sequences, cp1251. */
const BAD_UTF8: readonly (readonly number[])[] = [
  [0xff],
  [0xfe, 0xff],
  [0xc3, 0x28],
  [0xc0, 0xaf],
  [0xe0, 0x80, 0xaf],
  [0xed, 0xa0, 0x80],
  [0xed, 0xbf, 0xbf],
  [0xf4, 0x90, 0x80, 0x80],
  [0xf8, 0x88, 0x80, 0x80, 0x80],
  [0x80],
  [0xe2, 0x82],
  [0xf0, 0x9f, 0x98],
  [0xcf, 0xf0, 0xe8, 0xe2, 0xe5, 0xf2],
];

const deepArray = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
const deepObject = (depth: number, key = 'a') => `${`{"${key}":`.repeat(depth)}1${'}'.repeat(depth)}`;

/** Whole bodies nested 5 000 levels and more (the deepest still under the 64 KB limit). */
const DEEP_BODIES: readonly string[] = [
  deepArray(5_000),
  deepArray(20_000),
  deepArray(32_000),
  deepObject(5_000),
  deepObject(10_000),
  deepObject(4_000, '__proto__'),
  '['.repeat(30_000),
  `{"a":${'['.repeat(6_000)}`,
  `${'[{"a":'.repeat(5_000)}1${'}]'.repeat(5_000)}`,
];

/** Over every JSON route's limit but the 4 MB of a document import: nested a million levels deep. */
const DEEP_HUGE_BODIES: readonly string[] = [deepArray(1_000_000), `{"a":${deepObject(200_000)}}`];

/** Content types a route may take as the document itself (the knowledge import; see knowledge.schemas.ts). */
const RAW_TEXT_TYPES: readonly string[] = [
  'text/plain',
  'text/markdown',
  'text/x-markdown',
  'application/x-ndjson',
  'application/jsonl',
  'application/x-jsonlines',
];

const qaLine = (question: string, answer: string) => JSON.stringify({ question, answer });

/** Hostile documents: odd text, odd Markdown, odd Q&A lines, invalid bytes, nesting, size. */
const RAW_DOCUMENTS: readonly (string | Buffer)[] = [
  ...ODD_STRINGS,
  HUGE_TEXT,
  `${'\u0416'.repeat(1_100_000)}`,
  '#'.repeat(10_000),
  Array.from({ length: 3_000 }, (_, index) => `${'#'.repeat(1 + (index % 6))} h${index}`).join('\n'),
  '```\nunclosed fence\n# not a heading',
  '---\ntitle: only front matter\n---',
  '---\nunclosed: front matter',
  '\r\r\r\n\n\r',
  'Heading\n=======\n\nText\n---\n- - -\n* * *',
  `${'word '.repeat(15_000)}`,
  `${'x'.repeat(60_000)}`,
  `${qaLine('q', 'a')}\n`.repeat(2_000),
  `${qaLine('q', 'a')}\n{bad line\n${qaLine('q2', 'a2')}`,
  '{bad}\n'.repeat(10_000),
  `{"question":${deepArray(100_000)},"answer":"a"}`,
  deepArray(500_000),
  `{"q":"no","a":"names"}\n{"question":1,"answer":null}\n["array"]\nnull`,
  `${qaLine('\ud800', '\u0000')}\n${qaLine('\u202e', '\u{1F600}'.repeat(3_000))}`,
  Buffer.concat([
    Buffer.from('# Title\n\n'),
    Buffer.from([0xff, 0xfe, 0xc0, 0xaf, 0xed, 0xa0, 0x80]),
    Buffer.from('\ntext'),
  ]),
  Buffer.concat([Buffer.from('{"question":"'), Buffer.from([0xc3, 0x28]), Buffer.from('","answer":"a"}')]),
  Buffer.from('# \u0417\u0430\u0433\u043e\u043b\u043e\u0432\u043e\u043a', 'utf16le'),
];

/** Texts that are not JSON, or JSON that is not an object. */
const INVALID_JSON: readonly string[] = [
  '',
  ' ',
  '{',
  '}',
  '{"a":}',
  "{'a':1}",
  '{"a":1,}',
  '[1,]',
  '{a:1}',
  'NaN',
  'Infinity',
  'undefined',
  '{"a":NaN}',
  '// comment\n{}',
  '/* c */{}',
  '{"a":"\\x41"}',
  '{"a":"\\u12"}',
  '{"a":"\t"}',
  '{"a":1}{"b":2}',
  '{"a":"unterminated',
  '"\\ud800"',
  '0x10',
  '01',
  '--1',
  '\u0000',
  'null',
  'true',
  '0',
  '"just a string"',
  '[]',
  '[{}]',
  TEN_TO_THE_300,
  '{"__proto__":{"polluted":true}}',
  '{"constructor":{"prototype":{"polluted":true}}}',
];

/** Strange ids for path parameters, as they go on the request line. */
const STRANGE_IDS: readonly string[] = [
  '../../etc/passwd',
  '..%2F..%2Fetc%2Fpasswd',
  '..%252F..%252Fetc%252Fpasswd',
  '%2e%2e%2f%2e%2e%2fetc%2fpasswd',
  '..\\..\\windows\\win.ini',
  '%00',
  'abc%00def',
  '%2500',
  pct("' OR 1=1 --"),
  "'%20OR%20'1'='1",
  pct('1; DROP TABLE conversations; --'),
  pct('" OR ""="'),
  'x'.repeat(200),
  'x'.repeat(201),
  'y'.repeat(8_000),
  'z'.repeat(20_000),
  '%E0%A4%A',
  '%',
  '%%',
  '%ZZ',
  '%C0%AF',
  '%ED%A0%80',
  '%FF%FE',
  '%F4%90%80%80',
  pct('\u202e\u200fid'),
  pct('\u{1F468}\u200d\u{1F469}\u200d\u{1F467}'),
  pct('\u0000'),
  latin1([0xff, 0xfe]),
  latin1([0x63, 0x61, 0x66, 0xe9]),
  '.',
  '..',
  '%2e',
  '%2e%2e',
  '%20',
  '+',
  '-1',
  '0',
  '1e300',
  TEN_TO_THE_300,
  'NaN',
  'null',
  'undefined',
  '[]',
  '{}',
  '__proto__',
  'constructor',
  'prototype',
  'hasOwnProperty',
  '%7B%7B7*7%7D%7D',
  '$%7B7*7%7D',
  '<script>alert(1)</script>',
  ';',
  '*',
  '~',
  '%23',
  'id#fragment',
  'id?x=1',
  'a%2Fb',
  '%5C',
];

/** Query-parameter values, as they go on the request line. */
const QUERY_VALUES: readonly string[] = [
  '',
  '0',
  '-1',
  '1.5',
  '-0',
  '0x10',
  '1e2',
  '1e300',
  TEN_TO_THE_300,
  '9'.repeat(400),
  '-1e300',
  'Infinity',
  '-Infinity',
  'NaN',
  '%201',
  '1%20',
  '+1',
  '1%00',
  '%00',
  'true',
  'null',
  'undefined',
  '[]',
  '{}',
  '%5B1%5D',
  '%E0%A4%A',
  '%',
  '%%',
  '%ZZ',
  '%FF%FE',
  '%C0%AF',
  '%ED%A0%80',
  '%F4%90%80%80',
  latin1([0xff, 0xfe]),
  pct('\u202e\u200f'),
  pct('\u200d\u{1F469}\u200d'),
  pct('\u{1F600}'.repeat(50)),
  pct("' OR 1=1 --"),
  pct('../../etc/passwd'),
  'a'.repeat(10_000),
  'b'.repeat(70 * 1024),
  pct('\u0416'.repeat(2001)),
  'active',
  'review',
  'promotion',
  'jsonl',
  'qa_jsonl',
  'ACTIVE',
  'JSONL',
];

/** Odd shapes of one query parameter: repeated, arrays, objects, missing values, odd names. */
function queryShapes(name: string): string[] {
  return [
    `${name}=1&${name}=2`,
    `${name}=1&${name}=1&${name}=abc`,
    `${name}[]=1&${name}[]=2`,
    `${name}[0]=1`,
    `${name}[a]=b`,
    `${name}[a][b][c]=d`,
    name,
    `${name}=`,
    `${name}=&${name}=`,
    `=${name}`,
    `&&${name}=1&&`,
    `${name}=1;${name}=2`,
    `${name.toUpperCase()}=1`,
    `${name}%00=1`,
    `${pct(name)}=1`,
    `${name}%5B%5D=1`,
    `__proto__[${name}]=1`,
    `constructor[prototype][${name}]=1`,
    `__proto__=1&${name}=1`,
    `${name}=1#fragment`,
    `${name}=1?${name}=2`,
    `${name}=${'&'.repeat(500)}`,
    Array.from({ length: 300 }, () => `${name}=1`).join('&'),
  ];
}

/** Query strings that are odd whatever the route. */
const JUNK_QUERIES: readonly string[] = [
  '',
  '?',
  '&',
  '=',
  '==&==',
  '%E0%A4%A',
  '%',
  'a=%E0%A4%A&b=%',
  '__proto__=x',
  'constructor=x&hasOwnProperty=y&toString=z',
  'a[b][c][d][e][f]=1',
  'x=1&'.repeat(2_000),
  'k'.repeat(20_000),
  `${latin1([0xc3, 0x28])}=1`,
  `q=${latin1([0xff])}`,
  'q=%00&k=%00&limit=%00',
  'limit=1e300&k=1e300&batch_size=1e300&days_back=1e300&min_rating=1e300',
  `limit=${TEN_TO_THE_300}&k=-${TEN_TO_THE_300}`,
  'status=active&status=review&origin=admin&origin=promotion',
  'format=jsonl&format=json',
];

type ContentTypedBody = readonly [contentType: string | null, body: Buffer];

/** Bodies under the wrong content type (or none), for a route that takes `validJson`. */
function wrongContentTypes(validJson: string): ContentTypedBody[] {
  const json = Buffer.from(validJson);
  const multipart = Buffer.from(
    '--fuzz\r\nContent-Disposition: form-data; name="message"\r\n\r\nhi\r\n--fuzz\r\n\u0000garbage\r\n--fu',
  );
  return [
    ['text/plain', json],
    ['text/plain; charset=utf-8', Buffer.from('just some text')],
    ['text/plain', Buffer.alloc(0)],
    ['multipart/form-data; boundary=fuzz', multipart],
    ['multipart/form-data', Buffer.from('--x\r\n\r\n')],
    ['application/x-www-form-urlencoded', Buffer.from('message=hi&rating=5&log_id=x&title=t&format=text')],
    ['application/x-www-form-urlencoded', Buffer.from('%E0%A4%A=&&=&a[b]=c')],
    [null, json],
    [null, Buffer.from('garbage without a content type')],
    ['application/json; charset=utf-16le', Buffer.from(validJson, 'utf16le')],
    ['application/json; charset=latin1', Buffer.from(validJson, 'latin1')],
    ['APPLICATION/JSON', json],
    ['application/json;;;', json],
    ['application/json, text/plain', json],
    ['', json],
    ['application/jsonx', json],
    ['application/vnd.api+json', json],
    [`application/json; charset="${latin1([0xff, 0xfe])}"`, json],
    ['application/xml', Buffer.from('<?xml version="1.0"?><a>&lt;</a>')],
    ['application/octet-stream', Buffer.from(Array.from({ length: 256 }, (_, byte) => byte))],
    ['text/markdown', json],
    ['application/x-ndjson', json],
    ['*/*', json],
    ['application/json', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), json])],
    ['application/json', Buffer.from(`${validJson}${' '.repeat(BODY_WHITESPACE)}`)],
  ];
}

/** Whitespace that pushes a valid body past the 64 KB limit. */
const BODY_WHITESPACE = 66 * 1024;

/** Odd headers sent with an otherwise valid request. */
const ODD_HEADERS: readonly Record<string, string>[] = [
  { authorization: `Bearer ${'k'.repeat(8_000)}` },
  { authorization: `Bearer ${latin1([0xff, 0xfe, 0x80])}` },
  { authorization: 'Basic Og==' },
  { authorization: 'Bearer' },
  { 'x-request-id': '../../etc/passwd' },
  { 'x-request-id': 'a'.repeat(129) },
  { 'x-request-id': latin1([0xc3, 0x28, 0xff]) },
  { 'x-request-id': "' OR 1=1 --" },
  { accept: 'application/xml' },
  { accept: 'text/event-stream' },
  { accept: '*/*;q=abc, text/html;q=-1' },
  { 'accept-encoding': 'gzip;q=2, br;q=-1, *;q=NaN' },
  { 'accept-language': `${'x'.repeat(5_000)}` },
  { origin: 'null' },
  { origin: 'http://evil.example' },
  { 'content-encoding': 'gzip' },
  { 'content-encoding': 'br, identity, x-fuzz' },
  { 'x-forwarded-for': '8.8.8.8', forwarded: 'for=8.8.8.8', 'x-real-ip': '8.8.8.8' },
  { host: 'evil.example' },
  { host: latin1([0xff, 0x2e, 0x65]) },
  { expect: 'fuzz-expectation' },
  { cookie: 'a'.repeat(10_000) },
  { range: 'bytes=0-1,-1' },
  { 'if-none-match': '*', 'if-modified-since': 'not a date' },
  Object.fromEntries(Array.from({ length: 100 }, (_, index) => [`x-fuzz-${index}`, String(index)])),
];

/** Every method a route may be called with; the ones it does not take are sent too. */
const METHODS: readonly string[] = [
  'GET',
  'HEAD',
  'POST',
  'PUT',
  'PATCH',
  'DELETE',
  'OPTIONS',
  'TRACE',
  'PROPFIND',
  'SEARCH',
  'LOCK',
  'MKCOL',
  'PURGE',
  'COPY',
  'FUZZ',
];

// ---------------------------------------------------------------------------------------------------------
// The service's operations, from its OpenAPI document.

interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  enum?: unknown[];
  minimum?: number;
  items?: JsonSchema;
}

interface Operation {
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
const HIDDEN_OPERATIONS: readonly { method: string; template: string; probe: string }[] = [
  { method: 'GET', template: '/openapi.json', probe: '/openapi.json' },
  { method: 'GET', template: '/docs', probe: '/docs' },
  { method: 'GET', template: '/docs/json', probe: '/docs/json' },
  { method: 'GET', template: '/docs/yaml', probe: '/docs/yaml' },
  { method: 'GET', template: '/docs/static/{file}', probe: '/docs/static/swagger-initializer.js' },
];

function operationsOf(document: any): Operation[] {
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

const endpointOf = (operation: Pick<Operation, 'method' | 'template'>) =>
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

interface FuzzCase {
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

type Outcome =
  | { kind: 'response'; status: number; contentType: string; allow?: string; body: string; ms: number }
  | { kind: 'no-response'; error: string; ms: number }
  | { kind: 'refused'; error: string; ms: number };

/** The cases for every operation, every path with the methods it does not take, and malformed HTTP. */
function generateCases(operations: readonly Operation[], rng: Rng): FuzzCase[] {
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
  const json = 'Host: fuzz\r\nContent-Type: application/json\r\nConnection: close\r\n';
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

async function runAll(
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
const STACK_TRACE = /^ {4}at |\bat .+\.(?:[cm]?js|ts):\d+:\d+/m;
const NODE_ERROR = /Error:/;

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
// Data written before the fuzzing.

const SEEDED_QUESTIONS = [
  'Сколько подъездов убирает одна бригада за день?',
  'Как часто моют полы в подъездах Северного района?',
  'Кто отвечает за уборку в Ленинском районе?',
  'Какой график работы у офиса ВасДом?',
] as const;

interface Seeded {
  logIds: string[];
  curatedId: string;
  documentId: string;
}

async function waitForLearningToSettle(api: Api): Promise<void> {
  await eventually(async () => {
    const status = await api.request('GET', '/api/voice/self-learning/status');
    const job = status.body.learning_job as { running: boolean; pending: boolean };
    return status.status === 200 && !job.running && !job.pending;
  });
}

async function writeSeedData(api: Api): Promise<Seeded> {
  const answers = [];
  answers.push(await api.ask(SEEDED_QUESTIONS[0], 'fuzz-seed-session'));
  answers.push(await api.ask(SEEDED_QUESTIONS[1], 'fuzz-seed-session'));
  answers.push(await api.ask(SEEDED_QUESTIONS[2]));
  answers.push(await api.ask(SEEDED_QUESTIONS[3], 'fuzz-seed-other'));
  const [first, second, third] = answers as [(typeof answers)[0], (typeof answers)[0], (typeof answers)[0]];
  await api.rate(first.log_id, 5, 'Отличный ответ');
  await api.rate(second.log_id, 4);
  await api.rate(third.log_id, 3);
  await api.rate(third.log_id, 1, 'Неверно, это другой район');
  const curated = await api.request('POST', '/api/learning/annotations', {
    question: 'Можно ли заказать генеральную уборку чердака после ремонта?',
    alternatives: ['Убираете ли вы чердаки после ремонта?'],
    answer: 'Да, генеральную уборку чердака после ремонта делаем по отдельной заявке.',
  });
  expect(curated.status, JSON.stringify(curated.body)).toBe(201);
  const document = await api.request('POST', '/api/knowledge/documents', {
    title: 'Регламент приёмки работ',
    format: 'markdown',
    content:
      '# Приёмка\n\nСтарший бригадир принимает работу в тот же день.\n\n## Жалобы\n\nЖалобы разбираются за сутки.',
  });
  expect(document.status, JSON.stringify(document.body)).toBe(201);
  await waitForLearningToSettle(api);
  return {
    logIds: answers.map((answer) => answer.log_id),
    curatedId: curated.body.id,
    documentId: document.body.id,
  };
}

/** What the API says about the seeded data. */
async function readThroughApi(api: Api, seeded: Seeded) {
  const get = async (url: string) => {
    const response = await api.request('GET', url);
    expect(response.status, `${url}: ${JSON.stringify(response.body)}`).toBe(200);
    return response.body;
  };
  const ids = new Set(seeded.logIds);
  const exported = await get('/api/learning/export?min_rating=1&limit=1000000');
  const curatedList = await get('/api/learning/annotations?origin=admin');
  const similar: Record<string, unknown> = {};
  for (const logId of seeded.logIds) {
    similar[`learning ${logId}`] = await get(`/api/learning/similar/${logId}?limit=50`);
    similar[`voice ${logId}`] = await get(`/api/voice/similar/${logId}?limit=50`);
  }
  return {
    exported: (exported.data as { metadata: { log_id: string } }[])
      .filter((item) => ids.has(item.metadata.log_id))
      .sort((left, right) => left.metadata.log_id.localeCompare(right.metadata.log_id)),
    similar,
    curated: await get(`/api/learning/annotations/${seeded.curatedId}`),
    curatedListed: (curatedList as { id: string }[]).filter((item) => item.id === seeded.curatedId),
    document: await get(`/api/knowledge/documents/${seeded.documentId}`),
  };
}

/** The same rows, read straight from the SQLite file over a connection of our own. */
/** The rows behind the seeded data, read with the service's own connection (SQLite or PostgreSQL). */
async function readDatabase(db: Kysely<DatabaseSchema>, seeded: Seeded) {
  return {
    conversations: await db
      .selectFrom('conversations')
      .selectAll()
      .where('id', 'in', seeded.logIds)
      .orderBy('id')
      .execute(),
    feedback: await db
      .selectFrom('feedback')
      .selectAll()
      .where('conversation_id', 'in', seeded.logIds)
      .orderBy('id')
      .execute(),
    embeddings: await db
      .selectFrom('embeddings')
      .selectAll()
      .where('owner_id', 'in', seeded.logIds)
      .orderBy('owner_id')
      .orderBy('embedder')
      .execute(),
    curated: await db.selectFrom('curated_answers').selectAll().where('id', '=', seeded.curatedId).execute(),
    document: await db
      .selectFrom('knowledge_documents')
      .selectAll()
      .where('id', '=', seeded.documentId)
      .execute(),
    chunks: await db
      .selectFrom('knowledge_chunks')
      .selectAll()
      .where('document_id', '=', seeded.documentId)
      .orderBy('position')
      .execute(),
  };
}

// ---------------------------------------------------------------------------------------------------------

type Result = { fuzz: FuzzCase; outcome: Outcome };

/** Every offender: the request as it went out and what came back. */
function report(list: readonly Result[]): string {
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
function summary(results: readonly Result[], seconds: number, cases: readonly FuzzCase[]) {
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

describe('hostile input', () => {
  let service: TestService;
  let api: Api;
  let seeded: Seeded;
  let apiBefore: Awaited<ReturnType<typeof readThroughApi>>;
  let databaseBefore: Awaited<ReturnType<typeof readDatabase>>;
  let operations: Operation[];
  let results: Result[];
  let perEndpoint: ReturnType<typeof summary>['perEndpoint'];

  // Data first, then the discovery of the endpoints and the fuzzing; the tests below judge the answers.
  beforeAll(async () => {
    service = await startTestService();
    api = new Api(service);
    // Admin routes are reachable from here (else the handlers would never see the input).
    expect((await api.request('GET', '/api/learning/annotations')).status).toBe(200);
    for (const hidden of HIDDEN_OPERATIONS) {
      expect((await api.request('GET', hidden.probe)).status, hidden.probe).toBe(200);
    }

    seeded = await writeSeedData(api);
    apiBefore = await readThroughApi(api, seeded);
    databaseBefore = await readDatabase(service.services.database.db, seeded);
    expect(databaseBefore.conversations).toHaveLength(SEEDED_QUESTIONS.length);
    expect(databaseBefore.feedback).toHaveLength(4);
    expect(databaseBefore.curated).toHaveLength(1);
    expect(apiBefore.exported).toHaveLength(3);

    const openapi = await api.request('GET', '/openapi.json');
    expect(openapi.status).toBe(200);
    operations = operationsOf(openapi.body);

    const rng = new Rng(SEED);
    const cases = rng.shuffle(generateCases(operations, rng));
    const started = performance.now();
    results = await runAll(Number(new URL(service.baseUrl).port), cases);
    const outcome = summary(results, (performance.now() - started) / 1000, cases);
    perEndpoint = outcome.perEndpoint;
    console.info(outcome.text);
  }, 120_000);

  afterAll(async () => {
    await service?.close();
  });

  it(`sends ${MIN_TOTAL_REQUESTS}+ requests that reach every endpoint of /openapi.json, and answers each`, () => {
    expect(operations.filter((operation) => !operation.hidden).length).toBeGreaterThanOrEqual(30);
    expect(results.length).toBeGreaterThanOrEqual(MIN_TOTAL_REQUESTS);
    const refused = results.filter(({ outcome }) => outcome.kind === 'refused');
    expect(refused.length, `requests node:http would not send (fix the generator):\n${report(refused)}`).toBe(
      0,
    );
    // An upload over the route's limit may be cut off by the server's 413 (the connection closes), and
    // some malformed HTTP may just be hung up on; every other request must be answered.
    const unanswered = results.filter(
      ({ fuzz, outcome }) =>
        outcome.kind === 'no-response' &&
        !(fuzz.raw !== undefined && !fuzz.raw.mustAnswer) &&
        !(fuzz.mayBeCut && ['ECONNRESET', 'EPIPE'].includes(outcome.error)),
    );
    expect(unanswered.length, `requests never answered:\n${report(unanswered)}`).toBe(0);
    // Every documented operation was reached: some input got past routing into validation or the handler.
    const unreached = operations
      .filter((operation) => !operation.hidden)
      .map(endpointOf)
      .filter((endpoint) => {
        const statuses = [...(perEndpoint.get(endpoint)?.statuses.keys() ?? [])];
        return !statuses.some(
          (status) => typeof status === 'number' && ((status >= 200 && status < 300) || status === 422),
        );
      });
    expect(unreached, 'endpoints whose handler or validation no request reached').toEqual([]);
  });

  it('never answers with a 5xx', () => {
    const serverErrors = results.filter(
      ({ outcome }) => outcome.kind === 'response' && outcome.status >= 500,
    );
    // Counts, with every offender listed in the message (a diff of thousands of cases would not fit in memory).
    expect(serverErrors.length, `answers ≥ 500:\n${report(serverErrors)}`).toBe(0);
  });

  it('never shows a stack trace or a Node error message', () => {
    const leaks = results.filter(
      ({ outcome }) =>
        outcome.kind === 'response' && (STACK_TRACE.test(outcome.body) || NODE_ERROR.test(outcome.body)),
    );
    expect(leaks.length, `answers with a stack trace or an "Error:" message:\n${report(leaks)}`).toBe(0);
  });

  it('lets the admin input through to the handlers (no 401 or 403 from the access hook)', () => {
    // The static files of Swagger UI answer 403 themselves for paths such as /docs/static/.. .
    const hiddenEndpoints = new Set(operations.filter((item) => item.hidden).map(endpointOf));
    const locked = results.filter(
      ({ fuzz, outcome }) =>
        outcome.kind === 'response' &&
        (outcome.status === 401 || (outcome.status === 403 && !hiddenEndpoints.has(fuzz.endpoint))),
    );
    expect(locked.length, `admin access refused, handlers not reached:\n${report(locked)}`).toBe(0);
  });

  it('answers a method a path does not take with 405 and Allow, whatever the body', () => {
    // Not 413, 415 or 422 for a body nobody reads. HEAD where GET is declared is served as GET, OPTIONS is
    // the CORS preflight, and FUZZ is no HTTP method at all (400 from the HTTP parser).
    const declared = new Map<string, Set<string>>();
    for (const operation of operations) {
      declared.set(
        operation.template,
        new Set([...(declared.get(operation.template) ?? []), operation.method]),
      );
    }
    const misrouted = results.filter(({ fuzz, outcome }) => {
      if (fuzz.family !== 'wrong-method' || outcome.kind !== 'response') return false;
      const template = fuzz.endpoint.slice('* '.length);
      if (fuzz.method === 'HEAD' && declared.get(template)?.has('GET')) return outcome.status === 405;
      if (fuzz.method === 'OPTIONS') return outcome.status >= 500;
      if (fuzz.method === 'FUZZ') return outcome.status !== 400;
      return outcome.status !== 405 || !outcome.allow;
    });
    expect(misrouted.length, `wrong methods not answered 405 with Allow:\n${report(misrouted)}`).toBe(0);
  });

  it('stays healthy and keeps what was written before, through the API and in the database', async () => {
    const health = await api.request('GET', '/api/health');
    expect(health.status, JSON.stringify(health.body)).toBe(200);
    await waitForLearningToSettle(api);
    expect(await readThroughApi(api, seeded)).toEqual(apiBefore);
    expect(await readDatabase(service.services.database.db, seeded)).toEqual(databaseBefore);
    const after = await api.ask('Сколько домов обслуживает компания?');
    expect(after.response.length).toBeGreaterThan(0);
  });
});
