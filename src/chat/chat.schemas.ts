import { z } from 'zod';
import { optionalText, questionText } from '../http/text-schemas.js';

export const processRequestSchema = z.object({
  message: questionText('message'),
  // The prototype crashed on `null`; null, a missing value and "" all mean "start a new session".
  session_id: optionalText('session_id', 200),
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
