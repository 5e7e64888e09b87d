import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig, redactedDatabaseUrl } from './config.schema.js';

function problemsOf(environment: Record<string, string>): string[] {
  try {
    parseConfig(environment);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('parseConfig', () => {
  it('has embedded defaults: port 8001, SQLite under ./data, no LLM', () => {
    const config = parseConfig({});
    expect(config.http).toEqual({
      host: '0.0.0.0',
      port: 8001,
      corsOrigins: [],
      rateLimitPerMinute: 120,
      trustProxy: [],
    });
    expect(config.database).toEqual({
      kind: 'sqlite',
      file: path.resolve('data', 'vasdom.sqlite'),
      synchronous: 'NORMAL',
      allowNew: false,
    });
    expect(config.llm).toBeUndefined();
    expect(config.learning.minRatingThreshold).toBe(4);
    expect(config.learning.retrainingThreshold).toBe(3.5);
    expect(Object.isFrozen(config.http)).toBe(true);
  });

  it('names every invalid variable and what it expects', () => {
    const problems = problemsOf({
      PORT: 'abc',
      MIN_RATING_THRESHOLD: '9',
      SIMILARITY_THRESHOLD: 'x',
      USE_LOCAL_MODEL: 'maybe',
    });
    expect(problems).toHaveLength(4);
    expect(problems.find((problem) => problem.startsWith('PORT:'))).toMatch(/integer between 0 and 65535/);
    expect(problems.find((problem) => problem.startsWith('MIN_RATING_THRESHOLD:'))).toMatch(
      /between 1 and 5/,
    );
    expect(problems.find((problem) => problem.startsWith('SIMILARITY_THRESHOLD:'))).toMatch(/number/);
    expect(problems.find((problem) => problem.startsWith('USE_LOCAL_MODEL:'))).toMatch(/true or false/);
  });

  it('puts a rotated log file under DATA_DIR unless told otherwise, and checks its size and age', () => {
    expect(parseConfig({ DATA_DIR: '/srv/vasdom' }).log).toEqual({
      level: 'info',
      format: 'pretty',
      file: { path: '/srv/vasdom/logs/vasdom.log', maxSize: '10M', maxAgeDays: 7 },
      messageText: false,
      probes: false,
      bufferBytes: 4 * 1024 * 1024,
    });
    expect(parseConfig({ LOG_BUFFER_SIZE: '64K', LOG_PROBES: 'true' }).log).toMatchObject({
      bufferBytes: 64 * 1024,
      probes: true,
    });
    expect(parseConfig({ LOG_FILE: 'off', NODE_ENV: 'production' }).log).toMatchObject({
      format: 'json',
      file: undefined,
    });
    const problems = problemsOf({
      LOG_FILE_MAX_SIZE: '10 MB',
      LOG_BUFFER_SIZE: '512B',
      LOG_FILE_MAX_AGE_DAYS: '0',
    });
    expect(problems).toEqual([
      expect.stringMatching(/^LOG_FILE_MAX_SIZE: expected a size such as 10M/),
      'LOG_BUFFER_SIZE: expected a size from 1K to 1G',
      expect.stringMatching(/^LOG_FILE_MAX_AGE_DAYS: expected an integer between 1 and 3650/),
    ]);
  });

  it('reads API keys, refuses short ones, and a required user key with no key to give', () => {
    expect(parseConfig({ ADMIN_API_KEYS: ' a-long-admin-key-0001 , a-long-admin-key-0002' }).access).toEqual({
      adminKeys: ['a-long-admin-key-0001', 'a-long-admin-key-0002'],
      userKeys: [],
      requireUserKey: false,
      serviceHostnames: [],
    });
    expect(problemsOf({ USER_API_KEYS: 'short' })).toEqual([
      'USER_API_KEYS: entry 1 is too short (expected comma-separated keys of at least 16 characters)',
    ]);
    expect(problemsOf({ REQUIRE_USER_KEY: 'true' })).toEqual([
      expect.stringMatching(/^REQUIRE_USER_KEY: expected USER_API_KEYS or ADMIN_API_KEYS/),
    ]);
  });

  it('refuses a key list with an empty entry or a key no header can carry, and never echoes a key', () => {
    for (const name of ['ADMIN_API_KEYS', 'USER_API_KEYS']) {
      for (const value of [
        ',',
        ' , ,',
        'a-long-admin-key-0001,,a-long-admin-key-0002',
        'a-long-admin-key-0001,',
        ',a-long-admin-key-0001',
        'a-long-admin key-0001',
        'a-long-admin-ключ-0001',
      ]) {
        const problems = problemsOf({ [name]: value });
        expect(problems, `${name}=${value}`).toEqual([expect.stringMatching(new RegExp(`^${name}: `))]);
        expect(problems[0]).not.toContain('admin-key-0001');
      }
      // Unset or empty: no keys.
      expect(parseConfig({ [name]: '' }).access).toMatchObject({ adminKeys: [], userKeys: [] });
      expect(parseConfig({ [name]: '  ' }).access).toMatchObject({ adminKeys: [], userKeys: [] });
    }
    expect(problemsOf({ ADMIN_API_KEYS: 'a-long-admin-key-0001,,' })).toEqual([
      'ADMIN_API_KEYS: entries 2 and 3 are empty (expected comma-separated keys, none of them empty)',
    ]);
  });

  it('reads the trusted proxies of TRUST_PROXY: addresses and CIDR ranges, none by default', () => {
    expect(parseConfig({}).http.trustProxy).toEqual([]);
    expect(parseConfig({ TRUST_PROXY: '  ' }).http.trustProxy).toEqual([]);
    expect(
      parseConfig({ TRUST_PROXY: '127.0.0.1, 10.0.0.0/8,::1, fd00::/8, loopback, uniquelocal' }).http
        .trustProxy,
    ).toEqual(['127.0.0.1', '10.0.0.0/8', '::1', 'fd00::/8', 'loopback', 'uniquelocal']);
    for (const value of [
      'true',
      '*',
      '1',
      '2',
      'proxy.internal',
      '10.0.0.0/33',
      '0.0.0.0/0',
      '::1/129',
      '10.0.0.1,',
      '10.0.0.1/',
    ]) {
      expect(problemsOf({ TRUST_PROXY: value }), `TRUST_PROXY=${value}`).toEqual([
        expect.stringMatching(/^TRUST_PROXY: /),
      ]);
    }
    expect(problemsOf({ TRUST_PROXY: '2' })[0]).toMatch(/hop count/);
  });

  it('reads SERVICE_HOSTNAMES: host names or addresses, lower case, without scheme or port', () => {
    expect(
      parseConfig({ SERVICE_HOSTNAMES: 'VasDom.example.com, bot-1.internal,10.0.0.5, [2001:DB8::5]' }).access
        .serviceHostnames,
    ).toEqual(['vasdom.example.com', 'bot-1.internal', '10.0.0.5', '2001:db8::5']);
    for (const value of [
      'https://vasdom.example',
      'vasdom.example:8001',
      '*.example',
      'a b',
      'vasdom.example,',
    ]) {
      expect(problemsOf({ SERVICE_HOSTNAMES: value }), `SERVICE_HOSTNAMES=${value}`).toEqual([
        expect.stringMatching(/^SERVICE_HOSTNAMES: /),
      ]);
    }
  });

  it('accepts EMERGENT_LLM_KEY as the LLM key and prefers LLM_API_KEY', () => {
    expect(parseConfig({ EMERGENT_LLM_KEY: 'sk-old' }).llm?.apiKey).toBe('sk-old');
    expect(parseConfig({ EMERGENT_LLM_KEY: 'sk-old', LLM_API_KEY: 'sk-new' }).llm?.apiKey).toBe('sk-new');
    const local = parseConfig({ LLM_BASE_URL: 'http://127.0.0.1:11434/v1', LLM_MODEL: 'qwen2.5' }).llm;
    expect(local).toMatchObject({ baseUrl: 'http://127.0.0.1:11434/v1', model: 'qwen2.5' });
  });

  it('reads SQLite locations from DATABASE_URL and refuses what it cannot serve', () => {
    expect(parseConfig({ DATABASE_URL: 'sqlite:/tmp/x.db' }).database).toMatchObject({ file: '/tmp/x.db' });
    expect(
      parseConfig({ DATABASE_URL: 'sqlite:/tmp/x.db', SQLITE_ALLOW_NEW_DATABASE: 'true' }).database,
    ).toMatchObject({ file: '/tmp/x.db', allowNew: true });
    expect(problemsOf({ SQLITE_ALLOW_NEW_DATABASE: 'maybe' })[0]).toMatch(/^SQLITE_ALLOW_NEW_DATABASE:/);
    expect(problemsOf({ DATABASE_URL: 'mysql://localhost/x' })[0]).toMatch(/^DATABASE_URL:/);
    expect(problemsOf({ LLM_BASE_URL: 'not a url' })[0]).toMatch(/^LLM_BASE_URL:/);
  });

  it('reads PostgreSQL URLs from DATABASE_URL, with the pool size, and keeps their password out of messages', () => {
    const url = 'postgres://vasdom:s3cret-pass@db.internal:5433/vasdom?sslmode=require';
    expect(parseConfig({ DATABASE_URL: url, DATABASE_POOL_SIZE: '25' }).database).toEqual({
      kind: 'postgres',
      url,
      poolSize: 25,
    });
    expect(parseConfig({ DATABASE_URL: 'postgresql://localhost/vasdom' }).database).toMatchObject({
      kind: 'postgres',
      poolSize: 10,
    });
    expect(problemsOf({ DATABASE_URL: 'postgres://' })[0]).toMatch(/^DATABASE_URL: .*names no host/);
    expect(problemsOf({ DATABASE_URL: url, DATABASE_POOL_SIZE: '0' })[0]).toMatch(/^DATABASE_POOL_SIZE:/);
    expect(redactedDatabaseUrl(url)).toBe('postgres://vasdom:***@db.internal:5433/vasdom?sslmode=require');
    expect(redactedDatabaseUrl(url)).not.toContain('s3cret');
  });

  it('splits CORS_ORIGINS by commas', () => {
    expect(parseConfig({ CORS_ORIGINS: 'https://a.example, https://b.example,' }).http.corsOrigins).toEqual([
      'https://a.example',
      'https://b.example',
    ]);
  });

  it('chooses the embedder: built in by default, an OpenAI-compatible one on the LLM endpoint, a local model', () => {
    expect(parseConfig({}).retrieval.embedder).toEqual({ provider: 'local' });
    expect(
      parseConfig({ EMBEDDING_PROVIDER: 'openai', LLM_BASE_URL: 'http://127.0.0.1:11434/v1' }).retrieval
        .embedder,
    ).toEqual({
      provider: 'openai',
      baseUrl: 'http://127.0.0.1:11434/v1',
      apiKey: 'not-needed',
      model: 'text-embedding-3-small',
      dimensions: undefined,
      timeoutMs: 10_000,
    });
    expect(
      parseConfig({
        EMBEDDING_PROVIDER: 'openai',
        LLM_API_KEY: 'sk-llm',
        EMBEDDING_API_KEY: 'sk-embeddings',
        EMBEDDING_DIMENSIONS: '256',
      }).retrieval.embedder,
    ).toMatchObject({ apiKey: 'sk-embeddings', dimensions: 256 });
    // The prototype's switch for a local sentence-embedding model.
    expect(
      parseConfig({ USE_LOCAL_MODEL: 'true', LOCAL_MODEL_PATH: 'models/e5' }).retrieval.embedder,
    ).toEqual({
      provider: 'transformers',
      modelPath: path.resolve('models/e5'),
    });
  });

  it('says what an embedder lacks', () => {
    expect(problemsOf({ EMBEDDING_PROVIDER: 'openai' })[0]).toMatch(/^EMBEDDING_PROVIDER: openai needs/);
    expect(problemsOf({ EMBEDDING_PROVIDER: 'transformers' })[0]).toMatch(/^EMBEDDING_MODEL_PATH:/);
    expect(problemsOf({ EMBEDDING_PROVIDER: 'sentence-bert' })[0]).toMatch(
      /^EMBEDDING_PROVIDER: expected local/,
    );
    expect(problemsOf({ EMBEDDING_DIMENSIONS: '0' })[0]).toMatch(
      /^EMBEDDING_DIMENSIONS: expected an integer/,
    );
  });
});
