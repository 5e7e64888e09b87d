/**
 * `npm run soak`: mixed load for a while against the service, reporting errors and resident memory over
 * time. Settings: SOAK_MINUTES (10), SOAK_WARMUP_MINUTES (1), SOAK_RATE (50 requests a second: a busy
 * day of the company, not a stress test; every question is stored, so an unpaced run measures the data it
 * adds more than leaks), SOAK_CONNECTIONS (8), SOAK_SAMPLE_SECONDS (30), SOAK_STORED (100,000 rated
 * conversations seeded first, as a service in use has them, so that its caches are warm from the start;
 * 0 for an empty one), SOAK_URL (a running service; without it the built service is started on the seeded
 * data directory, with no LLM). Targets: no errors, resident memory growing under 10 % after the warm-up.
 * Writes SOAK.md (bench/.work/SOAK.md when any setting is changed) and exits 1 when a target is missed.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildRequestPool } from './pool.js';
import { seedDatabase } from './seed.js';
import { memoryOf, startService } from './service.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const number = (name: string, fallback: number) => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name}: expected a positive number`);
  return value;
};
const minutes = number('SOAK_MINUTES', 10);
const warmupMinutes = Math.min(number('SOAK_WARMUP_MINUTES', 1), minutes / 2);
const connections = number('SOAK_CONNECTIONS', 8);
const rate = number('SOAK_RATE', 50);
const stored = Number(process.env.SOAK_STORED ?? 100_000);
const sampleSeconds = number('SOAK_SAMPLE_SECONDS', 30);
const MAX_GROWTH = 0.1;
/** The settings; a run with none of them set is the reference run, written to SOAK.md. */
const SETTINGS = [
  'SOAK_MINUTES',
  'SOAK_WARMUP_MINUTES',
  'SOAK_RATE',
  'SOAK_CONNECTIONS',
  'SOAK_SAMPLE_SECONDS',
  'SOAK_STORED',
  'SOAK_URL',
];

const agent = new http.Agent({ keepAlive: true, maxSockets: connections });

function request(url: string, method: string, body?: Buffer): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const outgoing = http.request(
      url,
      {
        method,
        agent,
        headers: body ? { 'content-type': 'application/json', 'content-length': body.length } : {},
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
        );
        response.on('error', reject);
      },
    );
    outgoing.setTimeout(30_000, () => outgoing.destroy(new Error('timed out')));
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

