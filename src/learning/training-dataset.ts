import { currentAnswer } from '../chat/current-answer.js';
import type { Conversation } from '../storage/tables.js';
import { redactPii } from './pii.js';

export interface TrainingExample {
  messages: [{ role: 'user'; content: string }, { role: 'assistant'; content: string }];
  metadata: { rating: number; corrected: boolean; timestamp: string; session_id: string; log_id: string };
}

export interface ExportOptions {
  /** EXPORT_REDACT_PII: phone numbers and e-mail addresses replaced in the texts. */
  redactPii: boolean;
}

/** A rated conversation in OpenAI's chat fine-tuning format, with its corrected answer where it has one. */
export function toTrainingExample(conversation: Conversation, options: ExportOptions): TrainingExample {
  const text = options.redactPii ? redactPii : (value: string) => value;
  return {
    messages: [
      { role: 'user', content: text(conversation.user_message) },
      { role: 'assistant', content: text(currentAnswer(conversation)) },
    ],
    metadata: {
      rating: conversation.rating ?? 0,
      corrected: conversation.corrected_answer !== null,
      timestamp: conversation.created_at,
      session_id: conversation.session_id,
      log_id: conversation.id,
    },
  };
}

/** One JSON object per line, as fine-tuning APIs expect; the metadata stays out of the training file. */
export function toJsonLines(
  conversations: readonly Conversation[],
  withMetadata: boolean,
  options: ExportOptions,
): string {
  return conversations
    .map((conversation) => {
      const example = toTrainingExample(conversation, options);
      return JSON.stringify(withMetadata ? example : { messages: example.messages });
    })
    .map((line) => `${line}\n`)
    .join('');
}
