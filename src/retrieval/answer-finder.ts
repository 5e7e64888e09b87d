import type { Logger } from 'pino';
import { type RankedAnswer, rankAnswers, type Scored } from './answer-ranking.js';
import type { RetrievalService } from './retrieval.service.js';
import type { SparseVector } from './sparse-vector.js';

/** The curated answers as the finder sees them: searched in process, their direct replies counted. */
export interface CuratedAnswerSource<Match extends Scored> {
  search(vector: SparseVector, limit: number): Match[];
  recordHit(id: string): Promise<void>;
}

/** The knowledge base as the finder sees it. */
export interface KnowledgeSource<Match extends Scored> {
  search(vector: SparseVector, limit: number): Promise<Match[]>;
}

/**
 * Finds what a question can be answered from (curated answers, rated conversations and knowledge-base
 * chunks) in the order the chat considers them; the chat and the search API both ask it, so that they rank
 * alike.
 */
export class AnswerFinder<Curated extends Scored, Knowledge extends Scored> {
  constructor(
    private readonly dependencies: {
      retrieval: Pick<RetrievalService, 'search'>;
      curated: CuratedAnswerSource<Curated>;
      knowledge: KnowledgeSource<Knowledge>;
      /** ANNOTATION_REPLY_THRESHOLD: from this score on, a curated answer is served as it is. */
      replyThreshold: number;
      logger: Logger;
    },
  ) {}

  async find(vector: SparseVector, limit: number): Promise<RankedAnswer<Curated, Knowledge>[]> {
    const { retrieval, curated, knowledge, replyThreshold, logger } = this.dependencies;
    // The rated conversations are searched on the index's own thread: the curated answers and the
    // knowledge base are searched here meanwhile.
    const conversationsFound = retrieval
      .search(vector, limit)
      .catch((error: unknown): Awaited<ReturnType<RetrievalService['search']>> => {
        // Curated answers still count; rated conversations are left out until retrieval is back.
        logger.warn(
          { error: (error as Error).message },
          'retrieval failed; answering without rated conversations',
        );
        return [];
      });
    const curatedMatches = curated.search(vector, limit);
    let knowledgeMatches: Knowledge[] = [];
    try {
      knowledgeMatches = await knowledge.search(vector, limit);
    } catch (error) {
      logger.warn({ error: (error as Error).message }, 'knowledge search failed; answering without it');
    }
    return rankAnswers(
      { curated: curatedMatches, conversations: await conversationsFound, knowledge: knowledgeMatches },
      replyThreshold,
    ).slice(0, limit);
  }

  /** Counts a question answered by a curated answer; a failure to count never fails the answer. */
  async recordHit(id: string): Promise<void> {
    try {
      await this.dependencies.curated.recordHit(id);
    } catch (error) {
      this.dependencies.logger.warn(
        { error: (error as Error).message },
        'could not count a curated answer hit',
      );
    }
  }

  /** The curated answer to serve as it is, when the best match is close enough. */
  direct(ranked: readonly RankedAnswer<Curated, Knowledge>[]): Curated | undefined {
    const best = ranked[0];
    return best?.kind === 'curated' && best.score >= this.dependencies.replyThreshold ? best : undefined;
  }
}
