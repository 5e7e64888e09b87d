import type { SimilarConversation } from './retrieval.service.js';

/** A match of any source: its cosine similarity to the question. */
export interface Scored {
  score: number;
}

/**
 * A match of one of the three sources, by kind. The curated answers and the knowledge base are
 * capabilities above retrieval: their match types are parameters here, and the chat names them.
 */
export type RankedAnswer<Curated extends Scored, Knowledge extends Scored> =
  | ({ kind: 'curated' } & Curated)
  | ({ kind: 'conversation' } & SimilarConversation)
  | ({ kind: 'knowledge' } & Knowledge);

/**
 * The one order in which the chat considers what it found, shared with the search API: curated answers
 * close enough to be served directly (at or above the reply threshold) come first, then rated
 * conversations, then knowledge-base chunks, then the curated answers that were similar but not close
 * enough; each group best first.
 */
export function rankAnswers<Curated extends Scored, Knowledge extends Scored>(
  found: {
    curated: readonly Curated[];
    conversations: readonly SimilarConversation[];
    knowledge: readonly Knowledge[];
  },
  replyThreshold: number,
): RankedAnswer<Curated, Knowledge>[] {
  const direct = found.curated.filter((match) => match.score >= replyThreshold);
  const weaker = found.curated.filter((match) => match.score < replyThreshold);
  return [
    ...direct.map((match) => ({ kind: 'curated' as const, ...match })),
    ...found.conversations.map((match) => ({ kind: 'conversation' as const, ...match })),
    ...found.knowledge.map((match) => ({ kind: 'knowledge' as const, ...match })),
    ...weaker.map((match) => ({ kind: 'curated' as const, ...match })),
  ];
}
