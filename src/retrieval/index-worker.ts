/**
 * The retrieval index's own thread: it holds an in-process index and answers IndexRequests, so that
 * searches run on a core of their own and never hold up the HTTP event loop.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createInProcessIndex, type VectorKind } from './in-process-index.js';
import type { IndexReply, IndexRequest } from './index-protocol.js';
import { decodeSparseVector, type SparseVector } from './sparse-vector.js';
import type { IndexItem } from './vector-index.js';

if (!parentPort) throw new Error('index-worker runs as a worker thread');
const port = parentPort;

/** Set by WorkerVectorIndex from its embedder. */
const vectorKind = (workerData as { vectorKind: VectorKind }).vectorKind;
let index = createInProcessIndex(vectorKind);
/** Stored vectors of the current load that could not be decoded. */
let skipped = 0;
/** Why a page of the current load failed (pages get no reply): the load's end reports it. */
let loadFailure: string | undefined;

/** The page's items whose stored vectors decode; the others are counted as skipped. */
function* decodedItems(ids: readonly string[], vectors: readonly Uint8Array[]): Generator<IndexItem> {
  for (const [position, id] of ids.entries()) {
    let vector: SparseVector;
    try {
      vector = decodeSparseVector(vectors[position] as Uint8Array);
    } catch {
      skipped++;
      continue;
    }
    yield { id, vector };
  }
}

function run(request: IndexRequest): (IndexReply & { ok: true })['result'] {
  switch (request.kind) {
    case 'load-start':
      index = createInProcessIndex(vectorKind);
      skipped = 0;
      loadFailure = undefined;
      return null;
    case 'load-page':
      index.stage(decodedItems(request.ids, request.vectors));
      return null;
    case 'load-end':
      if (loadFailure !== undefined) throw new Error(loadFailure);
      index.refresh();
      return skipped;
    case 'upsert':
      index.upsert(request.id, { indices: request.indices, values: request.values });
      return null;
    case 'remove':
      return index.remove(request.id);
    case 'search':
      return index.search(
        { indices: request.indices, values: request.values },
        request.limit,
        request.minScore,
        request.excludeId,
      );
  }
}

port.on('message', (request: IndexRequest) => {
  const requestId = 'requestId' in request ? request.requestId : undefined;
  try {
    const result = run(request);
    if (requestId !== undefined)
      port.postMessage({ requestId, size: index.size, ok: true, result } satisfies IndexReply);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (requestId === undefined) loadFailure ??= message;
    else port.postMessage({ requestId, size: index.size, ok: false, error: message } satisfies IndexReply);
  }
});
