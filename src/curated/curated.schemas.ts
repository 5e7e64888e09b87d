import { z } from 'zod';
import { MAX_MESSAGE_LENGTH } from '../http/text-schemas.js';

const MAX_ANSWER_LENGTH = 4000;
const MAX_ALTERNATIVES = 20;

const phrasing = (name: string) =>
  z
    .string({ error: `${name} must be a string` })
    .trim()
    .min(1, `${name} must not be empty`)
    .max(MAX_MESSAGE_LENGTH, `${name} must be at most ${MAX_MESSAGE_LENGTH} characters`);

const answerText = z
  .string({ error: 'answer must be a string' })
  .trim()
  .min(1, 'answer must not be empty')
  .max(MAX_ANSWER_LENGTH, `answer must be at most ${MAX_ANSWER_LENGTH} characters`);

export const curatedAnswerRequestSchema = z.object({
  question: phrasing('question'),
  alternatives: z
    .array(phrasing('each alternative'), { error: 'alternatives must be a list of questions' })
    .max(MAX_ALTERNATIVES, `alternatives must hold at most ${MAX_ALTERNATIVES} questions`)
    .default([]),
  answer: answerText,
  status: z.enum(['active', 'review'], { error: 'status must be active or review' }).default('active'),
});

export const curatedListQuerySchema = z.object({
  status: z.enum(['active', 'review'], { error: 'status must be active or review' }).optional(),
  origin: z
    .enum(['admin', 'correction', 'promotion'], { error: 'origin must be admin, correction or promotion' })
    .optional(),
});

export const correctionRequestSchema = z.object({ answer: answerText });

export const curatedIdParamsSchema = z.object({ id: z.string().min(1).max(200) });

export const curatedAnswerSchema = z.object({
  id: z.string(),
  question: z.string(),
  alternatives: z.array(z.string()),
  answer: z.string(),
  origin: z.enum(['admin', 'correction', 'promotion']),
  status: z.enum(['active', 'review']),
  status_reason: z.string().nullable(),
  status_changed_at: z.string().nullable(),
  hits: z.number().int(),
  last_hit_at: z.string().nullable(),
  source_conversation_id: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
});
