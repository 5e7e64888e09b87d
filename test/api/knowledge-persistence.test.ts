import { rmSync } from 'node:fs';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { KnowledgeService } from '../../src/knowledge/knowledge.service.js';
import { KnowledgeStore } from '../../src/knowledge/knowledge.store.js';
import type { Embedder } from '../../src/retrieval/embedder.js';
import { LocalEmbedder } from '../../src/retrieval/local-embedder.js';
import type { SparseVector } from '../../src/retrieval/sparse-vector.js';
import type { Database } from '../../src/storage/database.js';
import { eventually } from '../helpers/eventually.js';
import { startTestService, type TestService, temporaryDirectory } from '../helpers/test-service.js';
import { openStorage, removeStorage } from '../helpers/test-storage.js';
import { Api } from './support/api.js';
import {
  FAQ_LINES,
  FAQ_TITLE,
  REGULATIONS,
  REGULATIONS_TITLE,
  SNOW_QUESTION,
  SNOW_TEXT,
} from './support/knowledge-documents.js';

const CHUNKS = 6;

/** The built-in embedder under another id, as after a change of embedder; it records its batch sizes. */
class RenamedEmbedder implements Embedder {
  readonly id = 'test-embedder-v2';
  readonly maxBatchSize = 4;
  readonly vectorKind = 'sparse';
  readonly batches: number[] = [];
  private readonly inner = new LocalEmbedder();

  embed(texts: readonly string[]): Promise<SparseVector[]> {
    this.batches.push(texts.length);
    return this.inner.embed(texts);
  }
}

describe('knowledge base across restarts', () => {
  const dataDir = temporaryDirectory('vasdom-knowledge-restart-');
  let service: TestService | undefined;
  const openData = () => openStorage(dataDir);
  const embedders = async (database: Database) =>
    (await database.db.selectFrom('knowledge_chunks').select('embedder').distinct().execute()).map(
      (row) => row.embedder,
    );

  afterAll(async () => {
    await service?.close();
    rmSync(dataDir, { recursive: true, force: true });
    await removeStorage(dataDir);
  });

  it('keeps documents and chunks, and indexes them again at start-up', async () => {
    service = await startTestService({}, dataDir);
    let api = new Api(service);
    for (const document of [
      { title: REGULATIONS_TITLE, format: 'markdown', content: REGULATIONS },
      { title: FAQ_TITLE, format: 'qa_jsonl', content: FAQ_LINES },
    ]) {
      expect((await api.request('POST', '/api/knowledge/documents', document)).status).toBe(201);
    }
    const before = (await api.request('GET', '/api/knowledge/documents')).body;
    await service.close({ keepData: true });

    service = await startTestService({}, dataDir);
    api = new Api(service);
    expect(service.services.knowledge.indexedChunks).toBe(CHUNKS);
    expect((await api.request('GET', '/api/knowledge/documents')).body).toEqual(before);
    expect(await api.ask(SNOW_QUESTION)).toMatchObject({ model_used: 'knowledge' });
    await service.close({ keepData: true });
    service = undefined;
  });

  it('embeds chunks again, in batches, when another embedder made their vectors or they cannot be read', async () => {
    const database = await openData();
    try {
      const embedder = new RenamedEmbedder();
      const settings = { similarityThreshold: 0.45, chunkSize: 800 };
      // A replica that does not hold the embeddings lease leaves them to the one that does.
      const waiting = new KnowledgeService(new KnowledgeStore(database.db), embedder, {
        ...settings,
        reembedsForAll: () => false,
      });
      expect(await waiting.sync()).toMatchObject({ chunks: 0, reembedded: 0, pending: CHUNKS });
      expect(embedder.batches).toEqual([]);
      const renamed = new KnowledgeService(new KnowledgeStore(database.db), embedder, settings);
      expect(await renamed.sync()).toEqual({ documents: 2, chunks: CHUNKS, reembedded: CHUNKS });
      // Once it has, the waiting one indexes the stored vectors without embedding anything.
      expect(await waiting.sync()).toMatchObject({ chunks: CHUNKS, reembedded: 0, pending: 0 });
      expect(embedder.batches.reduce((sum, size) => sum + size, 0)).toBe(CHUNKS);
      expect(Math.max(...embedder.batches)).toBeLessThanOrEqual(embedder.maxBatchSize);
      expect(await embedders(database)).toEqual(['test-embedder-v2']);
      const [question] = await embedder.embed([SNOW_QUESTION]);
      expect((await renamed.search(question as SparseVector, 1))[0]?.chunk.text).toBe(SNOW_TEXT);

      // Vectors stored by this embedder are read, not made again; one that cannot be decoded is remade.
      embedder.batches.length = 0;
      expect(
        await new KnowledgeService(new KnowledgeStore(database.db), embedder, settings).sync(),
      ).toMatchObject({
        reembedded: 0,
      });
      expect(embedder.batches).toEqual([]);
      await sql`update knowledge_chunks set vector = ${Buffer.from([1, 0])} where position = 0`.execute(
        database.db,
      );
      expect(
        await new KnowledgeService(new KnowledgeStore(database.db), embedder, settings).sync(),
      ).toMatchObject({
        chunks: CHUNKS,
        reembedded: 2,
      });
    } finally {
      await database.close();
    }

    // The service, with the built-in embedder, starts at once and embeds them all again in the background.
    service = await startTestService({}, dataDir);
    const running = service;
    await eventually(async () => {
      const check = await openData();
      try {
        return (await embedders(check)).every((id) => id === running.services.retrieval.embedderId);
      } finally {
        await check.close();
      }
    });
    await eventually(() => running.services.knowledge.indexedChunks === CHUNKS);
    const check = await openData();
    try {
      expect(await embedders(check)).toEqual([service.services.retrieval.embedderId]);
    } finally {
      await check.close();
    }
    const found = await service.request(
      'GET',
      `/api/retrieval/search?q=${encodeURIComponent(SNOW_QUESTION)}`,
    );
    expect(found.body[0]).toMatchObject({ kind: 'knowledge', answer: SNOW_TEXT });
  });
});
