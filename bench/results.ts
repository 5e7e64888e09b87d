import type { LoadResult } from './load.js';
import type { MachineInfo } from './machine.js';
import type { BenchOptions } from './options.js';
import type { RequestPool } from './pool.js';
import type { SeedReport } from './seed.js';

/** Everything one data size measured. */
export interface ScenarioResult {
  stored: number;
  seed: SeedReport | undefined;
  process: LoadResult;
  /** Share of answers found among rated conversations, sampled during the warm-up. */
  warmupHitShare: number | undefined;
  health: LoadResult;
  /** Sequential scrapes of GET /api/metrics after the loads, as Prometheus makes them. */
  metricsScrape: ScrapeResult;
  rssIdleMb: number;
  rssAfterLoadMb: number;
  peakRssMb: number;
}

export interface ScrapeResult {
  scrapes: number;
  /** Scrapes made first and not counted. */
  warmupScrapes: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  bytes: number;
}

/** Retrieval searches, one at a time, over the indexed stored questions. */
export interface SearchResult {
  indexed: number;
  queries: number;
  /** Share of queries that found at least one item at or above the similarity threshold. */
  foundShare: number;
  /** The index's search in this thread. */
  inProcess: { p50Ms: number; p99Ms: number; maxMs: number };
  /** The same through the service's index worker: a message there and back included. */
  worker: { p50Ms: number; p99Ms: number; maxMs: number };
}

/** The service's own time on the LLM path (total − provider), questions one at a time. */
export interface LlmOverheadResult {
  stored: number;
  requests: number;
  providerDelayMs: number;
  answered: { p50Ms: number; p99Ms: number };
  streamed: { p50Ms: number; p99Ms: number };
}

export interface StartupResult {
  stored: number;
  runsMs: number[];
  medianMs: number;
}

export interface ProfileEntry {
  name: string;
  location: string;
  selfPercent: number;
}

/** Where one thread of the service spent the measured load. */
export interface ThreadProfile {
  /** Which thread: the main thread or a worker, named by its entry module. */
  thread: string;
  /** Share of wall time the thread was idle. */
  idlePercent: number;
  /** Self time as a share of the thread's busy time. */
  functions: ProfileEntry[];
  modules: ProfileEntry[];
}

/** The mixed load (questions and ratings) against replicas on one PostgreSQL database. */
export interface ReplicaLoadResult {
  replicas: number;
  /** 2xx responses (questions and ratings) per second, all replicas together. */
  requestsPerSecond: number;
  ok: number;
  /** Non-2xx answers, errors and timeouts. */
  failed: number;
  /** The largest of the replicas' p99 latencies, milliseconds. */
  p99Ms: number;
}

export interface ReplicasResult {
  stored: number;
  questionsPerRating: number;
  loads: ReplicaLoadResult[];
}

export interface BenchResults {
  date: Date;
  machine: MachineInfo;
  options: BenchOptions;
  pool: Omit<RequestPool, 'bodies'> & { size: number; storedRange: number };
  scenarios: ScenarioResult[];
  /** GET on a bare Fastify route (bench/reference-server.mjs), the machine's ceiling for GET /api/health. */
  reference: LoadResult | undefined;
  startup: StartupResult[];
  search: SearchResult | undefined;
  llmOverhead: LlmOverheadResult | undefined;
  /** Undefined when not measured (why: replicasSkipped). */
  replicas: ReplicasResult | undefined;
  replicasSkipped?: string;
  profile: { stored: number; requestsPerSecond: number; threads: ThreadProfile[] } | undefined;
  totalSeconds: number;
}

export interface TargetCheck {
  target: string;
  measured: string;
  /** undefined when the run did not measure what the target needs. */
  met: boolean | undefined;
}

export const TARGET_SIZE = 100_000;

const fmt = (value: number, digits = 0) =>
  Number.isFinite(value)
    ? value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
    : 'n/a';

