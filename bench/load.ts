import autocannon from 'autocannon';

export interface LoadOptions {
  baseUrl: string;
  method: 'GET' | 'POST';
  path: string;
  /** POST bodies; each request takes the next one, round robin over the pool per connection. */
  bodies?: readonly Buffer[];
  connections: number;
  durationSeconds: number;
  /** Parse every response and count those that found similar rated conversations (costs client CPU). */
  inspectAnswers?: boolean;
}

export interface Latency {
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

export interface LoadResult {
  /** Responses with a 2xx status. */
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  durationSeconds: number;
  /** 2xx responses per second over the whole run. */
  requestsPerSecond: number;
  /** Milliseconds, from autocannon's per-response timings (sub-millisecond resolution), 2xx only. */
  latency: Latency;
  /** With inspectAnswers: share of 2xx answers with similar_found > 0. */
  retrievalHitShare: number | undefined;
}

/** A growable array of latencies, kept as doubles so percentiles keep sub-millisecond resolution. */
class Samples {
  private values = new Float64Array(1 << 16);
  length = 0;

  push(value: number): void {
    if (this.length === this.values.length) {
      const grown = new Float64Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.length++] = value;
  }

  summary(): Latency {
    const sorted = this.values.slice(0, this.length).sort();
    const at = (quantile: number) =>
      sorted.length === 0
        ? Number.NaN
        : (sorted[Math.min(sorted.length - 1, Math.ceil(quantile * sorted.length) - 1)] as number);
    let sum = 0;
    for (const value of sorted) sum += value;
    return {
      p50: at(0.5),
      p90: at(0.9),
      p99: at(0.99),
      max: sorted.length === 0 ? Number.NaN : (sorted[sorted.length - 1] as number),
      mean: sorted.length === 0 ? Number.NaN : sum / sorted.length,
    };
  }
}

/** Runs autocannon in this process against a running service and summarises the run. */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const samples = new Samples();
  let inspected = 0;
  let hits = 0;
  const bodies = options.bodies ?? [];
  let next = 0;
  const request: autocannon.Request = {
    method: options.method,
    path: options.path,
    headers: options.method === 'POST' ? { 'content-type': 'application/json' } : {},
  };
  if (bodies.length > 0) {
    request.setupRequest = (current) => {
      const body = bodies[next] as Buffer;
      next = (next + 1) % bodies.length;
      return { ...current, body };
    };
  }
  if (options.inspectAnswers) {
    request.onResponse = (status, body) => {
      if (status < 200 || status >= 300) return;
      inspected++;
      if ((JSON.parse(body) as { similar_found?: number }).similar_found) hits++;
    };
  }

  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: options.baseUrl,
        connections: options.connections,
        duration: options.durationSeconds,
        requests: [request],
        timeout: 10,
      },
      (error: unknown, finished: autocannon.Result) => (error ? reject(error) : resolve(finished)),
    );
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      if (statusCode >= 200 && statusCode < 300) samples.push(responseTime);
    });
  });

  const ok = result['2xx'];
  return {
    ok,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    durationSeconds: result.duration,
    requestsPerSecond: ok / result.duration,
    latency: samples.summary(),
    retrievalHitShare: options.inspectAnswers && inspected > 0 ? hits / inspected : undefined,
  };
}
