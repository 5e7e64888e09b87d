/**
 * Hostile input, the values: wrong types, odd and invalid text, deep nesting, hostile documents, strange ids,
 * odd query strings, wrong content types, odd headers and methods. Fixed lists, no randomness: the seeded
 * PRNG in hostile-input-cases.ts picks from them, so their order is part of every generated request.
 */

// Building blocks.

/** Bytes as a string of the same code units: node:http writes the request line and headers as latin1. */
export const latin1 = (bytes: readonly number[]) => Buffer.from(bytes).toString('latin1');

/** Percent-encodes the UTF-8 bytes of a text (lone surrogates become U+FFFD, as any client would send). */
export function pct(text: string): string {
  let encoded = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const char = String.fromCharCode(byte);
    encoded += /[A-Za-z0-9._~-]/.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return encoded;
}

export const TEN_TO_THE_300 = `1${'0'.repeat(300)}`;
/** 72 KB of UTF-8 (36 864 code points): over the 64 KB body limit on its own. */
export const HUGE_TEXT = '\u0416'.repeat(36 * 1024);
export const HUGE_ASCII = 'A'.repeat(70 * 1024);

/** JSON texts of the wrong type (or an absurd value) for any field. */
export const WRONG_TYPES: readonly string[] = [
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
export const ODD_STRINGS: readonly string[] = [
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
export const BAD_UTF8: readonly (readonly number[])[] = [
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

export const deepArray = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
export const deepObject = (depth: number, key = 'a') => `${`{"${key}":`.repeat(depth)}1${'}'.repeat(depth)}`;

/** Whole bodies nested 5 000 levels and more (the deepest still under the 64 KB limit). */
export const DEEP_BODIES: readonly string[] = [
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
export const DEEP_HUGE_BODIES: readonly string[] = [deepArray(1_000_000), `{"a":${deepObject(200_000)}}`];

/** Content types a route may take as the document itself (the knowledge import; see knowledge.schemas.ts). */
export const RAW_TEXT_TYPES: readonly string[] = [
  'text/plain',
  'text/markdown',
  'text/x-markdown',
  'application/x-ndjson',
  'application/jsonl',
  'application/x-jsonlines',
];

const qaLine = (question: string, answer: string) => JSON.stringify({ question, answer });

/** Hostile documents: odd text, odd Markdown, odd Q&A lines, invalid bytes, nesting, size. */
export const RAW_DOCUMENTS: readonly (string | Buffer)[] = [
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
export const INVALID_JSON: readonly string[] = [
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
export const STRANGE_IDS: readonly string[] = [
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
export const QUERY_VALUES: readonly string[] = [
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
export function queryShapes(name: string): string[] {
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
export const JUNK_QUERIES: readonly string[] = [
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

export type ContentTypedBody = readonly [contentType: string | null, body: Buffer];

/** Bodies under the wrong content type (or none), for a route that takes `validJson`. */
export function wrongContentTypes(validJson: string): ContentTypedBody[] {
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
export const ODD_HEADERS: readonly Record<string, string>[] = [
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
export const METHODS: readonly string[] = [
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
