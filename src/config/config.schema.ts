import path from 'node:path';
import { z } from 'zod';
import { apiKeyList, serviceHostnames, trustedProxies } from './access-settings.js';
import { ConfigError } from './config-error.js';
import { type DatabaseConfig, databaseConfig } from './database-config.js';
import { bytesOf, type LogConfig, logConfig, size } from './log-config.js';

export { ConfigError } from './config-error.js';
export { type DatabaseConfig, redactedDatabaseUrl } from './database-config.js';
export type { LogConfig } from './log-config.js';

/** Environment variables are strings; these helpers turn them into typed values with clear messages. */
const optionalText = z
  .string()
  .trim()
  .transform((value) => (value === '' ? undefined : value))
  .optional();

const integer = (fallback: number, min: number, max: number) =>
  z.coerce
    .number({ error: `expected an integer between ${min} and ${max}` })
    .int(`expected an integer between ${min} and ${max}`)
    .min(min, `expected an integer between ${min} and ${max}`)
    .max(max, `expected an integer between ${min} and ${max}`)
    .default(fallback);

const decimal = (fallback: number, min: number, max: number) =>
  z.coerce
    .number({ error: `expected a number between ${min} and ${max}` })
    .min(min, `expected a number between ${min} and ${max}`)
    .max(max, `expected a number between ${min} and ${max}`)
    .default(fallback);

const flag = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off', ''], {
      error: 'expected true or false',
    })
    .default(fallback ? 'true' : 'false')
    .transform((value) => (value === '' ? fallback : ['true', '1', 'yes', 'on'].includes(value)));

const url = z
  .string()
  .trim()
  .transform((value) => (value === '' ? undefined : value))
  .pipe(z.url({ error: 'expected an http(s) URL' }).optional())
  .optional();

