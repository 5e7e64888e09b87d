import { copyFileSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { type LoadResult, runLoad } from './load.js';
import type { BenchOptions } from './options.js';
import { monotonicMicros, summarizeProfile } from './profile.js';
import type { BenchResults, ScenarioResult, ScrapeResult, StartupResult } from './results.js';
import { DATABASE_FILE, type SeedReport, seedDatabase } from './seed.js';
import { get, memoryOf, type RunningService, startService } from './service.js';

export interface Context {
  root: string;
  /** Scratch directory of this run (bench/.work/run). */
  work: string;
  options: BenchOptions;
  log(message: string): void;
}

/** Fails loudly when the service is not what the benchmark means to measure. */
async function verify(service: RunningService, stored: number): Promise<void> {
  const response = await get(`${service.baseUrl}/api/health`);
  if (response?.status !== 200) throw new Error(`health check failed: ${response?.status}`);
  const report = JSON.parse(response.body) as {
    services: { emergent_llm: boolean };
    learning_data: { rated_conversations: number; embeddings_cached: number };
  };
  if (report.services.emergent_llm)
    throw new Error('an LLM is configured; the benchmark measures without one');
  const { rated_conversations: rated, embeddings_cached: embeddings } = report.learning_data;
  if (rated !== stored || embeddings !== stored) {
    throw new Error(
      `service reports ${rated} rated conversations and ${embeddings} vectors, expected ${stored}`,
    );
  }
}

/** A fresh data directory holding a copy of `databaseFile` (or nothing, for an empty service). */
export function freshDataDir(context: Context, name: string, databaseFile: string | undefined): string {
  const dataDir = path.join(context.work, name);
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });
  if (databaseFile) copyFileSync(databaseFile, path.join(dataDir, DATABASE_FILE));
  return dataDir;
}

export interface SeededData {
  report: SeedReport;
  /** An untouched copy of the seeded database, for start-up runs and the profile. */
  pristine: string;
}

export async function seed(context: Context, stored: number): Promise<SeededData> {
  const dataDir = freshDataDir(context, `seed-${stored}`, undefined);
  context.log(`seeding ${stored.toLocaleString('en-US')} rated conversations…`);
  const report = await seedDatabase(path.join(context.root, 'dist'), dataDir, stored);
  context.log(
    `seeded in ${report.seconds.toFixed(1)} s (${report.distinctQuestions.toLocaleString('en-US')} distinct questions)`,
  );
  return { report, pristine: path.join(dataDir, DATABASE_FILE) };
}

