import { z } from 'zod';

export const MAX_MESSAGE_LENGTH = 2000;

const codePoints = (value: string) => [...value].length;

/** A question as users type it: not blank, at most MAX_MESSAGE_LENGTH characters (code points). */
export const questionText = (name: string) =>
  z
    .string({ error: `${name} must be a string` })
    .refine((value) => value.trim() !== '', `${name} must not be empty`)
    .refine(
      (value) => codePoints(value) <= MAX_MESSAGE_LENGTH,
      `${name} must be at most ${MAX_MESSAGE_LENGTH} characters`,
    );

export const processRequestSchema = z.object({
  message: questionText('message'),
  // The prototype crashed on `null`; null, a missing value and "" all mean "start a new session".
  session_id: z
    .string({ error: 'session_id must be a string' })
    .max(200, 'session_id must be at most 200 characters')
    .nullish()
    .transform((value) => (value === null || value === undefined || value.trim() === '' ? undefined : value)),
});

export const processResponseSchema = z.object({
  response: z.string(),
  log_id: z.string(),
  session_id: z.string(),
  model_used: z.string(),
  response_time: z.number(),
  similar_found: z.number().int(),
  learning_improved: z.boolean(),
});
