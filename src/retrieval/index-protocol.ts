import type { ScoredItem } from './vector-index.js';

/** Messages to the index worker. Those with a requestId get exactly one IndexReply. */
export type IndexRequest =
  /** Starts a new, empty index; the pages that follow fill it. */
  | { kind: 'load-start' }
  | { kind: 'load-page'; ids: string[]; vectors: Uint8Array[] }
  /** Makes the loaded items findable; the reply's result is the number of pages' vectors skipped. */
  | { kind: 'load-end'; requestId: number }
  | { kind: 'upsert'; requestId: number; id: string; indices: Uint32Array; values: Float32Array }
  | { kind: 'remove'; requestId: number; id: string }
  | {
      kind: 'search';
      requestId: number;
      indices: Uint32Array;
      values: Float32Array;
      limit: number;
      minScore: number;
      excludeId: string | undefined;
    };

export type IndexReply = { requestId: number; size: number } & (
  | { ok: true; result: ScoredItem[] | boolean | number | null }
  | { ok: false; error: string }
);
