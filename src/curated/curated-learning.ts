import type { Logger } from 'pino';
import type { Conversation } from '../storage/tables.js';
import type { CuratedAnswerService } from './curated-answers.service.js';
import type { RatingEvidenceStore } from './rating-evidence.store.js';

/** A promoted answer keeps this many of the questions it was rated 5 for: the first, then alternatives. */
const PROMOTED_QUESTIONS = 11;
/** A curated answer is demoted only when its negative ratings are at least this share of its ratings. */
const DEMOTION_SHARE = 1 / 3;

export interface CuratedLearningSettings {
  /** CURATED_PROMOTION_MIN_SESSIONS: distinct sessions that must have rated an answer 5. */
  promotionMinSessions: number;
  /** CURATED_DEMOTION_MIN_NEGATIVE: ratings of 2 or lower that send a curated answer to review. */
  demotionMinNegative: number;
}

/**
 * Curated answers learnt from ratings, in the learning pass. An answer rated 5 in enough distinct
 * sessions and never rated 2 or lower becomes a curated answer (origin `promotion`); a curated answer
 * whose ratings since its last edit hold enough of 2 or lower, and at least a third of them, goes to
 * review. Either way the reason is stored with it and shown in the admin API.
 */
export class CuratedLearning {
  constructor(
    private readonly dependencies: {
      curated: CuratedAnswerService;
      evidence: RatingEvidenceStore;
      logger: Logger;
      settings: CuratedLearningSettings;
    },
  ) {}

  /** Looks at what the conversations just rated say; returns the ids promoted and demoted. */
  async learnFrom(rated: readonly Conversation[]): Promise<{ promoted: string[]; demoted: string[] }> {
    const answerKeys = new Set<string>();
    const servedCurated = new Set<string>();
    for (const conversation of rated) {
      if (conversation.rating === null) continue;
      if (conversation.curated_answer_id && conversation.rating <= 2) {
        servedCurated.add(conversation.curated_answer_id);
      }
      if (conversation.rating === 5 && conversation.answer_key && conversation.answer_source !== 'curated') {
        answerKeys.add(conversation.answer_key);
      }
    }
    const promoted: string[] = [];
    for (const key of answerKeys) {
      const id = await this.promoteIfEarned(key);
      if (id) promoted.push(id);
    }
    const demoted: string[] = [];
    for (const id of servedCurated) {
      if (await this.demoteIfEarned(id)) demoted.push(id);
    }
    if (promoted.length > 0 || demoted.length > 0) {
      this.dependencies.logger.info({ promoted, demoted }, 'curated answers learnt from ratings');
    }
    return { promoted, demoted };
  }

  private async promoteIfEarned(answerKey: string): Promise<string | undefined> {
    const { curated, evidence, settings } = this.dependencies;
    const found = await evidence.ofAnswer(answerKey, PROMOTED_QUESTIONS);
    const [question, ...alternatives] = found.questions;
    if (
      found.answer === undefined ||
      question === undefined ||
      found.fiveStarSessions < settings.promotionMinSessions ||
      (found.lowestRating !== null && found.lowestRating <= 2) ||
      (await curated.holdsAnswer(answerKey))
    ) {
      return undefined;
    }
    const made = await curated.promote(
      { question, alternatives, answer: found.answer },
      {
        answerKey,
        reason: `Оценка 5 в ${found.fiveStarSessions} разных сессиях, ни одной оценки 2 или ниже`,
      },
    );
    return made?.id;
  }

  private async demoteIfEarned(id: string): Promise<boolean> {
    const { curated, evidence, settings } = this.dependencies;
    const answer = await curated.get(id);
    if (answer?.status !== 'active') return false;
    // Ratings given before its last edit judged another text or status.
    const { rated, negative } = await evidence.ofCurated(id, answer.updatedAt);
    if (negative < settings.demotionMinNegative || negative < rated * DEMOTION_SHARE) return false;
    await curated.demote(id, `${negative} из ${rated} оценок после последнего изменения — 2 или ниже`);
    return true;
  }
}
