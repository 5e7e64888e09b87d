import type { SimilarConversation } from '../retrieval/retrieval.service.js';
import type { CuratedMatch } from './curated-answers.service.js';

export type RankedAnswer =
  | ({ kind: 'curated' } & CuratedMatch)
  | ({ kind: 'conversation' } & SimilarConversation);

/**
 * The one order in which the chat considers what it found, shared with the search API: curated answers
 * close enough to be served directly (at or above the reply threshold) come first, then rated
 * conversations, then the curated answers that were similar but not close enough; each group best first.
 */
export function rankAnswers(
  curated: readonly CuratedMatch[],
  conversations: readonly SimilarConversation[],
  replyThreshold: number,
): RankedAnswer[] {
  const direct = curated.filter((match) => match.score >= replyThreshold);
  const weaker = curated.filter((match) => match.score < replyThreshold);
  return [
    ...direct.map((match) => ({ kind: 'curated' as const, ...match })),
    ...conversations.map((match) => ({ kind: 'conversation' as const, ...match })),
    ...weaker.map((match) => ({ kind: 'curated' as const, ...match })),
  ];
}
