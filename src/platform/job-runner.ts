import { Cron } from 'croner';

/** When a job runs by itself: every so many milliseconds, or at the times of a cron expression. */
export type JobSchedule = { everyMs: number } | { cron: string };

/** skipped: a run was due but did not happen (another replica runs the job, or a run was still going). */
export type JobResult = 'success' | 'failure' | 'skipped';
export const JOB_RESULTS: readonly JobResult[] = ['success', 'failure', 'skipped'];

export interface JobDefinition {
  /** Unique among the runner's jobs; the `job` label of its metrics. */
  name: string;
  /** Without one, the job runs only when triggered. */
  schedule?: JobSchedule;
  /** One run. The signal is aborted when the runner stops: long work should return early then. */
  work: (signal: AbortSignal) => Promise<unknown>;
  /** Runs once as soon as it is registered, besides its schedule (not awaited: trigger it to wait). */
  runAtStart?: boolean;
  /**
   * With several replicas, whether this one runs the job now: a lease's holder (anything with `held`,
   * such as storage's Lease) or a predicate. When it says no, a due run is skipped.
   */
  runsHere?: (() => boolean) | { readonly held: boolean };
  /** Told of a run's failure (the job keeps its schedule; the failure is in its status and metrics). */
  onError?: (error: unknown) => void;
}

export interface JobStatus {
  name: string;
  /** 'every 5000 ms', 'cron 0 3 * * *' or 'on demand'. */
  schedule: string;
  running: boolean;
  /** A follow-up run was asked for while one runs. */
  pending: boolean;
  /** Runs that happened (succeeded or failed). */
  runs: number;
  failures: number;
  skipped: number;
  lastStartedAt: string | null;
  lastFinishedAt: string | null;
  lastResult: 'success' | 'failure' | null;
  /** The last failure's message, cleared by a success. */
  lastError: string | null;
}

/** What the runner tells whoever counts (the metrics live in a higher layer). */
export interface JobRunnerHooks {
  /** A job was registered: its series can be exposed before its first run. */
  onRegistered?: (job: string) => void;
  /** A run finished (durationSeconds) or was skipped (no duration). */
  onRun?: (job: string, result: JobResult, durationSeconds?: number) => void;
  /** Told of a failure when the job has no onError of its own. */
  onError?: (job: string, error: unknown) => void;
}

interface Job {
  definition: JobDefinition;
  status: JobStatus;
  controller: AbortController;
  current: Promise<void> | undefined;
  followUp: Promise<void> | undefined;
  stopped: boolean;
  cancelSchedule: () => void;
}

/**
 * Owns the service's background work. Each job runs at most once at a time: a trigger while it runs is
 * coalesced into exactly one follow-up run (so none is lost and runs never overlap), and a scheduled run
 * that falls due while it runs is skipped (the next one comes anyway). Timers never keep the process alive.
 */
export class JobRunner {
  private readonly jobs = new Map<string, Job>();
  private stopping = false;

  constructor(private readonly hooks: JobRunnerHooks = {}) {}

  register(definition: JobDefinition): void {
    if (this.stopping) throw new Error(`job ${definition.name} registered after the job runner stopped`);
    if (this.jobs.has(definition.name)) throw new Error(`job ${definition.name} is already registered`);
    const job: Job = {
      definition,
      status: {
        name: definition.name,
        schedule: describeSchedule(definition.schedule),
        running: false,
        pending: false,
        runs: 0,
        failures: 0,
        skipped: 0,
        lastStartedAt: null,
        lastFinishedAt: null,
        lastResult: null,
        lastError: null,
      },
      controller: new AbortController(),
      current: undefined,
      followUp: undefined,
      stopped: false,
      cancelSchedule: () => {},
    };
    job.cancelSchedule = this.schedule(job);
    this.jobs.set(definition.name, job);
    this.hooks.onRegistered?.(definition.name);
    if (definition.runAtStart) void this.request(job);
  }

  /**
   * Asks for a run of a job now; resolves (never rejects) when a run that started after the call has
   * finished, or at once when the job is stopped or skipped.
   */
  trigger(name: string): Promise<void> {
    const job = this.jobs.get(name);
    if (!job) throw new Error(`no job named ${name}`);
    return this.request(job);
  }

  /** Every job's status, in registration order. */
  status(): JobStatus[] {
    return [...this.jobs.values()].map((job) => ({ ...job.status }));
  }

  /** One job's status. */
  statusOf(name: string): JobStatus | undefined {
    const job = this.jobs.get(name);
    return job && { ...job.status };
  }

  /**
   * Cancels every schedule and refuses new triggers, then, job by job in reverse registration order,
   * aborts the running work through its signal and waits for it (and the follow-up already asked for).
   */
  async stop(): Promise<void> {
    this.stopping = true;
    const jobs = [...this.jobs.values()];
    for (const job of jobs) {
      job.stopped = true;
      job.cancelSchedule();
    }
    for (const job of jobs.reverse()) {
      job.controller.abort(new Error('the service is stopping'));
      while (job.current || job.followUp) await (job.followUp ?? job.current);
    }
  }

  private schedule(job: Job): () => void {
    const { schedule } = job.definition;
    if (!schedule) return () => {};
    if ('everyMs' in schedule) {
      const timer = setInterval(() => this.due(job), schedule.everyMs);
      timer.unref();
      return () => clearInterval(timer);
    }
    const cron = new Cron(schedule.cron, { unref: true }, () => this.due(job));
    return () => cron.stop();
  }

  /** A scheduled run: skipped while the job runs. */
  private due(job: Job): void {
    if (job.stopped) return;
    if (job.current) this.skip(job);
    else void this.request(job);
  }

  private request(job: Job, followUp = false): Promise<void> {
    if (job.stopped && !followUp) return Promise.resolve();
    if (!job.current) {
      if (!this.runsHere(job)) {
        this.skip(job);
        return Promise.resolve();
      }
      job.current = this.run(job).finally(() => {
        job.current = undefined;
      });
      return job.current;
    }
    if (!job.followUp) {
      job.status.pending = true;
      job.followUp = job.current.then(() => {
        job.followUp = undefined;
        job.status.pending = false;
        return this.request(job, true);
      });
    }
    return job.followUp;
  }

  private runsHere(job: Job): boolean {
    const { runsHere } = job.definition;
    if (runsHere === undefined) return true;
    return typeof runsHere === 'function' ? runsHere() : runsHere.held;
  }

  private skip(job: Job): void {
    job.status.skipped++;
    this.hooks.onRun?.(job.definition.name, 'skipped');
  }

  private async run(job: Job): Promise<void> {
    const { definition, status } = job;
    status.running = true;
    status.lastStartedAt = new Date().toISOString();
    const started = performance.now();
    let result: 'success' | 'failure' = 'success';
    try {
      await definition.work(job.controller.signal);
      status.lastError = null;
    } catch (error) {
      result = 'failure';
      status.failures++;
      status.lastError = error instanceof Error ? error.message : String(error);
      try {
        if (definition.onError) definition.onError(error);
        else this.hooks.onError?.(definition.name, error);
      } catch {
        // A failing error handler must not stop the job.
      }
    } finally {
      status.runs++;
      status.running = false;
      status.lastResult = result;
      status.lastFinishedAt = new Date().toISOString();
      this.hooks.onRun?.(definition.name, result, (performance.now() - started) / 1000);
    }
  }
}

function describeSchedule(schedule: JobSchedule | undefined): string {
  if (!schedule) return 'on demand';
  return 'everyMs' in schedule ? `every ${schedule.everyMs} ms` : `cron ${schedule.cron}`;
}
