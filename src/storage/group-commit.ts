/**
 * Group commit: writes that arrive while the event loop is busy are committed together in one
 * transaction, and each caller's promise settles only once its write is committed. Under load this
 * turns many small transactions (each appending its own pages to the write-ahead log) into a few larger
 * ones; an idle service still commits each write on the next turn of the event loop.
 *
 * If a batch fails, its writes are retried one by one, so a single bad write fails only its own caller.
 */
export class GroupCommit<Write> {
  private pending: { write: Write; resolve: () => void; reject: (error: unknown) => void }[] = [];
  private scheduled = false;

  constructor(
    private readonly commit: (writes: readonly Write[]) => Promise<void>,
    private readonly maxBatch = 256,
  ) {}

  write(write: Write): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.push({ write, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    const batch = this.pending.splice(0, this.maxBatch);
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
