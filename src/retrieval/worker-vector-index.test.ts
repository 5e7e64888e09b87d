import type { Worker } from 'node:worker_threads';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../../test/helpers/eventually.js';
import { LocalEmbedder } from './local-embedder.js';
import { encodeSparseVector } from './sparse-vector.js';
import type { StoredVector } from './vector-index.js';
import { IndexUnavailableError, WorkerVectorIndex } from './worker-vector-index.js';

const embedder = new LocalEmbedder();
const QUESTIONS = [
  'Когда моют окна в подъездах?',
  'Сколько бригад работает в Северном районе?',
  'Кто убирает строительный мусор после ремонта?',
  'Как часто моют полы на лестнице?',
];

function stored(questions: readonly string[]): StoredVector[] {
  return questions.map((question, position) => ({
    id: `q${position}`,
    vector: encodeSparseVector(embedder.embedOne(question)),
  }));
}

/** A load source yielding `pages` and counting how often it is read. */
function source(pages: StoredVector[][]) {
  const reads = { count: 0 };
  const read = async function* () {
    reads.count++;
    for (const page of pages) yield page;
  };
  return { read, reads };
}

describe('WorkerVectorIndex', () => {
  let index: WorkerVectorIndex;
  afterEach(async () => {
    await index?.close();
  });

  it('loads pages in its worker and finds a reworded question', async () => {
    index = new WorkerVectorIndex(pino({ level: 'silent' }));
    const { read } = source([stored(QUESTIONS.slice(0, 2)), stored(QUESTIONS).slice(2)]);
    expect(await index.load(read)).toEqual({ indexed: 4, skipped: 0 });
    expect(index.size).toBe(4);

    const hits = await index.search(embedder.embedOne('подскажите, когда мыть окна в подъезде'), 3, 0.3);
    expect(hits[0]?.id).toBe('q0');
    expect(hits.every((hit) => hit.score >= 0.3 && hit.score <= 1)).toBe(true);
    expect(await index.search(embedder.embedOne('Какая погода завтра в Москве?'), 3, 0.3)).toEqual([]);
  });

  it('leaves out stored vectors it cannot decode and says how many', async () => {
    index = new WorkerVectorIndex(pino({ level: 'silent' }));
    const pages = [
      [...stored(QUESTIONS.slice(0, 1)), { id: 'broken', vector: Uint8Array.from([9, 0, 0, 0, 1]) }],
    ];
    expect(await index.load(source(pages).read)).toEqual({ indexed: 1, skipped: 1 });
  });

  it('applies upserts and removals in call order', async () => {
    index = new WorkerVectorIndex(pino({ level: 'silent' }));
    await index.load(source([]).read);
    const question = embedder.embedOne(QUESTIONS[1] as string);
    // Not awaited: the search must still see the upsert made before it, then the removal after.
    const upserted = index.upsert('brigades', question);
    const found = index.search(question, 1, 0.5);
    const removed = index.remove('brigades');
    const gone = index.search(question, 1, 0.5);
    await upserted;
    expect((await found).map((hit) => hit.id)).toEqual(['brigades']);
    expect(await removed).toBe(true);
    expect(await gone).toEqual([]);
    expect(await index.remove('brigades')).toBe(false);
    expect(index.size).toBe(0);
  });

  it('rebuilds from the last source when its worker dies, failing fast meanwhile', async () => {
    index = new WorkerVectorIndex(pino({ level: 'silent' }));
    const { read, reads } = source([stored(QUESTIONS)]);
    await index.load(read);
    const query = embedder.embedOne(QUESTIONS[2] as string);
    expect((await index.search(query, 1, 0.5))[0]?.id).toBe('q2');

    // The worker is private: stopping it from outside stands in for a crash.
    await (index as unknown as { worker: Worker }).worker.terminate();
    await expect(index.search(query, 1, 0.5)).rejects.toBeInstanceOf(IndexUnavailableError);

    const hits = await eventually(() => index.search(query, 1, 0.5));
    expect(hits[0]?.id).toBe('q2');
    expect(reads.count).toBe(2);
    expect(index.size).toBe(4);
  });

  it('refuses calls once closed', async () => {
    index = new WorkerVectorIndex(pino({ level: 'silent' }));
    await index.close();
    await expect(index.search(embedder.embedOne('окна'), 1, 0.1)).rejects.toThrow(/closed/);
  });
});
