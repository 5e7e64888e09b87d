import { z } from 'zod';
import { KNOWLEDGE_FORMATS, type KnowledgeFormat } from './knowledge-chunker.js';

export const MAX_TITLE_LENGTH = 200;
const MAX_SOURCE_LENGTH = 500;

const formatSchema = z.enum(KNOWLEDGE_FORMATS, { error: 'format must be markdown, text or qa_jsonl' });

/**
 * A document to import. A raw body (text/markdown, text/plain, application/x-ndjson or application/jsonl)
 * is turned into this shape first: title and source from the query, format from the query or the content type.
 */
export const knowledgeDocumentRequestSchema = z.object({
  title: z
    .string({ error: 'title must be a string (for a raw body: ?title=)' })
    .trim()
    .min(1, 'title must not be empty')
    .max(MAX_TITLE_LENGTH, `title must be at most ${MAX_TITLE_LENGTH} characters`),
  format: formatSchema,
  content: z
    .string({ error: 'content must be a string' })
    .refine((value) => value.trim() !== '', 'content must not be empty'),
  source: z
    .string({ error: 'source must be a string' })
    .trim()
    .max(MAX_SOURCE_LENGTH, `source must be at most ${MAX_SOURCE_LENGTH} characters`)
    .optional(),
});

/** For a raw body only; a JSON body carries these itself. */
export const knowledgeImportQuerySchema = z.object({
  title: z.string().optional(),
  format: formatSchema.optional(),
  source: z.string().optional(),
});

/** Content types of raw bodies and the format each means. */
export const RAW_CONTENT_TYPES: Readonly<Record<string, KnowledgeFormat>> = {
  'text/markdown': 'markdown',
  'text/x-markdown': 'markdown',
  'text/plain': 'text',
  'application/x-ndjson': 'qa_jsonl',
  'application/jsonl': 'qa_jsonl',
  'application/x-jsonlines': 'qa_jsonl',
};

export const knowledgeIdParamsSchema = z.object({ id: z.string().min(1).max(200) });

export const knowledgeDocumentSchema = z.object({
  id: z.string(),
  title: z.string(),
  format: formatSchema,
  source_name: z.string().nullable(),
  content_hash: z.string(),
  chunk_count: z.number().int(),
  byte_size: z.number().int(),
  created_at: z.string(),
});

export const knowledgeImportSchema = knowledgeDocumentSchema.extend({ duplicate: z.boolean() });

export const knowledgeDocumentWithChunksSchema = knowledgeDocumentSchema.extend({
  chunks: z.array(
    z.object({
      id: z.string(),
      position: z.number().int(),
      title: z.string(),
      text: z.string(),
      question: z.string().nullable(),
      answer: z.string().nullable(),
    }),
  ),
});