/** The raw environment as the service reads it. Names from the prototype keep working. */
export const environmentSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: integer(8001, 0, 65535),
  HOST: z.string().trim().min(1).default('0.0.0.0'),
  DATA_DIR: z.string().trim().min(1).default('./data'),
  DATABASE_URL: optionalText,
  SQLITE_SYNCHRONOUS: z.enum(['NORMAL', 'FULL'], { error: 'expected NORMAL or FULL' }).default('NORMAL'),
  SQLITE_ALLOW_NEW_DATABASE: flag(false),
  DATABASE_POOL_SIZE: integer(10, 1, 200),
  LEASE_TTL_MS: integer(15_000, 1000, 600_000),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      error: 'expected one of fatal, error, warn, info, debug, trace, silent',
    })
    .default('info'),
  LOG_FORMAT: z.enum(['pretty', 'json', ''], { error: 'expected pretty or json' }).default(''),
  LOG_FILE: optionalText,
  LOG_FILE_MAX_SIZE: size('10M'),
  LOG_BUFFER_SIZE: size('4M').refine(
    (value) => bytesOf(value) >= 1024 && bytesOf(value) <= 1024 ** 3,
    'expected a size from 1K to 1G',
  ),
  LOG_FILE_MAX_AGE_DAYS: integer(7, 1, 3650),
  LOG_MESSAGE_TEXT: flag(false),
  LOG_PROBES: flag(false),

  LLM_BASE_URL: url,
  LLM_API_KEY: optionalText,
  EMERGENT_LLM_KEY: optionalText,
  LLM_MODEL: z.string().trim().min(1).default('gpt-4o-mini'),
  LLM_TEMPERATURE: decimal(0.3, 0, 2),
  LLM_MAX_TOKENS: integer(600, 16, 32_000),
  LLM_TIMEOUT_MS: integer(20_000, 100, 600_000),
  LLM_DEADLINE_MS: integer(30_000, 100, 600_000),
  LLM_RETRIES: integer(2, 0, 10),
  LLM_RETRY_BASE_MS: integer(200, 1, 60_000),
  LLM_RETRY_MAX_MS: integer(2000, 1, 600_000),
  LLM_BREAKER_FAILURES: integer(5, 1, 1000),
  LLM_BREAKER_COOLDOWN_MS: integer(30_000, 100, 3_600_000),
  LLM_MAX_CONCURRENT: integer(8, 1, 1000),
  LLM_QUEUE_SIZE: integer(32, 0, 100_000),
  LLM_HISTORY_TURNS: integer(6, 0, 50),
  LLM_HISTORY_CHARS: integer(4000, 0, 100_000),
  PROMPT_TEMPLATE_PATH: optionalText,

  EMBEDDING_PROVIDER: z
    .enum(['local', 'openai', 'transformers', ''], { error: 'expected local, openai or transformers' })
    .default(''),
  EMBEDDING_MODEL: optionalText,
  EMBEDDING_BASE_URL: url,
  EMBEDDING_API_KEY: optionalText,
  EMBEDDING_DIMENSIONS: z
    .string()
    .trim()
    .transform((value) => (value === '' ? undefined : Number(value)))
    .pipe(
      z
        .number({ error: 'expected an integer from 1 to 8192' })
        .int('expected an integer from 1 to 8192')
        .min(1, 'expected an integer from 1 to 8192')
        .max(8192, 'expected an integer from 1 to 8192')
        .optional(),
    )
    .optional(),
  EMBEDDING_TIMEOUT_MS: integer(10_000, 100, 600_000),
  EMBEDDING_MODEL_PATH: optionalText,
  MIN_RATING_THRESHOLD: integer(4, 1, 5),
  RETRAINING_THRESHOLD: decimal(3.5, 1, 5),
  EXPORT_REDACT_PII: flag(false),
  CURATED_PROMOTION_MIN_SESSIONS: integer(3, 1, 1000),
  CURATED_DEMOTION_MIN_NEGATIVE: integer(2, 1, 1000),
  // The three thresholds are set from `npm run eval:retrieval` (EVALUATION.md) for the built-in embedder.
  SIMILARITY_THRESHOLD: decimal(0.15, 0.05, 1),
  ANNOTATION_REPLY_THRESHOLD: decimal(0.9, 0.05, 1),
  RETRIEVAL_REPLY_THRESHOLD: decimal(0.55, 0.05, 1),
  RETRIEVAL_TOP_K: integer(3, 1, 20),
  KNOWLEDGE_CHUNK_SIZE: integer(800, 200, 8000),
  EVALUATION_SCHEDULE_DAYS: integer(7, 1, 365),
  USE_LOCAL_MODEL: flag(false),
  LOCAL_MODEL_PATH: optionalText,

  COMPANY_PROFILE_PATH: optionalText,
  RATE_LIMIT_PER_MINUTE: integer(120, 0, 1_000_000),
  SHUTDOWN_TIMEOUT_MS: integer(10_000, 100, 600_000),
  CORS_ORIGINS: z.string().default(''),
  TRUST_PROXY: trustedProxies,
  SERVICE_HOSTNAMES: serviceHostnames,
  ADMIN_API_KEYS: apiKeyList,
  USER_API_KEYS: apiKeyList,
  REQUIRE_USER_KEY: flag(false),
});

export type Environment = z.input<typeof environmentSchema>;

export interface LlmConfig {
  baseUrl: string | undefined;
  apiKey: string;
  model: string;
  temperature: number;
  maxTokens: number;
  /** Each call to the provider. */
  timeoutMs: number;
  /** All calls for one question, retries included; then it is answered without the LLM. */
  deadlineMs: number;
  retry: { retries: number; baseDelayMs: number; maxDelayMs: number };
  breaker: { failureThreshold: number; cooldownMs: number };
  /** Calls to the provider at once, and questions that may wait for one (then 503). */
  concurrency: { maxConcurrent: number; maxQueued: number };
  /** The session's earlier turns given to the model: at most this many, and this many characters. */
  history: { turns: number; chars: number };
  /** The system prompt's template file; undefined: the built-in one. */
  promptTemplatePath: string | undefined;
}

