import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { BoundedLineWriter } from './bounded-line-writer.js';

const LINE = `${'x'.repeat(99)}\n`;

/** A destination that takes each chunk only when told to: a disk or a reader that has fallen behind. */
function stalledDestination() {
  const chunks: string[] = [];
  const waiting: (() => void)[] = [];
  const stream = new Writable({
    write(chunk, _encoding, callback) {
      chunks.push(chunk.toString());
      waiting.push(callback);
    },
  });
  return {
    stream,
    chunks,
    /** Lets the chunk being written complete. */
    release: () => waiting.shift()?.(),
  };
}

describe('BoundedLineWriter', () => {
  it('holds at most its limit for a destination that does not keep up, and counts the lines it drops', () => {
    const destination = stalledDestination();
    const drops: number[] = [];
    const writer = new BoundedLineWriter(destination.stream, 10_000, (lines) => drops.push(lines));
    for (let line = 0; line < 10_000; line++) writer.write(LINE);
    // 100 lines of 100 bytes fit: the one being written and 99 waiting; the rest are dropped.
    expect(writer.bufferedBytes).toBe(10_000);
    expect(writer.dropped).toBe(9900);
    expect(drops.reduce((sum, lines) => sum + lines, 0)).toBe(9900);
    expect(destination.stream.writableLength).toBe(LINE.length);
  });

  it('hands what piled up meanwhile to the destination in one write, whole lines, in order', async () => {
    const destination = stalledDestination();
    const writer = new BoundedLineWriter(destination.stream, 1 << 20);
    const lines = Array.from({ length: 500 }, (_, index) => `line ${index}\n`);
    for (const line of lines) writer.write(line);
    expect(destination.chunks).toEqual([lines[0]]);
    destination.release();
    await new Promise((resolve) => setImmediate(resolve));
    expect(destination.chunks).toEqual([lines[0], lines.slice(1).join('')]);
    destination.release();
    await writer.flush();
    expect(writer.bufferedBytes).toBe(0);
    expect(writer.dropped).toBe(0);
  });

  it('counts the lines of writes that fail as dropped, and frees their room', async () => {
    const failing = new Writable({
      write(_chunk, _encoding, callback) {
        callback(new Error('disk full'));
      },
    });
    failing.on('error', () => undefined);
    const writer = new BoundedLineWriter(failing, 1 << 20);
    writer.write('lost\n');
    writer.write('lost too\n');
    await writer.flush();
    // The stream is destroyed by its error: what comes after fails too.
    writer.write('and this\n');
    await writer.flush();
    expect(writer.dropped).toBe(3);
    expect(writer.bufferedBytes).toBe(0);
  });

  it('ends the destination once everything is written, and drops what comes after', async () => {
    const destination = stalledDestination();
    let finished = false;
    destination.stream.on('finish', () => {
      finished = true;
    });
    const writer = new BoundedLineWriter(destination.stream, 1 << 20);
    writer.write('first\n');
    writer.write('second\n');
    const ended = writer.end();
    writer.write('too late\n');
    destination.release();
    await new Promise((resolve) => setImmediate(resolve));
    expect(finished).toBe(false);
    destination.release();
    await ended;
    expect(finished).toBe(true);
    expect(destination.chunks).toEqual(['first\n', 'second\n']);
    expect(writer.dropped).toBe(1);
  });
});
