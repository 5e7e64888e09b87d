/** Benchmark settings, from environment variables; the defaults are the full run BENCHMARKS.md reports. */
export interface BenchOptions {
  /** Seconds of measured load per endpoint and data size (BENCH_DURATION). */
  durationSeconds: number;
  /** Seconds of load before each measurement, not counted (BENCH_WARMUP). */
  warmupSeconds: number;
  /** Concurrent keep-alive connections of the load generator (BENCH_CONNECTIONS). */
  connections: number;
  /** Numbers of rated conversations stored, one scenario each (BENCH_SIZES, comma-separated). */
  sizes: number[];
  /** Distinct request bodies for POST /api/voice/process (BENCH_POOL). */
  poolSize: number;
  /** Start-up measurements per data size; the median is reported (BENCH_STARTUP_RUNS). */
  startupRuns: number;
  /** Run one more, CPU-profiled POST load at the largest size and summarise it (BENCH_CPU_PROF=1). */
  cpuProfile: boolean;
  /** Where the Markdown report goes (BENCH_OUTPUT); quick runs default to bench/.work/. */
  output: string | undefined;
  /** True when every setting is the default: only then is BENCHMARKS.md written by default. */
  isDefault: boolean;
}

const DEFAULTS = {
  durationSeconds: 10,
  warmupSeconds: 3,
  connections: 50,
  sizes: [0, 10_000, 100_000],
  poolSize: 3000,
  startupRuns: 3,
};

function positive(name: string, fallback: number, allowZero = false): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) {
    throw new Error(`${name}: expected a ${allowZero ? 'non-negative' : 'positive'} number, got "${raw}"`);
  }
  return value;
}

export function readOptions(): BenchOptions {
  const sizesRaw = process.env.BENCH_SIZES;
  const sizes =
    sizesRaw === undefined || sizesRaw.trim() === ''
      ? DEFAULTS.sizes
      : sizesRaw.split(',').map((part) => {
          const value = Number(part.trim().replaceAll('_', ''));
          if (!Number.isInteger(value) || value < 0) throw new Error(`BENCH_SIZES: bad size "${part}"`);
          return value;
        });
  const options = {
    durationSeconds: positive('BENCH_DURATION', DEFAULTS.durationSeconds),
    warmupSeconds: positive('BENCH_WARMUP', DEFAULTS.warmupSeconds, true),
    connections: Math.round(positive('BENCH_CONNECTIONS', DEFAULTS.connections)),
    sizes: [...new Set(sizes)].sort((left, right) => left - right),
    poolSize: Math.round(positive('BENCH_POOL', DEFAULTS.poolSize)),
    startupRuns: Math.round(positive('BENCH_STARTUP_RUNS', DEFAULTS.startupRuns)),
    cpuProfile: ['1', 'true', 'yes'].includes((process.env.BENCH_CPU_PROF ?? '').toLowerCase()),
    output: process.env.BENCH_OUTPUT?.trim() || undefined,
  };
  const isDefault =
    options.durationSeconds === DEFAULTS.durationSeconds &&
    options.warmupSeconds === DEFAULTS.warmupSeconds &&
    options.connections === DEFAULTS.connections &&
    options.sizes.join(',') === DEFAULTS.sizes.join(',') &&
    options.poolSize === DEFAULTS.poolSize &&
    options.startupRuns === DEFAULTS.startupRuns;
  return { ...options, isDefault };
}
