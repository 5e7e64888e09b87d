import { z } from 'zod';

/** A query-string integer in [min, max], with one message naming the parameter and its range. */
export const queryInteger = (name: string, min: number, max: number) => {
  const message = `${name} must be an integer from ${min} to ${max}`;
  return z.coerce.number({ error: message }).int(message).min(min, message).max(max, message);
};
