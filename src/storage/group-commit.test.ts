import { describe, expect, it } from 'vitest';
import { GroupCommit } from './group-commit.js';

describe('GroupCommit', () => {
  it('commits writes that arrive together in one batch and settles each caller after it', async () => {
    const batches: number[][] = [];
    const group = new GroupCommit<number>(async (writes) => {
      batches.push([...writes]);
    });
    await Promise.all([1, 2, 3].map((value) => group.write(value)));
    await group.write(4);
    expect(batches).toEqual([[1, 2, 3], [4]]);
  });

  it('commits a write to an idle store at once, and waits for the next turn in a busy spell', async () => {
    const events: string[] = [];
    const group = new GroupCommit<number>(
      async (writes) => {
        events.push(`commit ${writes.join(',')}`);
      },
      { idleAfterMs: 60_000 },
    );
    setImmediate(() => events.push('next turn'));
    await group.write(1);
    expect(events).toEqual(['commit 1']);

    // Within idleAfterMs of the one before, a write waits for the next turn of the event loop, and shares its commit
    // with a write made in a later tick meanwhile.
    const written = group.write(2);
    await new Promise<void>((resolve) => process.nextTick(resolve));
    await Promise.all([written, group.write(3)]);
    expect(events).toEqual(['commit 1', 'next turn', 'commit 2,3']);
  });

  it('makes every write wait for the next turn without idleAfterMs', async () => {
    const events: string[] = [];
    const group = new GroupCommit<number>(async (writes) => {
      events.push(`commit ${writes.join(',')}`);
    });
    setImmediate(() => events.push('next turn'));
    await group.write(1);
    expect(events).toEqual(['next turn', 'commit 1']);
  });

  it('fails only the bad write when a batch fails', async () => {
    const committed: number[] = [];
    const group = new GroupCommit<number>(async (writes) => {
      if (writes.includes(2)) throw new Error('constraint failed');
      committed.push(...writes);
    });
    const results = await Promise.allSettled([1, 2, 3].map((value) => group.write(value)));
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(committed).toEqual([1, 3]);
  });

  it('splits a long queue into batches of at most the limit', async () => {
    const sizes: number[] = [];
    const group = new GroupCommit<number>(
      async (writes) => {
        sizes.push(writes.length);
      },
      { maxBatch: 4 },
    );
    await Promise.all(Array.from({ length: 10 }, (_, value) => group.write(value)));
    expect(sizes).toEqual([4, 4, 2]);
  });
});
