import type { CuratedMatch } from '../curated/curated-answers.service.js';
import type { KnowledgeMatch } from '../knowledge/knowledge.service.js';
import type { AnswerFinder } from '../retrieval/answer-finder.js';
import type { RankedAnswer } from '../retrieval/answer-ranking.js';

/** What the chat can answer from: a curated answer, a rated conversation or a knowledge-base chunk. */
export type FoundAnswer = RankedAnswer<CuratedMatch, KnowledgeMatch>;

/** The finder over this service's curated answers and knowledge base. */
export type FoundAnswerFinder = AnswerFinder<CuratedMatch, KnowledgeMatch>;
