import type { KnowledgeMatch } from '../knowledge/knowledge.service.js';
import type { SimilarConversation } from '../retrieval/retrieval.service.js';
import type { CuratedMatch } from './curated-answers.service.js';

export type RankedAnswer =
  | ({ kind: 'curated' } & CuratedMatch)
  | ({ kind: 'conversation' } & SimilarConversation)
  | ({ kind: 'knowledge' } & KnowledgeMatch);

/**
 * The one order in which the chat considers what it found, shared with the search API: curated answers
 * close enough to be served directly (at or above the reply threshold) come first, then rated
 * conversations, then knowledge-base chunks, then the curated answers that were similar but not close
 * enough; each group best first.
 */
export function rankAnswers(
  found: {
    curated: readonly CuratedMatch[];
    conversations: readonly SimilarConversation[];
    knowledge: readonly KnowledgeMatch[];
  },
  replyThreshold: number,
): RankedAnswer[] {
  const direct = found.curated.filter((match) => match.score >= replyThreshold);
  const weaker = found.curated.filter((match) => match.score < replyThreshold);
  return [
    ...direct.map((match) => ({ kind: 'curated' as const, ...match })),
    ...found.conversations.map((match) => ({ kind: 'conversation' as const, ...match })),
    ...found.knowledge.map((match) => ({ kind: 'knowledge' as const, ...match })),
    ...weaker.map((match) => ({ kind: 'curated' as const, ...match })),
  ];
}
