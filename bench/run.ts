/**
 * `npm run bench`: builds the service, then measures POST /api/voice/process and GET /api/health under
 * load with 0, 10,000 and 100,000 rated conversations stored, start-up time and resident memory, prints a
 * table and writes BENCHMARKS.md. Settings: see options.ts (BENCH_DURATION, BENCH_SIZES, …).
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { measureLlmOverhead } from './llm-overhead.js';
import { describeMachine, measureReferenceWork } from './machine.js';
import { readOptions } from './options.js';
import { buildRequestPool } from './pool.js';
import { measureReplicas, postgresReachable } from './replicas.js';
import { consoleTable, markdownReport } from './report.js';
import { type BenchResults, fmt, type ScenarioResult, type StartupResult } from './results.js';
import {
  type Context,
  measureReference,
  measureStartup,
  profileScenario,
  runScenario,
  type SeededData,
  seed,
} from './scenarios.js';
import { measureSearch } from './search.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const began = performance.now();

function log(message: string): void {
  const seconds = ((performance.now() - began) / 1000).toFixed(1).padStart(6);
  process.stderr.write(`[bench ${seconds}s] ${message}\n`);
}

async function main(): Promise<void> {
  const options = readOptions();
  const machine = describeMachine(root);
  if (!existsSync(path.join(root, 'dist/main.js'))) {
    throw new Error('dist/main.js is missing: run `npm run build` first (npm run bench does)');
  }
  const work = path.join(root, 'bench/.work/run');
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const context: Context = { root, work, options, log };
  log(
    `sizes ${options.sizes.join(', ')}; ${options.connections} connections; ${options.warmupSeconds} s warm-up + ${options.durationSeconds} s per load`,
  );

  // Paraphrases and repeats refer to conversations every non-empty scenario stores.
  const nonEmpty = options.sizes.filter((size) => size > 0);
  const storedRange = nonEmpty.length > 0 ? Math.min(...nonEmpty) : 0;
  const pool = buildRequestPool({ size: options.poolSize, storedRange });
  log(
    `request pool: ${pool.bodies.length} bodies, ${pool.distinctMessages} distinct (${JSON.stringify(pool.composition)})`,
  );

  const largest = Math.max(...options.sizes);
  const scenarios: ScenarioResult[] = [];
  let largestSeed: SeededData | undefined;
  for (const stored of options.sizes) {
    const seeded = stored > 0 ? await seed(context, stored) : undefined;
    if (stored === largest) largestSeed = seeded;
    scenarios.push(await runScenario(context, stored, seeded, pool.bodies));
    if (seeded && stored !== largest) rmSync(path.dirname(seeded.pristine), { recursive: true, force: true });
  }

  const reference = await measureReference(context);
  const startup: StartupResult[] = [await measureStartup(context, 0, undefined)];
  if (largest > 0) startup.push(await measureStartup(context, largest, largestSeed));

  const llmOverhead =
    largest > 0 ? await measureLlmOverhead(context, largest, largestSeed, pool.bodies) : undefined;
  const replicas = (await postgresReachable()) ? await measureReplicas(context, pool.bodies) : undefined;
  if (!replicas) log('PostgreSQL is not reachable: the replicas are not measured');
  log(`searching ${fmt(largest)} indexed items`);
  const search = largest > 0 ? await measureSearch(path.join(root, 'dist'), largest) : undefined;

  const profile = options.cpuProfile
    ? await profileScenario(context, largest, largestSeed, pool.bodies)
    : undefined;
  if (largestSeed) rmSync(path.dirname(largestSeed.pristine), { recursive: true, force: true });

  const results: BenchResults = {
    date: new Date(),
    machine: { ...machine, referenceWorkMs: { ...machine.referenceWorkMs, after: measureReferenceWork() } },
    options,
    pool: {
      size: pool.bodies.length,
      storedRange,
      composition: pool.composition,
      distinctMessages: pool.distinctMessages,
    },
    scenarios,
    reference,
    startup,
    search,
    llmOverhead,
    replicas,
    replicasSkipped: replicas ? undefined : 'PostgreSQL was not reachable',
    profile,
    totalSeconds: (performance.now() - began) / 1000,
  };

  process.stdout.write(`\n${consoleTable(results)}\n\n`);
  const output = path.resolve(
    root,
    options.output ?? (options.isDefault ? 'BENCHMARKS.md' : 'bench/.work/BENCHMARKS.quick.md'),
  );
  writeFileSync(output, markdownReport(results));
  log(`report written to ${path.relative(root, output)}`);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
