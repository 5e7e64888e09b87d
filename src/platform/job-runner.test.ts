import { afterEach, describe, expect, it, vi } from 'vitest';
import { eventually } from '../../test/helpers/eventually.js';
import { type JobResult, JobRunner } from './job-runner.js';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('JobRunner', () => {
  let runner: JobRunner;

  afterEach(async () => {
    vi.useRealTimers();
    await runner?.stop();
  });

  it('never overlaps runs and coalesces triggers made during a run into one follow-up', async () => {
    runner = new JobRunner();
    let active = 0;
    let maxActive = 0;
    let runs = 0;
    const gates = [deferred(), deferred()];
    runner.register({
      name: 'test',
      work: async () => {
        active++;
        maxActive = Math.max(maxActive, active);
        await gates[runs]?.promise;
        runs++;
        active--;
      },
    });
    const first = runner.trigger('test');
    const during = [runner.trigger('test'), runner.trigger('test'), runner.trigger('test')];
    expect(runner.statusOf('test')).toMatchObject({ running: true, pending: true });
    gates[0]?.resolve();
    await first;
    gates[1]?.resolve();
    await Promise.all(during);
    expect(runs).toBe(2);
    expect(maxActive).toBe(1);
    expect(runner.statusOf('test')).toMatchObject({ running: false, pending: false, runs: 2, failures: 0 });
  });

  it('resolves a trigger only after a run that started after it', async () => {
    runner = new JobRunner();
    const seen: number[] = [];
    let counter = 0;
    runner.register({
      name: 'test',
      work: async () => {
        const value = ++counter;
        await pause(5);
        seen.push(value);
      },
    });
    void runner.trigger('test');
    await pause(1);
    await runner.trigger('test');
    expect(seen).toEqual([1, 2]);
  });

  it('runs on an interval, skips a due run while one is going, and never keeps the process alive', async () => {
    vi.useFakeTimers();
    const results: JobResult[] = [];
    runner = new JobRunner({ onRun: (_job, result) => results.push(result) });
    const gate = deferred();
    let runs = 0;
    runner.register({
      name: 'tick',
      schedule: { everyMs: 1000 },
      work: async () => {
        runs++;
        if (runs === 2) await gate.promise;
      },
    });
    expect(runner.statusOf('tick')?.schedule).toBe('every 1000 ms');
    await vi.advanceTimersByTimeAsync(999);
    expect(runs).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(runs).toBe(1);
    await vi.advanceTimersByTimeAsync(1000);
    expect(runs).toBe(2);
    // The second run still goes: the third one due is skipped.
    await vi.advanceTimersByTimeAsync(1000);
    expect(runs).toBe(2);
    gate.resolve();
    await vi.advanceTimersByTimeAsync(1000);
    expect(runs).toBe(3);
    expect(results).toEqual(['success', 'skipped', 'success', 'success']);
    expect(runner.statusOf('tick')).toMatchObject({ runs: 3, skipped: 1 });
    expect(vi.getTimerCount()).toBe(1);
  });

  it('runs at start when asked to', async () => {
    runner = new JobRunner();
    let runs = 0;
    runner.register({
      name: 'now',
      schedule: { everyMs: 60_000 },
      runAtStart: true,
      work: async () => runs++,
    });
    await eventually(() => runs === 1);
  });

  it('runs on a cron schedule (parsed by croner) and refuses an invalid expression', async () => {
    runner = new JobRunner();
    let runs = 0;
    runner.register({ name: 'every-second', schedule: { cron: '* * * * * *' }, work: async () => runs++ });
    expect(runner.statusOf('every-second')?.schedule).toBe('cron * * * * * *');
    await eventually(() => runs >= 1, 3000);
    expect(() =>
      runner.register({ name: 'bad', schedule: { cron: 'not a cron' }, work: async () => {} }),
    ).toThrow();
    expect(runner.statusOf('bad')).toBeUndefined();
  });

  it('reports a failing run, keeps its schedule and serves triggers afterwards', async () => {
    vi.useFakeTimers();
    const errors: unknown[] = [];
    const durations: (number | undefined)[] = [];
    runner = new JobRunner({ onRun: (_job, _result, seconds) => durations.push(seconds) });
    let fail = true;
    runner.register({
      name: 'flaky',
      schedule: { everyMs: 100 },
      work: async () => {
        if (fail) throw new Error('boom');
      },
      onError: (error) => errors.push(error),
    });
    await vi.advanceTimersByTimeAsync(200);
    expect(runner.statusOf('flaky')).toMatchObject({
      runs: 2,
      failures: 2,
      lastResult: 'failure',
      lastError: 'boom',
    });
    fail = false;
    await vi.advanceTimersByTimeAsync(100);
    expect(runner.statusOf('flaky')).toMatchObject({
      runs: 3,
      failures: 2,
      lastResult: 'success',
      lastError: null,
    });
    expect(errors).toHaveLength(2);
    expect(durations.every((seconds) => typeof seconds === 'number' && seconds >= 0)).toBe(true);
  });

  it('hands a failure to the runner hook when the job has no handler of its own', async () => {
    const failures: string[] = [];
    runner = new JobRunner({ onError: (job, error) => failures.push(`${job}: ${(error as Error).message}`) });
    runner.register({
      name: 'broken',
      work: async () => {
        throw new Error('down');
      },
    });
    await expect(runner.trigger('broken')).resolves.toBeUndefined();
    expect(failures).toEqual(['broken: down']);
  });

  it('skips runs where the lease is not held', async () => {
    const results: string[] = [];
    runner = new JobRunner({ onRun: (job, result) => results.push(`${job} ${result}`) });
    const lease = { held: false };
    let leased = 0;
    let predicated = 0;
    let mine = false;
    runner.register({ name: 'leased', runsHere: lease, work: async () => leased++ });
    runner.register({ name: 'predicated', runsHere: () => mine, work: async () => predicated++ });
    await runner.trigger('leased');
    await runner.trigger('predicated');
    expect([leased, predicated]).toEqual([0, 0]);
    lease.held = true;
    mine = true;
    await runner.trigger('leased');
    await runner.trigger('predicated');
    expect([leased, predicated]).toEqual([1, 1]);
    expect(results).toEqual(['leased skipped', 'predicated skipped', 'leased success', 'predicated success']);
    expect(runner.statusOf('leased')).toMatchObject({ runs: 1, skipped: 1 });
  });

  it('tells the hooks of each registration and lists every job', () => {
    const registered: string[] = [];
    runner = new JobRunner({ onRegistered: (job) => registered.push(job) });
    runner.register({ name: 'a', schedule: { everyMs: 1000 }, work: async () => {} });
    runner.register({ name: 'b', work: async () => {} });
    expect(registered).toEqual(['a', 'b']);
    expect(runner.status().map(({ name, schedule }) => ({ name, schedule }))).toEqual([
      { name: 'a', schedule: 'every 1000 ms' },
      { name: 'b', schedule: 'on demand' },
    ]);
    expect(() => runner.register({ name: 'a', work: async () => {} })).toThrow(/already registered/);
    expect(() => runner.trigger('missing')).toThrow(/no job named missing/);
  });

  it('stops: aborts running work through its signal, awaits it in reverse order, ignores triggers after', async () => {
    runner = new JobRunner();
    const order: string[] = [];
    const abortable = (name: string) => (signal: AbortSignal) =>
      new Promise<void>((resolve) => {
        signal.addEventListener('abort', () => {
          order.push(`${name} aborted`);
          setTimeout(() => {
            order.push(`${name} finished`);
            resolve();
          }, 5);
        });
      });
    let ticks = 0;
    runner.register({ name: 'first', work: abortable('first') });
    runner.register({ name: 'second', work: abortable('second') });
    runner.register({ name: 'ticking', schedule: { everyMs: 5 }, work: async () => ticks++ });
    void runner.trigger('first');
    void runner.trigger('second');
    await runner.stop();
    expect(order).toEqual(['second aborted', 'second finished', 'first aborted', 'first finished']);
    const ticksAtStop = ticks;
    await runner.trigger('first');
    await pause(20);
    expect(ticks).toBe(ticksAtStop);
    expect(() => runner.register({ name: 'late', work: async () => {} })).toThrow();
  });

  it('finishes a follow-up asked for before stop', async () => {
    runner = new JobRunner();
    let runs = 0;
    runner.register({
      name: 'test',
      work: async () => {
        runs++;
        await pause(5);
      },
    });
    void runner.trigger('test');
    void runner.trigger('test');
    await runner.stop();
    expect(runs).toBe(2);
  });
});