export interface Config {
  env: 'development' | 'production' | 'test';
  http: {
    host: string;
    port: number;
    corsOrigins: string[];
    /** Chat, feedback and voice requests a client (API key or IP) may make a minute; 0: no limit. */
    rateLimitPerMinute: number;
    /**
     * Reverse proxies (addresses, CIDR ranges) whose X-Forwarded-For names the client; none: the client
     * is the address a request connects from.
     */
    trustProxy: string[];
  };
  access: {
    /** Keys granting admin access (ADMIN_API_KEYS); none: admin endpoints answer loopback requests only. */
    adminKeys: string[];
    userKeys: string[];
    /** Chat and feedback need a user (or admin) key. */
    requireUserKey: boolean;
    /**
     * Host names the service is reached under besides localhost and loopback addresses (SERVICE_HOSTNAMES):
     * without admin keys, admin routes answer only requests addressed to one of these or to loopback.
     */
    serviceHostnames: string[];
  };
  dataDir: string;
  database: DatabaseConfig;
  log: LogConfig;
  /** Undefined when no LLM is configured: the service then answers from what it has learned. */
  llm: LlmConfig | undefined;
  retrieval: {
    similarityThreshold: number;
    /** From this score on, a curated answer is served as it is, without the LLM. */
    annotationReplyThreshold: number;
    /** Without an LLM, from this score on the best match is served as the answer to a similar question. */
    retrievalReplyThreshold: number;
    topK: number;
    embedder: EmbedderConfig;
  };
  learning: {
    minRatingThreshold: number;
    retrainingThreshold: number;
    evaluationScheduleDays: number;
    /** An answer rated 5 in this many distinct sessions (and never 2 or lower) becomes a curated answer. */
    promotionMinSessions: number;
    /** This many ratings of 2 or lower (and at least a third of its ratings) send a curated answer to review. */
    demotionMinNegative: number;
    /** Exported training data has phone numbers and e-mail addresses replaced. */
    redactPii: boolean;
  };
  /** The most characters of one chunk of an imported Markdown or text document. */
  knowledge: { chunkSize: number };
  companyProfilePath: string | undefined;
  /** SIGTERM/SIGINT: how long requests in flight and background work may take to finish. */
  shutdownTimeoutMs: number;
  /** How long a replica's hold on background work lasts unless renewed (renewed every third of it). */
  leaseTtlMs: number;
}

/** EMBEDDING_PROVIDER and its settings. */
export type EmbedderConfig =
  | { provider: 'local' }
  | {
      provider: 'openai';
      baseUrl: string | undefined;
      apiKey: string;
      model: string;
      dimensions: number | undefined;
      timeoutMs: number;
    }
  | { provider: 'transformers'; modelPath: string };

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const nested of Object.values(value)) deepFreeze(nested);
    Object.freeze(value);
  }
  return value;
}

/**
 * The embedder to use: EMBEDDING_PROVIDER, or for the prototype's settings USE_LOCAL_MODEL (a local
 * sentence-embedding model at LOCAL_MODEL_PATH). An OpenAI-compatible one defaults to the LLM's endpoint.
 */
function embedderConfig(
  raw: z.output<typeof environmentSchema>,
  llmApiKey: string | undefined,
): EmbedderConfig {
  const provider = raw.EMBEDDING_PROVIDER || (raw.USE_LOCAL_MODEL ? 'transformers' : 'local');
  if (provider === 'openai') {
    const baseUrl = raw.EMBEDDING_BASE_URL ?? raw.LLM_BASE_URL;
    const apiKey = raw.EMBEDDING_API_KEY ?? llmApiKey;
    if (baseUrl === undefined && apiKey === undefined) {
      throw new ConfigError([
        'EMBEDDING_PROVIDER: openai needs EMBEDDING_BASE_URL or EMBEDDING_API_KEY (or LLM_BASE_URL or LLM_API_KEY)',
      ]);
    }
    return {
      provider,
      baseUrl,
      // Local servers accept any key; the client library insists on one.
      apiKey: apiKey ?? 'not-needed',
      model: raw.EMBEDDING_MODEL ?? 'text-embedding-3-small',
      dimensions: raw.EMBEDDING_DIMENSIONS,
      timeoutMs: raw.EMBEDDING_TIMEOUT_MS,
    };
  }
  if (provider === 'transformers') {
    const modelPath = raw.EMBEDDING_MODEL_PATH ?? raw.LOCAL_MODEL_PATH;
    if (modelPath === undefined) {
      throw new ConfigError([
        'EMBEDDING_MODEL_PATH: expected the directory of a local ONNX sentence-embedding model for EMBEDDING_PROVIDER=transformers',
      ]);
    }
    return { provider, modelPath: path.resolve(modelPath) };
  }
  return { provider: 'local' };
}

