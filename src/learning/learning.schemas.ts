import { z } from 'zod';
import { queryInteger } from '../http/query-schemas.js';
import { optionalText } from '../http/text-schemas.js';

export const feedbackRequestSchema = z.object({
  log_id: z.string({ error: 'log_id must be a string' }).trim().min(1, 'log_id must not be empty').max(200),
  rating: z
    .number({ error: 'rating must be an integer from 1 to 5' })
    .int('rating must be an integer from 1 to 5')
    .min(1, 'rating must be an integer from 1 to 5')
    .max(5, 'rating must be an integer from 1 to 5'),
  // A blank comment is stored as no comment.
  feedback_text: optionalText('feedback_text', 2000).transform((value) => value ?? null),
});

export const feedbackResponseSchema = z.object({
  success: z.boolean(),
  message: z.string(),
  log_id: z.string(),
  will_be_used_for_training: z.boolean(),
});

export const similarQuerySchema = z.object({ limit: queryInteger('limit', 1, 50).default(5) });

export const suggestionsQuerySchema = z.object({
  limit: queryInteger('limit', 1, 500).default(50),
  days_back: queryInteger('days_back', 1, 3650).optional(),
});

export const embeddingsUpdateQuerySchema = z.object({
  batch_size: queryInteger('batch_size', 1, 10_000).default(100),
});

export const exportQuerySchema = z.object({
  format: z.enum(['json', 'jsonl'], { error: 'format must be json or jsonl' }).default('json'),
  min_rating: queryInteger('min_rating', 1, 5).optional(),
  days_back: queryInteger('days_back', 1, 3650).optional(),
  limit: queryInteger('limit', 1, 1_000_000).optional(),
});
