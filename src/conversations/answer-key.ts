import { createHash } from 'node:crypto';

/**
 * What identifies "the same answer" across conversations: a hash of its text with case and runs of
 * whitespace ignored. Ratings of the same answer given in several sessions are counted together by it.
 */
export function answerKey(answer: string): string {
  const normalized = answer.trim().replace(/\s+/g, ' ').toLowerCase();
  return createHash('sha256').update(normalized).digest('hex').slice(0, 32);
}
