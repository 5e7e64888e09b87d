import { z } from 'zod';

export const statusCheckRequestSchema = z.object({
  client_name: z
    .string({ error: 'client_name must be a string' })
    .trim()
    .min(1, 'client_name must not be empty')
    .max(200, 'client_name must be at most 200 characters'),
});
