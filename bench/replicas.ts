/**
 * One and two replicas of the service on one PostgreSQL database under the mixed load of a service in use:
 * each connection asks four questions and then rates the last answer, over and over. Two replicas share the
 * connections, half each, as a load balancer spreading connections would. The database holds the bench's
 * data set moved from a seeded SQLite file by the service's own migrate-data.
 */
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import autocannon from 'autocannon';
import pg from 'pg';
import type { ReplicaLoadResult, ReplicasResult } from './results.js';
import type { Context } from './scenarios.js';
import { seedDatabase } from './seed.js';
import { type RunningService, startService } from './service.js';

type MigrateDataModule = typeof import('../src/cli/migrate-data.js');

const ADMIN_URL = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const DATABASE = 'vasdom_bench_replicas';
/** Questions asked per rating given. */
const QUESTIONS_PER_RATING = 4;
export const REPLICA_BENCH_STORED = 10_000;

function databaseUrl(name: string): string {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

async function admin(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/** Whether the PostgreSQL server the bench uses answers. */
export async function postgresReachable(): Promise<boolean> {
  try {
    await admin('select 1');
    return true;
  } catch {
    return false;
  }
}

/** The mixed load from `connections` connections against one replica; resolves with autocannon's result. */
function mixedLoad(baseUrl: string, connections: number, seconds: number, bodies: readonly Buffer[]) {
  let next = 0;
  const ask: autocannon.Request = {
    method: 'POST',
    path: '/api/voice/process',
    headers: { 'content-type': 'application/json' },
    setupRequest: (request) => {
      const body = bodies[next] as Buffer;
      next = (next + 1) % bodies.length;
      return { ...request, body };
    },
    onResponse: (status, body, context) => {
      if (status === 200)
        (context as { logId?: string }).logId = (JSON.parse(body) as { log_id: string }).log_id;
    },
  };
  const rate: autocannon.Request = {
    method: 'POST',
    path: '/api/voice/feedback',
    headers: { 'content-type': 'application/json' },
    setupRequest: (request, context) => ({
      ...request,
      body: JSON.stringify({ log_id: (context as { logId?: string }).logId, rating: 1 + (next % 5) }),
    }),
  };
  const requests = [...Array.from({ length: QUESTIONS_PER_RATING }, () => ask), rate];
  return new Promise<autocannon.Result>((resolve, reject) => {
    autocannon(
      { url: baseUrl, connections, duration: seconds, requests, timeout: 10 },
      (error: unknown, result: autocannon.Result) => (error ? reject(error) : resolve(result)),
    );
  });
}

async function measure(
  context: Context,
  replicas: number,
  url: string,
  bodies: readonly Buffer[],
): Promise<ReplicaLoadResult> {
  const { options } = context;
  const services: RunningService[] = [];
  try {
    for (let replica = 0; replica < replicas; replica++) {
      const dataDir = path.join(context.work, `replica-${replicas}-${replica}`);
      mkdirSync(dataDir, { recursive: true });
      services.push(
        await startService({
          root: context.root,
          dataDir,
          cwd: context.work,
          environment: { DATABASE_URL: url },
        }),
      );
    }
    const share = Math.max(1, Math.round(options.connections / replicas));
    const run = (seconds: number) =>
      Promise.all(services.map((service) => mixedLoad(service.baseUrl, share, seconds, bodies)));
    if (options.warmupSeconds > 0) await run(options.warmupSeconds);
    context.log(`[replicas] measuring ${replicas} replica(s), mixed load ${options.durationSeconds} s`);
    const results = await run(options.durationSeconds);
    const ok = results.reduce((sum, result) => sum + result['2xx'], 0);
    const failed = results.reduce((sum, result) => sum + result.non2xx + result.errors + result.timeouts, 0);
    const duration = Math.max(...results.map((result) => result.duration));
    return {
      replicas,
      requestsPerSecond: ok / duration,
      ok,
      failed,
      p99Ms: Math.max(...results.map((result) => result.latency.p99)),
    };
  } finally {
    for (const service of services) await service.stop();
  }
}

export async function measureReplicas(context: Context, bodies: readonly Buffer[]): Promise<ReplicasResult> {
  const seedDir = path.join(context.work, 'replicas-seed');
  rmSync(seedDir, { recursive: true, force: true });
  mkdirSync(seedDir, { recursive: true });
  const distDir = path.join(context.root, 'dist');
  await seedDatabase(distDir, seedDir, REPLICA_BENCH_STORED);
  const { migrateData } = (await import(
    pathToFileURL(path.join(distDir, 'cli/migrate-data.js')).href
  )) as MigrateDataModule;
  const results: ReplicaLoadResult[] = [];
  for (const replicas of [1, 2]) {
    // A fresh copy of the seeded data for each measurement.
    await admin(`drop database if exists ${DATABASE} with (force)`);
    await admin(`create database ${DATABASE}`);
    const url = databaseUrl(DATABASE);
    const moved = performance.now();
    await migrateData({ from: path.join(seedDir, 'vasdom.sqlite'), to: url });
    context.log(
      `[replicas] ${REPLICA_BENCH_STORED} conversations moved to PostgreSQL in ${((performance.now() - moved) / 1000).toFixed(1)} s`,
    );
    results.push(await measure(context, replicas, url, bodies));
  }
  await admin(`drop database if exists ${DATABASE} with (force)`);
  rmSync(seedDir, { recursive: true, force: true });
  return { stored: REPLICA_BENCH_STORED, questionsPerRating: QUESTIONS_PER_RATING, loads: results };
}