/** POST and health loads against one data size; memory before and after. */
export async function runScenario(
  context: Context,
  stored: number,
  seeded: SeededData | undefined,
  bodies: readonly Buffer[],
): Promise<ScenarioResult> {
  const { options } = context;
  const dataDir = freshDataDir(context, `load-${stored}`, seeded?.pristine);
  const service = await startService({ root: context.root, dataDir, cwd: context.work });
  try {
    await verify(service, stored);
    const idle = memoryOf(service.pid);
    const common = { baseUrl: service.baseUrl, connections: options.connections };
    const post = { ...common, method: 'POST' as const, path: '/api/voice/process', bodies };
    let warmupHitShare: number | undefined;
    if (options.warmupSeconds > 0) {
      context.log(`[${stored}] warm-up POST /api/voice/process ${options.warmupSeconds} s`);
      const warm = await runLoad({ ...post, durationSeconds: options.warmupSeconds, inspectAnswers: true });
      warmupHitShare = warm.retrievalHitShare;
    }
    context.log(`[${stored}] measuring POST /api/voice/process ${options.durationSeconds} s`);
    const processResult = await runLoad({ ...post, durationSeconds: options.durationSeconds });
    const health = { ...common, method: 'GET' as const, path: '/api/health' };
    if (options.warmupSeconds > 0) await runLoad({ ...health, durationSeconds: options.warmupSeconds });
    context.log(`[${stored}] measuring GET /api/health ${options.durationSeconds} s`);
    const healthResult = await runLoad({ ...health, durationSeconds: options.durationSeconds });
    const metricsScrape = await measureScrapes(service.baseUrl);
    const after = memoryOf(service.pid);
    context.log(
      `[${stored}] POST ${processResult.requestsPerSecond.toFixed(0)} req/s p99 ${processResult.latency.p99.toFixed(1)} ms; health ${healthResult.requestsPerSecond.toFixed(0)} req/s; RSS ${after.rssMb.toFixed(0)} MB`,
    );
    return {
      stored,
      seed: seeded?.report,
      process: processResult,
      warmupHitShare,
      health: healthResult,
      metricsScrape,
      rssIdleMb: idle.rssMb,
      rssAfterLoadMb: after.rssMb,
      peakRssMb: after.peakRssMb,
    };
  } catch (error) {
    context.log(`service output:\n${service.output()}`);
    throw error;
  } finally {
    await service.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The bare Fastify route under the same GET load as /api/health. */
export async function measureReference(context: Context): Promise<LoadResult> {
  const { options } = context;
  const server = await startService({
    root: context.root,
    dataDir: context.work,
    cwd: context.root,
    script: path.join(context.root, 'bench/reference-server.mjs'),
  });
  try {
    const load = {
      baseUrl: server.baseUrl,
      connections: options.connections,
      method: 'GET' as const,
      path: '/api/health',
    };
    if (options.warmupSeconds > 0) await runLoad({ ...load, durationSeconds: options.warmupSeconds });
    context.log(`reference: measuring a bare Fastify route ${options.durationSeconds} s`);
    return await runLoad({ ...load, durationSeconds: options.durationSeconds });
  } finally {
    await server.stop();
  }
}

const SCRAPES = 200;
/** Scrapes before the measured ones, not counted, as the other loads have their warm-up. */
const WARMUP_SCRAPES = 20;
/** Pause between the health load and the scrapes, in which the load generator's own work settles. */
const SETTLE_MS = 1000;

/** Times GET /api/metrics one request after another, as Prometheus scrapes. */
async function measureScrapes(baseUrl: string): Promise<ScrapeResult> {
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
  const times: number[] = [];
  let bytes = 0;
  for (let scrape = 0; scrape < WARMUP_SCRAPES + SCRAPES; scrape++) {
    const started = performance.now();
    const response = await get(`${baseUrl}/api/metrics`);
    if (scrape >= WARMUP_SCRAPES) times.push(performance.now() - started);
    if (response?.status !== 200)
      throw new Error(`GET /api/metrics answered ${response?.status ?? 'nothing'}`);
    bytes = Buffer.byteLength(response.body);
  }
  times.sort((left, right) => left - right);
  const at = (share: number) => times[Math.min(times.length - 1, Math.floor(share * times.length))] as number;
  return {
    scrapes: SCRAPES,
    warmupScrapes: WARMUP_SCRAPES,
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    maxMs: times.at(-1) as number,
    bytes,
  };
}

/** Spawn-to-first-healthy times; each run starts from a fresh directory (a fresh copy of the data). */
export async function measureStartup(
  context: Context,
  stored: number,
  seeded: SeededData | undefined,
): Promise<StartupResult> {
  const runsMs: number[] = [];
  for (let run = 0; run < context.options.startupRuns; run++) {
    const dataDir = freshDataDir(context, `startup-${stored}-${run}`, seeded?.pristine);
    const service = await startService({ root: context.root, dataDir, cwd: context.work });
    runsMs.push(service.startupMs);
    try {
      await verify(service, stored);
    } finally {
      await service.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
  const sorted = [...runsMs].sort((left, right) => left - right);
  const medianMs = sorted[Math.floor((sorted.length - 1) / 2)] as number;
  context.log(`start-up with ${stored} stored: ${runsMs.map((ms) => ms.toFixed(0)).join(', ')} ms`);
  return { stored, runsMs, medianMs };
}

/** One more POST load with the service under --cpu-prof; where its main thread spends the time. */
export async function profileScenario(
  context: Context,
  stored: number,
  seeded: SeededData | undefined,
  bodies: readonly Buffer[],
): Promise<NonNullable<BenchResults['profile']>> {
  const { options } = context;
  const dataDir = freshDataDir(context, `profile-${stored}`, seeded?.pristine);
  const profileDir = path.join(context.work, 'profiles');
  rmSync(profileDir, { recursive: true, force: true });
  const service = await startService({
    root: context.root,
    dataDir,
    cwd: context.work,
    nodeFlags: ['--cpu-prof', '--cpu-prof-dir', profileDir],
  });
  let requestsPerSecond: number;
  // Only the measured load counts, not start-up or warm-up.
  let measuredSince = 0;
  try {
    const post = {
      baseUrl: service.baseUrl,
      connections: options.connections,
      method: 'POST' as const,
      path: '/api/voice/process',
      bodies,
    };
    if (options.warmupSeconds > 0) await runLoad({ ...post, durationSeconds: options.warmupSeconds });
    context.log(`[${stored}] profiling POST /api/voice/process ${options.durationSeconds} s`);
    measuredSince = monotonicMicros();
    requestsPerSecond = (await runLoad({ ...post, durationSeconds: options.durationSeconds }))
      .requestsPerSecond;
  } finally {
    await service.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  const files = readdirSync(profileDir).filter((name) => name.endsWith('.cpuprofile'));
  if (files.length === 0) throw new Error(`no CPU profile written to ${profileDir}`);
  context.log(`CPU profiles: ${profileDir}`);
  const threads = files
    .map((file) => summarizeProfile(path.join(profileDir, file), context.root, measuredSince))
    .sort((left, right) => left.idlePercent - right.idlePercent);
  return { stored, requestsPerSecond, threads };
}