/** The targets from the brief, checked against what this run measured. */
export function checkTargets(results: BenchResults): TargetCheck[] {
  const at = (stored: number) => results.scenarios.find((scenario) => scenario.stored === stored);
  const startAt = (stored: number) => results.startup.find((startup) => startup.stored === stored);
  const big = at(TARGET_SIZE);
  const empty = at(0);
  const checks: TargetCheck[] = [];
  checks.push({
    target: 'POST /api/voice/process, 100k stored: ≥ 2,000 req/s',
    measured: big ? `${fmt(big.process.requestsPerSecond)} req/s` : 'not measured',
    met: big ? big.process.requestsPerSecond >= 2000 : undefined,
  });
  checks.push({
    target: 'POST /api/voice/process, 100k stored: p99 ≤ 50 ms',
    measured: big ? `${fmt(big.process.latency.p99, 1)} ms` : 'not measured',
    met: big ? big.process.latency.p99 <= 50 : undefined,
  });
  const ratio = big && empty ? big.process.requestsPerSecond / empty.process.requestsPerSecond : Number.NaN;
  checks.push({
    target: 'POST throughput with 100k ≥ ½ of throughput with 0',
    measured: Number.isFinite(ratio) ? `${fmt(ratio * 100)} % of the empty figure` : 'not measured',
    met: Number.isFinite(ratio) ? ratio >= 0.5 : undefined,
  });
  const startEmpty = startAt(0);
  checks.push({
    target: 'Start-up, empty: ≤ 1 s',
    measured: startEmpty ? `${fmt(startEmpty.medianMs)} ms` : 'not measured',
    met: startEmpty ? startEmpty.medianMs <= 1000 : undefined,
  });
  const startBig = startAt(TARGET_SIZE);
  checks.push({
    target: 'Start-up, 100k stored: ≤ 5 s',
    measured: startBig ? `${fmt(startBig.medianMs)} ms` : 'not measured',
    met: startBig ? startBig.medianMs <= 5000 : undefined,
  });
  const slowestHealth = results.scenarios.reduce<ScenarioResult | undefined>(
    (worst, scenario) =>
      worst === undefined || scenario.health.requestsPerSecond < worst.health.requestsPerSecond
        ? scenario
        : worst,
    undefined,
  );
  checks.push({
    target: 'GET /api/health at every size: ≥ 10,000 req/s with p99 ≤ 10 ms',
    measured: slowestHealth
      ? `lowest ${fmt(slowestHealth.health.requestsPerSecond)} req/s (p99 ${fmt(slowestHealth.health.latency.p99, 1)} ms) with ${fmt(slowestHealth.stored)} stored${
          results.reference
            ? `; a bare Fastify route serves ${fmt(results.reference.requestsPerSecond)} req/s here (${fmt((slowestHealth.health.requestsPerSecond / results.reference.requestsPerSecond) * 100)} % of it)`
            : ''
        }`
      : 'not measured',
    met: slowestHealth
      ? results.scenarios.every(
          (scenario) => scenario.health.requestsPerSecond >= 10_000 && scenario.health.latency.p99 <= 10,
        )
      : undefined,
  });
  const slowestScrape = Math.max(...results.scenarios.map((scenario) => scenario.metricsScrape.p99Ms));
  checks.push({
    target: 'A scrape of GET /api/metrics: ≤ 10 ms (p99 at every size)',
    measured: results.scenarios.length > 0 ? `p99 at most ${fmt(slowestScrape, 2)} ms` : 'not measured',
    met: results.scenarios.length > 0 ? slowestScrape <= 10 : undefined,
  });
  const search = results.search?.indexed === TARGET_SIZE ? results.search : undefined;
  checks.push({
    target: 'Retrieval search over 100k indexed items: p99 ≤ 5 ms',
    measured: search
      ? `${fmt(search.inProcess.p99Ms, 2)} ms in the index; ${fmt(search.worker.p99Ms, 2)} ms through the index worker`
      : 'not measured',
    met: search ? search.worker.p99Ms <= 5 : undefined,
  });
  const overhead = results.llmOverhead;
  checks.push({
    target: "LLM path: the service's own overhead (total − provider time) ≤ 5 ms p50",
    measured: overhead
      ? `${fmt(overhead.answered.p50Ms, 2)} ms (streamed: ${fmt(overhead.streamed.p50Ms, 2)} ms) with ${fmt(overhead.stored)} stored`
      : 'not measured',
    met: overhead ? overhead.answered.p50Ms <= 5 && overhead.streamed.p50Ms <= 5 : undefined,
  });
  checks.push({
    target: 'RSS with 100k stored, after the load: ≤ 400 MB',
    measured: big ? `${fmt(big.rssAfterLoadMb)} MB` : 'not measured',
    met: big ? big.rssAfterLoadMb <= 400 : undefined,
  });
  return checks;
}

export interface Row {
  measurement: string;
  stored: string;
  throughput: string;
  p50: string;
  p99: string;
  notes: string;
}

