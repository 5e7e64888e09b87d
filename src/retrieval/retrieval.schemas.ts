import { z } from 'zod';
import { MAX_MESSAGE_LENGTH } from '../chat/chat.schemas.js';

export const searchQuerySchema = z.object({
  q: z
    .string({ error: 'q must be a question' })
    .refine((value) => value.trim() !== '', 'q must not be empty')
    .refine(
      (value) => [...value].length <= MAX_MESSAGE_LENGTH,
      `q must be at most ${MAX_MESSAGE_LENGTH} characters`,
    ),
  k: z.coerce
    .number({ error: 'k must be an integer from 1 to 50' })
    .int('k must be an integer from 1 to 50')
    .min(1, 'k must be an integer from 1 to 50')
    .max(50, 'k must be an integer from 1 to 50')
    .default(5),
});

export const searchResultSchema = z.array(
  z.object({
    kind: z.enum(['curated', 'conversation', 'knowledge']),
    id: z.string(),
    question: z.string(),
    answer: z.string(),
    score: z.number(),
  }),
);
