import { z } from 'zod';
import { queryInteger } from '../http/query-schemas.js';
import { questionText } from '../http/text-schemas.js';

export const searchQuerySchema = z.object({
  q: questionText('q'),
  k: queryInteger('k', 1, 50).default(5),
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
