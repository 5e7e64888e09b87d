import type { Conversation } from '../storage/tables.js';

/** What a conversation's answer is now: an administrator's correction where there is one. */
export function currentAnswer(conversation: Pick<Conversation, 'ai_response' | 'corrected_answer'>): string {
  return conversation.corrected_answer ?? conversation.ai_response;
}
