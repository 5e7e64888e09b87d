import { z } from 'zod';

/** The longest question (in code points) the service takes: chat, curated answers and search alike. */
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

/**
 * Optional text where null, a missing value and a blank string all mean "none" (the prototype's clients
 * send any of them): undefined then, else the text as sent.
 */
export const optionalText = (name: string, maxLength: number) =>
  z
    .string({ error: `${name} must be a string` })
    .max(maxLength, `${name} must be at most ${maxLength} characters`)
    .nullish()
    .transform((value) => (value === null || value === undefined || value.trim() === '' ? undefined : value));