/** The results as table rows, shared by the console output and the Markdown report. */
export function resultRows(results: BenchResults): Row[] {
  const rows: Row[] = [];
  const load = (name: string, stored: number, result: LoadResult, notes: string[]) => {
    if (result.non2xx > 0) notes.push(`${fmt(result.non2xx)} non-2xx`);
    if (result.errors > 0) notes.push(`${fmt(result.errors)} errors (${fmt(result.timeouts)} timeouts)`);
    rows.push({
      measurement: name,
      stored: fmt(stored),
      throughput: `${fmt(result.requestsPerSecond)} req/s`,
      p50: `${fmt(result.latency.p50, 2)} ms`,
      p99: `${fmt(result.latency.p99, 2)} ms`,
      notes: notes.join('; '),
    });
  };
  for (const scenario of results.scenarios) {
    const hits =
      scenario.warmupHitShare === undefined
        ? []
        : [`${fmt(scenario.warmupHitShare * 100)} % answered from rated conversations`];
    load('POST /api/voice/process', scenario.stored, scenario.process, [
      `${fmt(scenario.process.ok)} requests`,
      ...hits,
    ]);
  }
  for (const scenario of results.scenarios) {
    load('GET /api/health', scenario.stored, scenario.health, [`${fmt(scenario.health.ok)} requests`]);
  }
  if (results.reference) {
    load('GET on a bare Fastify route (reference)', 0, results.reference, [
      'bench/reference-server.mjs: the ceiling of this machine for a small JSON answer',
    ]);
  }
  for (const scenario of results.scenarios) {
    const scrape = scenario.metricsScrape;
    rows.push({
      measurement: 'GET /api/metrics (one scrape at a time)',
      stored: fmt(scenario.stored),
      throughput: '',
      p50: `${fmt(scrape.p50Ms, 2)} ms`,
      p99: `${fmt(scrape.p99Ms, 2)} ms`,
      notes: `${fmt(scrape.scrapes)} scrapes of ${fmt(scrape.bytes / 1024, 1)} KB after ${fmt(scrape.warmupScrapes)} not counted; slowest ${fmt(scrape.maxMs, 2)} ms`,
    });
  }
  for (const startup of results.startup) {
    rows.push({
      measurement: 'Start-up (spawn → first 200 from /api/health)',
      stored: fmt(startup.stored),
      throughput: '',
      p50: `${fmt(startup.medianMs)} ms (median)`,
      p99: '',
      notes: `runs: ${startup.runsMs.map((ms) => fmt(ms)).join(', ')} ms`,
    });
  }
  const overhead = results.llmOverhead;
  if (overhead) {
    for (const [what, figures] of [
      ['POST /api/voice/process', overhead.answered],
      ['POST /api/voice/process/stream', overhead.streamed],
    ] as const) {
      rows.push({
        measurement: `LLM path overhead, ${what}`,
        stored: fmt(overhead.stored),
        throughput: '',
        p50: `${fmt(figures.p50Ms, 2)} ms`,
        p99: `${fmt(figures.p99Ms, 2)} ms`,
        notes: `${fmt(overhead.requests)} questions one at a time; total − provider time (a fake provider answering after ${fmt(overhead.providerDelayMs)} ms)`,
      });
    }
  }
  for (const load of results.replicas?.loads ?? []) {
    const replicas = results.replicas as ReplicasResult;
    rows.push({
      measurement: `Mixed load on PostgreSQL, ${load.replicas} replica${load.replicas === 1 ? '' : 's'}`,
      stored: fmt(replicas.stored),
      throughput: `${fmt(load.requestsPerSecond)} req/s`,
      p50: '',
      p99: `${fmt(load.p99Ms, 2)} ms`,
      notes: `${fmt(replicas.questionsPerRating)} questions, then a rating of the last answer, per connection; ${fmt(load.ok)} requests, ${fmt(load.failed)} failed`,
    });
  }
  const search = results.search;
  if (search) {
    for (const [where, figures] of [
      ['in the index (this thread)', search.inProcess],
      ['through the index worker', search.worker],
    ] as const) {
      rows.push({
        measurement: `Retrieval search, ${where}`,
        stored: fmt(search.indexed),
        throughput: '',
        p50: `${fmt(figures.p50Ms, 3)} ms`,
        p99: `${fmt(figures.p99Ms, 3)} ms`,
        notes: `${fmt(search.queries)} queries one at a time (top 3), max ${fmt(figures.maxMs, 2)} ms; ${fmt(search.foundShare * 100)} % found something`,
      });
    }
  }
  for (const scenario of results.scenarios) {
    rows.push({
      measurement: 'Resident memory (VmRSS) after the loads',
      stored: fmt(scenario.stored),
      throughput: '',
      p50: `${fmt(scenario.rssAfterLoadMb)} MB`,
      p99: '',
      notes: `idle after start ${fmt(scenario.rssIdleMb)} MB, peak (VmHWM) ${fmt(scenario.peakRssMb)} MB`,
    });
  }
  return rows;
}

export { fmt };
