export interface JobStatus {
  running: boolean;
  pending: boolean;
  runs: number;
  failures: number;
  lastStartedAt: string | undefined;
  lastFinishedAt: string | undefined;
  lastError: string | undefined;
}

/**
 * Runs one kind of background work at most once at a time. A request that arrives while a run is in
 * progress is coalesced into exactly one follow-up run, so no request is lost and runs never overlap.
 */
export class SingleFlightJob {
  private current: Promise<void> | undefined;
  private followUp: Promise<void> | undefined;
  private stopped = false;
  private readonly state: JobStatus = {
    running: false,
    pending: false,
    runs: 0,
    failures: 0,
    lastStartedAt: undefined,
    lastFinishedAt: undefined,
    lastError: undefined,
  };

  constructor(
    readonly name: string,
    private readonly work: () => Promise<void>,
    private readonly onError: (error: unknown) => void,
  ) {}

  get status(): JobStatus {
    return { ...this.state };
  }

  /** Asks for a run; resolves when a run that started after this request has finished. */
  request(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (!this.current) {
      this.current = this.run().finally(() => {
        this.current = undefined;
      });
      return this.current;
    }
    if (!this.followUp) {
      this.state.pending = true;
      this.followUp = this.current.then(() => {
        this.followUp = undefined;
        this.state.pending = false;
        return this.request();
      });
    }
    return this.followUp;
  }

  /** Waits for the current run and any follow-up; further requests are ignored. */
  async stop(): Promise<void> {
    await this.idle();
    this.stopped = true;
  }

  async idle(): Promise<void> {
    while (this.current || this.followUp) await (this.followUp ?? this.current);
  }

  private async run(): Promise<void> {
    this.state.running = true;
    this.state.lastStartedAt = new Date().toISOString();
    try {
      await this.work();
      this.state.lastError = undefined;
    } catch (error) {
      this.state.failures++;
      this.state.lastError = error instanceof Error ? error.message : String(error);
      this.onError(error);
    } finally {
      this.state.runs++;
      this.state.running = false;
      this.state.lastFinishedAt = new Date().toISOString();
    }
  }
}
