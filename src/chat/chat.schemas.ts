import { z } from 'zod';
import { questionText } from '../http/text-schemas.js';

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
