/**
 * Group commit: writes that arrive while the event loop is busy are committed together in one
 * transaction, and each caller's promise settles only once its write is committed. Under load this
 * turns many small transactions (each appending its own pages to the write-ahead log) into a few larger
 * ones. With `idleAfterMs`, a write to an idle store is committed at once instead, without waiting for the
 * event loop's next turn.
 *
 * If a batch fails, its writes are retried one by one, so a single bad write fails only its own caller.
 */
export class GroupCommit<Write> {
  private pending: { write: Write; resolve: () => void; reject: (error: unknown) => void }[] = [];
  private scheduled = false;
  private lastWriteAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly commit: (writes: readonly Write[]) => Promise<void>,
    private readonly options: {
      /** The most writes one commit takes. */
      maxBatch?: number;
      /**
       * A write that comes at least this many milliseconds after the one before finds the store idle and
       * is committed at once (with any made in the same synchronous run). Without it, or within it, a
       * write waits for the next turn of the event loop, to share a commit with the writes made meanwhile.
       */
      idleAfterMs?: number;
    } = {},
  ) {}

  write(write: Write): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.push({ write, resolve, reject });
      const now = performance.now();
      const { idleAfterMs } = this.options;
      const idle = idleAfterMs !== undefined && now - this.lastWriteAt >= idleAfterMs;
      this.lastWriteAt = now;
      if (!this.scheduled) {
        this.scheduled = true;
        if (idle) queueMicrotask(() => void this.flush());
        else setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    const batch = this.pending.splice(0, this.options.maxBatch ?? 256);
    try {
      await this.commit(batch.map((entry) => entry.write));
      for (const entry of batch) entry.resolve();
    } catch (batchError) {
      if (batch.length === 1) (batch[0] as (typeof batch)[number]).reject(batchError);
      else await this.commitOneByOne(batch);
    } finally {
      if (this.pending.length > 0) setImmediate(() => void this.flush());
      else this.scheduled = false;
    }
  }

  private async commitOneByOne(batch: typeof this.pending): Promise<void> {
    for (const entry of batch) {
      try {
        await this.commit([entry.write]);
        entry.resolve();
      } catch (error) {
        entry.reject(error);
      }
    }
  }
}
