import { currentAnswer } from '../conversations/current-answer.js';
import type { Conversation } from '../storage/tables.js';
import { loadPiiRedactor } from './pii.js';

export interface TrainingExample {
  messages: [{ role: 'user'; content: string }, { role: 'assistant'; content: string }];
  metadata: { rating: number; corrected: boolean; timestamp: string; session_id: string; log_id: string };
}

export interface ExportOptions {
  /** EXPORT_REDACT_PII: phone numbers and e-mail addresses replaced in the texts. */
  redactPii: boolean;
}

/** How an export writes the texts: as stored, or redacted (which loads the redactor on the first such export). */
async function exportText(options: ExportOptions): Promise<(text: string) => string> {
  return options.redactPii ? await loadPiiRedactor() : (text) => text;
}

/** Rated conversations in OpenAI's chat fine-tuning format, with their corrected answers where they have one. */
export async function toTrainingExamples(
  conversations: readonly Conversation[],
  options: ExportOptions,
): Promise<TrainingExample[]> {
  const text = await exportText(options);
  return conversations.map((conversation) => toTrainingExample(conversation, text));
}

function toTrainingExample(conversation: Conversation, text: (value: string) => string): TrainingExample {
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
export async function toJsonLines(
  conversations: readonly Conversation[],
  withMetadata: boolean,
  options: ExportOptions,
): Promise<string> {
  return (await toTrainingExamples(conversations, options))
    .map((example) => `${JSON.stringify(withMetadata ? example : { messages: example.messages })}\n`)
    .join('');
}
