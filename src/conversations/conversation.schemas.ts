import { z } from 'zod';

/** A conversation named in a path by its id (`log_id`, the prototype's name). */
export const logIdParamsSchema = z.object({
  log_id: z.string().min(1).max(200),
});