/** Validates the environment once; every problem names its variable and says what is expected. */
export function parseConfig(environment: Record<string, string | undefined>): Config {
  const parsed = environmentSchema.safeParse(environment);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => `${issue.path.join('.') || 'environment'}: ${issue.message}`),
    );
  }
  const raw = parsed.data;
  if (raw.REQUIRE_USER_KEY && raw.USER_API_KEYS.length + raw.ADMIN_API_KEYS.length === 0) {
    throw new ConfigError([
      'REQUIRE_USER_KEY: expected USER_API_KEYS or ADMIN_API_KEYS to hold at least one key',
    ]);
  }
  const dataDir = path.resolve(raw.DATA_DIR);
  const apiKey = raw.LLM_API_KEY ?? raw.EMERGENT_LLM_KEY;
  const llmConfigured = apiKey !== undefined || raw.LLM_BASE_URL !== undefined;
  return deepFreeze({
    env: raw.NODE_ENV,
    http: {
      host: raw.HOST,
      port: raw.PORT,
      corsOrigins: raw.CORS_ORIGINS.split(',')
        .map((origin) => origin.trim())
        .filter((origin) => origin !== ''),
      rateLimitPerMinute: raw.RATE_LIMIT_PER_MINUTE,
      trustProxy: raw.TRUST_PROXY,
    },
    access: {
      adminKeys: raw.ADMIN_API_KEYS,
      userKeys: raw.USER_API_KEYS,
      requireUserKey: raw.REQUIRE_USER_KEY,
      serviceHostnames: raw.SERVICE_HOSTNAMES,
    },
    dataDir,
    database: databaseConfig(
      {
        url: raw.DATABASE_URL,
        synchronous: raw.SQLITE_SYNCHRONOUS,
        poolSize: raw.DATABASE_POOL_SIZE,
        allowNew: raw.SQLITE_ALLOW_NEW_DATABASE,
      },
      dataDir,
    ),
    log: logConfig(raw, dataDir),
    llm: llmConfigured
      ? {
          baseUrl: raw.LLM_BASE_URL,
          // Local servers (Ollama, llama.cpp, vLLM) accept any key; the client library insists on one.
          apiKey: apiKey ?? 'not-needed',
          model: raw.LLM_MODEL,
          temperature: raw.LLM_TEMPERATURE,
          maxTokens: raw.LLM_MAX_TOKENS,
          timeoutMs: raw.LLM_TIMEOUT_MS,
          deadlineMs: raw.LLM_DEADLINE_MS,
          retry: {
            retries: raw.LLM_RETRIES,
            baseDelayMs: raw.LLM_RETRY_BASE_MS,
            maxDelayMs: raw.LLM_RETRY_MAX_MS,
          },
          breaker: { failureThreshold: raw.LLM_BREAKER_FAILURES, cooldownMs: raw.LLM_BREAKER_COOLDOWN_MS },
          concurrency: { maxConcurrent: raw.LLM_MAX_CONCURRENT, maxQueued: raw.LLM_QUEUE_SIZE },
          history: { turns: raw.LLM_HISTORY_TURNS, chars: raw.LLM_HISTORY_CHARS },
          promptTemplatePath: raw.PROMPT_TEMPLATE_PATH && path.resolve(raw.PROMPT_TEMPLATE_PATH),
        }
      : undefined,
    retrieval: {
      similarityThreshold: raw.SIMILARITY_THRESHOLD,
      annotationReplyThreshold: raw.ANNOTATION_REPLY_THRESHOLD,
      retrievalReplyThreshold: raw.RETRIEVAL_REPLY_THRESHOLD,
      topK: raw.RETRIEVAL_TOP_K,
      embedder: embedderConfig(raw, apiKey),
    },
    knowledge: { chunkSize: raw.KNOWLEDGE_CHUNK_SIZE },
    learning: {
      minRatingThreshold: raw.MIN_RATING_THRESHOLD,
      retrainingThreshold: raw.RETRAINING_THRESHOLD,
      evaluationScheduleDays: raw.EVALUATION_SCHEDULE_DAYS,
      promotionMinSessions: raw.CURATED_PROMOTION_MIN_SESSIONS,
      demotionMinNegative: raw.CURATED_DEMOTION_MIN_NEGATIVE,
      redactPii: raw.EXPORT_REDACT_PII,
    },
    companyProfilePath: raw.COMPANY_PROFILE_PATH,
    shutdownTimeoutMs: raw.SHUTDOWN_TIMEOUT_MS,
    leaseTtlMs: raw.LEASE_TTL_MS,
  });
}
