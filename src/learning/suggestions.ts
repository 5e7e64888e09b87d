import type { ConversationStore } from '../conversations/conversation.store.js';

export interface Suggestions {
  /** Answers rated 1 or 2 that nobody has corrected yet: each a candidate for a correction. */
  low_rated: {
    log_id: string;
    question: string;
    answer: string;
    rating: number;
    comment: string | null;
    rated_at: string | null;
  }[];
  /** Questions nothing stored matched (answered from the company profile), the same wording counted once. */
  unanswered: { question: string; times_asked: number; last_asked_at: string; log_id: string }[];
}

/** How many recent unanswered conversations are read to group them by wording. */
const UNANSWERED_WINDOW = 5000;

/** Lower case, letters and digits only, single spaces: "Когда моют окна?" and "когда  моют окна" are one. */
function wordingKey(question: string): string {
  return question
    .toLowerCase()
    .replaceAll('ё', 'е')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** Where knowledge is missing: low-rated answers and questions nothing matched, newest first. */
export async function findSuggestions(
  conversations: Pick<ConversationStore, 'lowRatedUncorrected' | 'unansweredUncorrected'>,
  options: { limit: number; since: string | undefined },
): Promise<Suggestions> {
  const [lowRated, unanswered] = await Promise.all([
    conversations.lowRatedUncorrected(options.limit, options.since),
    conversations.unansweredUncorrected(UNANSWERED_WINDOW, options.since),
  ]);
  const byWording = new Map<string, Suggestions['unanswered'][number]>();
  for (const row of unanswered) {
    const key = wordingKey(row.user_message);
    const seen = byWording.get(key);
    if (seen) seen.times_asked++;
    else {
      byWording.set(key, {
        question: row.user_message,
        times_asked: 1,
        last_asked_at: row.created_at,
        log_id: row.id,
      });
    }
  }
  return {
    low_rated: lowRated.map((row) => ({
      log_id: row.id,
      question: row.user_message,
      answer: row.ai_response,
      rating: row.rating ?? 0,
      comment: row.feedback_text,
      rated_at: row.rated_at,
    })),
    unanswered: [...byWording.values()]
      .sort(
        (left, right) =>
          right.times_asked - left.times_asked || right.last_asked_at.localeCompare(left.last_asked_at),
      )
      .slice(0, options.limit),
  };
}
