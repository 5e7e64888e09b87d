import { once } from 'node:events';

/** The most one write hands over: a rotating file is rotated between writes, so this is its overshoot. */
const MAX_WRITE_BYTES = 64 * 1024;

interface Batch {
  text: string;
  bytes: number;
  lines: number;
}

/**
 * Log lines on their way to a stream, never more than `limitBytes` of them held: a line that does not fit
 * is dropped and counted. While a write is under way, the lines that come meanwhile are gathered and
 * handed over together once it completes, so a destination slower than one write per line keeps up.
 *
 * Neither stream that takes the service's log bounds what it holds: a Node stream (standard output on a
 * pipe, rotating-file-stream) buffers whatever it is given, and rotating-file-stream writes each chunk
 * it is given separately. sonic-boom's `maxLength` does bound its buffer, but it writes to a file
 * descriptor from the thread pool: on a pipe nobody reads, that thread blocks in write(2) for good, and the
 * process can then no longer exit (libuv waits for its threads at exit).
 */
export class BoundedLineWriter {
  /** Lines refused for want of room, or lost with a write that failed. */
  dropped = 0;
  private buffered = 0;
  private readonly waiting: Batch[] = [];
  private writing = false;
  private ending = false;
  private ended: Promise<void> | undefined;
  private idle: (() => void)[] = [];

  constructor(
    private readonly target: NodeJS.WritableStream,
    private readonly limitBytes: number,
    private readonly onDrop: (lines: number) => void = () => undefined,
  ) {}

  /** Bytes accepted and not yet written: the ones being written and the ones waiting. */
  get bufferedBytes(): number {
    return this.buffered;
  }

  /** Takes one line (ending in a newline); false when it was dropped. */
  write(line: string): boolean {
    const bytes = Buffer.byteLength(line);
    if (this.ending || this.buffered + bytes > this.limitBytes) {
      this.drop(1);
      return false;
    }
    this.buffered += bytes;
    const last = this.waiting.at(-1);
    if (last && last.bytes + bytes <= MAX_WRITE_BYTES) {
      last.text += line;
      last.bytes += bytes;
      last.lines += 1;
    } else {
      this.waiting.push({ text: line, bytes, lines: 1 });
    }
    if (!this.writing) this.writeNext();
    return true;
  }

  /** Resolves once every line taken so far has been written (or has failed). */
  flush(): Promise<void> {
    if (!this.writing) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  /** Writes what is held, then ends the stream and waits for it to finish; later lines are dropped. */
  end(): Promise<void> {
    this.ended ??= this.finish();
    return this.ended;
  }

  private async finish(): Promise<void> {
    this.ending = true;
    await this.flush();
    // A stream destroyed by an error neither finishes nor takes more.
    if ((this.target as { destroyed?: boolean }).destroyed) return;
    const finished = once(this.target, 'finish').catch(() => undefined);
    this.target.end();
    await finished;
  }

  private writeNext(): void {
    const batch = this.waiting.shift();
    if (batch === undefined) {
      this.writing = false;
      for (const resolve of this.idle.splice(0)) resolve();
      return;
    }
    this.writing = true;
    this.target.write(batch.text, (error) => {
      this.buffered -= batch.bytes;
      if (error) this.drop(batch.lines);
      this.writeNext();
    });
  }

  private drop(lines: number): void {
    this.dropped += lines;
    this.onDrop(lines);
  }
}