async function main(): Promise<void> {
  const work = path.join(root, 'bench/.work/soak');
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const dataDir = path.join(work, 'data');
  if (!process.env.SOAK_URL && stored > 0) {
    process.stderr.write(`[soak] seeding ${stored} rated conversations\n`);
    await seedDatabase(path.join(root, 'dist'), dataDir, stored);
  }
  const service = process.env.SOAK_URL ? undefined : await startService({ root, dataDir, cwd: work });
  const baseUrl = process.env.SOAK_URL ?? (service?.baseUrl as string);
  /** Resident memory, and the JavaScript heap in use (where a leak of objects would show). */
  const memory = async (): Promise<{ rssMb: number; heapMb: number }> => {
    const metrics = (await request(`${baseUrl}/api/metrics`, 'GET')).text;
    const megabytes = (name: string) =>
      Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(metrics)?.[1]) / 1024 / 1024;
    return {
      rssMb: service ? memoryOf(service.pid).rssMb : megabytes('process_resident_memory_bytes'),
      heapMb: megabytes('nodejs_heap_size_used_bytes'),
    };
  };

  const pool = buildRequestPool({ size: 5000, storedRange: Math.min(stored, 10_000) });
  const recentLogIds: string[] = [];
  const counts = new Map<string, number>();
  const errors = new Map<string, number>();
  let requests = 0;
  /** One step of the mix: mostly questions, then feedback on recent answers, reads and streams. */
  const step = async (index: number) => {
    const roll = index % 20;
    const body = pool.bodies[index % pool.bodies.length] as Buffer;
    let route: string;
    let result: { status: number; text: string };
    if (roll < 12) {
      route = 'POST /api/voice/process';
      result = await request(`${baseUrl}/api/voice/process`, 'POST', body);
      if (result.status === 200) {
        recentLogIds.push((JSON.parse(result.text) as { log_id: string }).log_id);
        if (recentLogIds.length > 1000) recentLogIds.shift();
      }
    } else if (roll < 15 && recentLogIds.length > 0) {
      route = 'POST /api/voice/feedback';
      const logId = recentLogIds[index % recentLogIds.length];
      const rating = 1 + (index % 5);
      result = await request(
        `${baseUrl}/api/voice/feedback`,
        'POST',
        Buffer.from(JSON.stringify({ log_id: logId, rating, feedback_text: 'soak' })),
      );
    } else if (roll < 17) {
      route = 'GET /api/health';
      result = await request(`${baseUrl}/api/health`, 'GET');
    } else if (roll < 18) {
      route = 'GET /api/learning/stats';
      result = await request(`${baseUrl}/api/learning/stats`, 'GET');
    } else if (roll < 19) {
      route = 'GET /api/metrics';
      result = await request(`${baseUrl}/api/metrics`, 'GET');
    } else {
      route = 'POST /api/voice/process/stream';
      result = await request(`${baseUrl}/api/voice/process/stream`, 'POST', body);
      if (!result.text.includes('event: done')) result = { ...result, status: 599 };
    }
    counts.set(route, (counts.get(route) ?? 0) + 1);
    if (result.status < 200 || result.status >= 300) {
      const key = `${route} → ${result.status}`;
      errors.set(key, (errors.get(key) ?? 0) + 1);
    }
  };

  const started = Date.now();
  const end = started + minutes * 60_000;
  const samples: { minute: number; requests: number; errors: number; rssMb: number; heapMb: number }[] = [];
  const errorTotal = () => [...errors.values()].reduce((sum, count) => sum + count, 0);
  const sample = async () => {
    samples.push({
      minute: (Date.now() - started) / 60_000,
      requests,
      errors: errorTotal(),
      ...(await memory()),
    });
    const last = samples.at(-1);
    process.stderr.write(
      `[soak ${last?.minute.toFixed(1)} min] ${last?.requests} requests, ${last?.errors} errors, RSS ${last?.rssMb.toFixed(0)} MB, heap ${last?.heapMb.toFixed(0)} MB\n`,
    );
  };
  await sample();
  const sampler = setInterval(() => void sample(), sampleSeconds * 1000);
  let next = 0;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (Date.now() < end) {
        const index = next++;
        // Request `index` is due `index / rate` seconds after the start.
        const due = started + (index / rate) * 1000;
        if (due > Date.now()) await new Promise((resolve) => setTimeout(resolve, due - Date.now()));
        if (Date.now() >= end) break;
        try {
          await step(index);
        } catch (error) {
          const key = `connection: ${(error as Error).message}`;
          errors.set(key, (errors.get(key) ?? 0) + 1);
        }
        requests++;
      }
    }),
  );
  clearInterval(sampler);
  await sample();
  await service?.stop();

  const afterWarmup = samples.find((entry) => entry.minute >= warmupMinutes) ?? samples[0];
  const last = samples.at(-1);
  const growth = afterWarmup && last ? (last.rssMb - afterWarmup.rssMb) / afterWarmup.rssMb : Number.NaN;
  const heapGrowth =
    afterWarmup && last ? (last.heapMb - afterWarmup.heapMb) / afterWarmup.heapMb : Number.NaN;
  const errorCount = errorTotal();
  const met = errorCount === 0 && growth < MAX_GROWTH;
  const report = [
    '# Soak run',
    '',
    '_Generated by `npm run soak` (bench/soak.ts); do not edit by hand._',
    '',
    `- Machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.type()} ${os.release()}, Node ${process.version}.`,
    `- ${new Date().toISOString()}; ${minutes} min against ${process.env.SOAK_URL ? baseUrl : `the built service (${stored} rated conversations seeded, no LLM)`} at ${rate} requests a second over ${connections} connections, warm-up ${warmupMinutes} min.`,
    `- ${requests} requests: ${[...counts].map(([route, count]) => `${route} ${count}`).join(', ')}.`,
    `- Errors: ${errorCount}${errorCount > 0 ? ` (${[...errors].map(([key, count]) => `${key}: ${count}`).join('; ')})` : ''} (target 0).`,
    `- Resident memory after the warm-up ${afterWarmup?.rssMb.toFixed(0)} MB, at the end ${last?.rssMb.toFixed(0)} MB: growth ${(growth * 100).toFixed(1)} % (target < ${MAX_GROWTH * 100} %).`,
    `- JavaScript heap in use after the warm-up ${afterWarmup?.heapMb.toFixed(0)} MB, at the end ${last?.heapMb.toFixed(0)} MB: growth ${(heapGrowth * 100).toFixed(1)} %. Resident memory also holds SQLite's page cache (up to 32 MB per connection), which fills as the database grows.`,
    `- ${met ? 'Targets met.' : 'Targets missed.'}`,
    '',
    '| Minute | Requests | Errors | RSS (MB) | Heap used (MB) |',
    '| --- | --- | --- | --- | --- |',
    ...samples.map(
      (entry) =>
        `| ${entry.minute.toFixed(1)} | ${entry.requests} | ${entry.errors} | ${entry.rssMb.toFixed(1)} | ${entry.heapMb.toFixed(1)} |`,
    ),
    '',
  ].join('\n');
  const isDefault = SETTINGS.every((name) => process.env[name] === undefined);
  writeFileSync(path.join(root, isDefault ? 'SOAK.md' : 'bench/.work/SOAK.md'), report);
  process.stdout.write(`${report}\n`);
  process.exit(met ? 0 : 1);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `soak failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
