import { describe, expect, it } from 'vitest';
import { SingleFlightJob } from './single-flight-job.js';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

describe('SingleFlightJob', () => {
  it('never overlaps runs and coalesces requests made during a run into one follow-up', async () => {
    let active = 0;
    let maxActive = 0;
    let runs = 0;
    const gates = [deferred(), deferred()];
    const job = new SingleFlightJob(
      'test',
      async () => {
        active++;
        maxActive = Math.max(maxActive, active);
        await gates[runs]?.promise;
        runs++;
        active--;
      },
      () => undefined,
    );
    const first = job.request();
    const during = [job.request(), job.request(), job.request()];
    expect(job.status).toMatchObject({ running: true, pending: true });
    gates[0]?.resolve();
    await first;
    gates[1]?.resolve();
    await Promise.all(during);
    expect(runs).toBe(2);
    expect(maxActive).toBe(1);
    expect(job.status).toMatchObject({ running: false, pending: false, runs: 2, failures: 0 });
  });

  it('resolves a request only after a run that started after it', async () => {
    const seen: number[] = [];
    let counter = 0;
    const job = new SingleFlightJob(
      'test',
      async () => {
        const value = ++counter;
        await new Promise((resolve) => setTimeout(resolve, 5));
        seen.push(value);
      },
      () => undefined,
    );
    void job.request();
    await new Promise((resolve) => setTimeout(resolve, 1));
    await job.request();
    // The second request arrived while run 1 was in progress: it must have waited for run 2.
    expect(seen).toEqual([1, 2]);
  });

  it('reports a failing run and keeps serving requests', async () => {
    const errors: unknown[] = [];
    let fail = true;
    const job = new SingleFlightJob(
      'test',
      async () => {
        if (fail) throw new Error('boom');
      },
      (error) => errors.push(error),
    );
    await job.request();
    expect(job.status).toMatchObject({ failures: 1, lastError: 'boom' });
    fail = false;
    await job.request();
    expect(job.status).toMatchObject({ runs: 2, failures: 1, lastError: undefined });
    expect(errors).toHaveLength(1);
  });

  it('finishes pending work on stop and ignores requests afterwards', async () => {
    let runs = 0;
    const job = new SingleFlightJob(
      'test',
      async () => {
        runs++;
        await new Promise((resolve) => setTimeout(resolve, 5));
      },
      () => undefined,
    );
    void job.request();
    void job.request();
    await job.stop();
    expect(runs).toBe(2);
    await job.request();
    expect(runs).toBe(2);
  });
});
