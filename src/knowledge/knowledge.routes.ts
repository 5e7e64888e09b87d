import type { FastifyInstance, FastifyRequest } from 'fastify';
import { adminDocs } from '../http/openapi.js';
import { withZod } from '../http/zod-app.js';
import { notFound } from '../platform/errors.js';
import {
  knowledgeDocumentRequestSchema,
  knowledgeDocumentSchema,
  knowledgeDocumentWithChunksSchema,
  knowledgeIdParamsSchema,
  knowledgeImportQuerySchema,
  knowledgeImportSchema,
  RAW_CONTENT_TYPES,
} from './knowledge.schemas.js';
import { type KnowledgeService, MAX_DOCUMENT_BYTES } from './knowledge.service.js';
import type { KnowledgeChunk, KnowledgeDocument } from './knowledge.store.js';

const PATH = '/api/knowledge/documents';

function toResponse(document: KnowledgeDocument) {
  return {
    id: document.id,
    title: document.title,
    format: document.format,
    source_name: document.sourceName,
    content_hash: document.contentHash,
    chunk_count: document.chunkCount,
    byte_size: document.byteSize,
    created_at: document.createdAt,
  };
}

function chunkToResponse(chunk: KnowledgeChunk) {
  return {
    id: chunk.id,
    position: chunk.position,
    title: chunk.title,
    text: chunk.text,
    question: chunk.question,
    answer: chunk.answer,
  };
}

/** A raw body becomes the JSON shape: title and source from the query, format from it or the content type. */
function rawBodyAsDocument(request: FastifyRequest): void {
  const mediaType = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  // A JSON body that is a bare string is not a document: it fails validation as it is.
  if (typeof request.body !== 'string' || !(mediaType in RAW_CONTENT_TYPES)) return;
  const query = request.query as Record<string, unknown>;
  request.body = {
    title: query.title,
    format: query.format ?? RAW_CONTENT_TYPES[mediaType],
    content: request.body,
    source: query.source,
  };
}

/** Admin import, listing and deletion of knowledge-base documents. */
export function registerKnowledgeRoutes(app: FastifyInstance, knowledge: KnowledgeService): void {
  const admin = { access: 'admin' as const };
  const notFoundMessage = (id: string) => `Документ базы знаний ${id} не найден`;

  // In its own scope, so that the raw-body content types are accepted here only.
  void app.register(async (scope) => {
    const zodApp = withZod(scope);
    scope.addContentTypeParser(
      Object.keys(RAW_CONTENT_TYPES).filter((type) => type !== 'text/plain'),
      { parseAs: 'string' },
      (_request, body, done) => done(null, body),
    );

    zodApp.post(
      PATH,
      {
        config: admin,
        // JSON escapes make the body longer than the document; the document itself is checked by size.
        bodyLimit: 2 * MAX_DOCUMENT_BYTES,
        preValidation: async (request) => rawBodyAsDocument(request),
        schema: {
          ...adminDocs(
            'knowledge',
            'Import a document or a Q&A list into the knowledge base',
            'JSON `{title, format, content, source?}` with format `markdown`, `text` or `qa_jsonl` (one ' +
              '`{"question": …, "answer": …}` per line), or the document itself as the body with content type ' +
              '`text/markdown`, `text/plain`, `application/x-ndjson` or `application/jsonl` and `?title=` ' +
              '(optional `&format=`, `&source=`). At most 2 MB. The document is chunked, embedded and indexed; ' +
              '201 with the stored document, or 200 with `duplicate: true` and the document stored before when ' +
              'the same content was imported already. A bad Q&A line answers 422 naming its line number.',
          ),
          querystring: knowledgeImportQuerySchema,
          body: knowledgeDocumentRequestSchema,
          response: { 200: knowledgeImportSchema, 201: knowledgeImportSchema },
        },
      },
      async (request, reply) => {
        const { title, format, content, source } = request.body;
        const { document, duplicate } = await knowledge.import({
          title,
          format,
          content,
          sourceName: source === undefined || source === '' ? null : source,
        });
        return reply.status(duplicate ? 200 : 201).send({ ...toResponse(document), duplicate });
      },
    );

    zodApp.get(
      PATH,
      {
        config: admin,
        schema: {
          ...adminDocs('knowledge', 'List knowledge-base documents with their chunk counts'),
          response: { 200: knowledgeDocumentSchema.array() },
        },
      },
      async () => (await knowledge.list()).map(toResponse),
    );

    zodApp.get(
      `${PATH}/:id`,
      {
        config: admin,
        schema: {
          ...adminDocs('knowledge', 'One knowledge-base document with its chunks'),
          params: knowledgeIdParamsSchema,
          response: { 200: knowledgeDocumentWithChunksSchema },
        },
      },
      async (request) => {
        const found = await knowledge.get(request.params.id);
        if (!found) throw notFound(notFoundMessage(request.params.id));
        return { ...toResponse(found.document), chunks: found.chunks.map(chunkToResponse) };
      },
    );

    zodApp.delete(
      `${PATH}/:id`,
      {
        config: admin,
        schema: {
          ...adminDocs('knowledge', 'Delete a knowledge-base document and its chunks'),
          params: knowledgeIdParamsSchema,
        },
      },
      async (request, reply) => {
        if (!(await knowledge.delete(request.params.id))) throw notFound(notFoundMessage(request.params.id));
        return reply.status(204).send();
      },
    );
  });
}
