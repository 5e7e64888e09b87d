/**
 * Retrieval search over `count` indexed conversations, without HTTP: the stored questions of the bench's
 * data set embedded by the built embedder (from dist/), indexed once in this thread (SparseVectorIndex)
 * and once in the service's index worker (WorkerVectorIndex), then searched one query at a time with the
 * chat's settings (top 3, SIMILARITY_THRESHOLD's default). Queries are paraphrases of stored questions,
 * roughened like typed text, and questions about something else.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import pino from 'pino';
import { generateConversation, paraphrase } from './dataset.js';
import type { SearchResult } from './results.js';

type EmbedderModule = typeof import('../src/retrieval/local-embedder.js');
type IndexModule = typeof import('../src/retrieval/sparse-vector-index.js');
type WorkerIndexModule = typeof import('../src/retrieval/worker-vector-index.js');
type VectorModule = typeof import('../src/retrieval/sparse-vector.js');
type ConfigModule = typeof import('../src/config/config.schema.js');

const QUERIES = 5000;
const WARMUP_QUERIES = 500;
const TOP_K = 3;
const OFF_TOPIC = [
  'Какая погода будет завтра в Калуге?',
  'Как оформить загранпаспорт?',
  'Сколько стоит ремонт квартиры под ключ?',
  'Где купить зимние шины?',
];

const load = async <T>(distDir: string, modulePath: string): Promise<T> =>
  (await import(pathToFileURL(path.join(distDir, modulePath)).href)) as T;

const percentile = (sorted: number[], share: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * share))] as number;

function summarize(latencies: number[]): { p50Ms: number; p99Ms: number; maxMs: number } {
  const sorted = [...latencies].sort((left, right) => left - right);
  return { p50Ms: percentile(sorted, 0.5), p99Ms: percentile(sorted, 0.99), maxMs: sorted.at(-1) ?? 0 };
}

export async function measureSearch(distDir: string, count: number): Promise<SearchResult> {
  const { LocalEmbedder } = await load<EmbedderModule>(distDir, 'retrieval/local-embedder.js');
  const { SparseVectorIndex } = await load<IndexModule>(distDir, 'retrieval/sparse-vector-index.js');
  const { WorkerVectorIndex } = await load<WorkerIndexModule>(distDir, 'retrieval/worker-vector-index.js');
  const { encodeSparseVector } = await load<VectorModule>(distDir, 'retrieval/sparse-vector.js');
  const { parseConfig } = await load<ConfigModule>(distDir, 'config/config.schema.js');
  const minScore = parseConfig({}).retrieval.similarityThreshold;

  const embedder = new LocalEmbedder();
  const items = Array.from({ length: count }, (_, index) => ({
    id: `c${index}`,
    vector: embedder.embedOne(generateConversation(index).question),
  }));
  const queries = Array.from({ length: WARMUP_QUERIES + QUERIES }, (_, query) =>
    embedder.embedOne(
      query % 10 === 9
        ? (OFF_TOPIC[query % OFF_TOPIC.length] as string)
        : paraphrase((query * 7919) % count, query % 3),
    ),
  );

  const inProcess = new SparseVectorIndex();
  inProcess.load(items);
  const inProcessLatencies: number[] = [];
  let found = 0;
  for (const [position, query] of queries.entries()) {
    const started = performance.now();
    const hits = inProcess.search(query, TOP_K, minScore);
    const elapsed = performance.now() - started;
    if (position >= WARMUP_QUERIES) {
      inProcessLatencies.push(elapsed);
      if (hits.length > 0) found++;
    }
  }

  const worker = new WorkerVectorIndex(pino({ level: 'silent' }));
  try {
    await worker.load(async function* () {
      yield items.map((item) => ({ id: item.id, vector: encodeSparseVector(item.vector) }));
    });
    const workerLatencies: number[] = [];
    for (const [position, query] of queries.entries()) {
      const started = performance.now();
      await worker.search(query, TOP_K, minScore);
      if (position >= WARMUP_QUERIES) workerLatencies.push(performance.now() - started);
    }
    return {
      indexed: count,
      queries: QUERIES,
      foundShare: found / QUERIES,
      inProcess: summarize(inProcessLatencies),
      worker: summarize(workerLatencies),
    };
  } finally {
    await worker.close();
  }
}
