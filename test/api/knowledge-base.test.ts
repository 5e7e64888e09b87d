import { afterAll, describe, expect, it } from 'vitest';
import { MAX_DOCUMENT_BYTES } from '../../src/knowledge/knowledge.service.js';
import { type Api, expectNotFound, expectValidationError, ISO_TIMESTAMP } from './support/api.js';
import {
  BULBS_QUESTION,
  FAQ,
  FAQ_LINES,
  FAQ_TITLE,
  NOTICE,
  NOTICE_TITLE,
  REGULATIONS,
  REGULATIONS_TITLE,
  SNOW_QUESTION,
  SNOW_SECTION,
  SNOW_TEXT,
} from './support/knowledge-documents.js';
import { useTestService } from './support/service-block.js';

const PATH = '/api/knowledge/documents';
const search = (api: Api, question: string, k = 5) =>
  api.request('GET', `/api/retrieval/search?q=${encodeURIComponent(question)}&k=${k}`);
const raw = (api: Api, url: string, contentType: string, body: string) =>
  api.raw('POST', url, { headers: { 'content-type': contentType }, body });

describe('knowledge base', () => {
  const context = useTestService();
  let regulationsId: string;

  afterAll(() => {
    expect(context.api.serverErrors()).toEqual([]);
  });

  it('imports Markdown sent as JSON, chunked by headings, and lists and shows it', async () => {
    const created = await context.api.request('POST', PATH, {
      title: REGULATIONS_TITLE,
      format: 'markdown',
      content: REGULATIONS,
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({
      title: REGULATIONS_TITLE,
      format: 'markdown',
      source_name: null,
      chunk_count: 4,
      byte_size: Buffer.byteLength(REGULATIONS),
      duplicate: false,
    });
    expect(created.body.content_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(created.body.created_at).toMatch(ISO_TIMESTAMP);
    regulationsId = created.body.id;

    const listed = await context.api.request('GET', PATH);
    expect(listed.status).toBe(200);
    const { duplicate: _duplicate, ...document } = created.body;
    expect(listed.body).toContainEqual(document);

    const shown = await context.api.request('GET', `${PATH}/${regulationsId}`);
    expect(shown.status).toBe(200);
    expect(shown.body).toMatchObject(document);
    expect(shown.body.chunks.map((chunk: { position: number; title: string }) => chunk.title)).toEqual([
      'Регламент уборки подъездов',
      'Регламент уборки подъездов › Мытьё окон',
      `Регламент уборки подъездов › ${SNOW_SECTION}`,
      'Регламент уборки подъездов › Жалобы жителей',
    ]);
    expect(shown.body.chunks.map((chunk: { position: number }) => chunk.position)).toEqual([0, 1, 2, 3]);
    expect(shown.body.chunks[2]).toMatchObject({ text: SNOW_TEXT, question: null, answer: null });
  });

  it('imports raw bodies: text, Q&A lines and Markdown, titled by the query', async () => {
    const notice = await raw(
      context.api,
      `${PATH}?title=${encodeURIComponent(NOTICE_TITLE)}&source=notice.txt`,
      'text/plain; charset=utf-8',
      NOTICE,
    );
    expect(notice.status, JSON.stringify(notice.body)).toBe(201);
    expect(notice.body).toMatchObject({ title: NOTICE_TITLE, format: 'text', source_name: 'notice.txt' });
    expect(notice.body.chunk_count).toBe(1);

    const faq = await raw(
      context.api,
      `${PATH}?title=${encodeURIComponent(FAQ_TITLE)}`,
      'application/x-ndjson',
      FAQ_LINES,
    );
    expect(faq.status, JSON.stringify(faq.body)).toBe(201);
    expect(faq.body).toMatchObject({ format: 'qa_jsonl', chunk_count: FAQ.length });
    const chunks = (await context.api.request('GET', `${PATH}/${faq.body.id}`)).body.chunks;
    expect(
      chunks.map((chunk: { question: string; answer: string }) => [chunk.question, chunk.answer]),
    ).toEqual(FAQ.map((pair) => [pair.question, pair.answer]));

    const jsonl = await raw(
      context.api,
      `${PATH}?title=${encodeURIComponent('Ещё вопросы')}`,
      'application/jsonl',
      JSON.stringify({ question: 'Работаете ли вы в праздники?', answer: 'Да, по графику.' }),
    );
    expect(jsonl.status).toBe(201);
    expect(jsonl.body.format).toBe('qa_jsonl');

    const markdown = await raw(
      context.api,
      `${PATH}?title=${encodeURIComponent('Инструкция')}`,
      'text/markdown; charset=utf-8',
      '# Инструкция\n\nПеред уборкой проверьте инвентарь.',
    );
    expect(markdown.status).toBe(201);
    expect(markdown.body).toMatchObject({ format: 'markdown', chunk_count: 1 });
    // ?format= names the format of a body whose content type does not.
    const forced = await raw(
      context.api,
      `${PATH}?title=${encodeURIComponent('Заметка')}&format=markdown`,
      'text/plain',
      '## Заметка\n\nИнвентарь хранится в подвале.',
    );
    expect(forced.body).toMatchObject({ format: 'markdown' });
  });

  it('reports content imported before, whatever its line endings, instead of storing it twice', async () => {
    const before = (await context.api.request('GET', PATH)).body.length;
    const again = await raw(
      context.api,
      `${PATH}?title=${encodeURIComponent('Другое название')}`,
      'text/markdown',
      `\uFEFF${REGULATIONS.replaceAll('\n', '\r\n')}`,
    );
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ id: regulationsId, title: REGULATIONS_TITLE, duplicate: true });
    expect((await context.api.request('GET', PATH)).body.length).toBe(before);
  });

  it('rejects bad documents with a 4xx that says what is wrong', async () => {
    const valid = { title: 'Документ', format: 'text', content: 'Текст.' };
    expectValidationError(await context.api.request('POST', PATH, { ...valid, format: 'pdf' }), [
      'body',
      'format',
    ]);
    expectValidationError(await context.api.request('POST', PATH, { ...valid, content: '  \n ' }), [
      'body',
      'content',
    ]);
    expectValidationError(await context.api.request('POST', PATH, { ...valid, title: ' ' }), [
      'body',
      'title',
    ]);
    expectValidationError(await context.api.request('POST', PATH, { format: 'text', content: 'Текст.' }), [
      'body',
      'title',
    ]);
    expectValidationError(await context.api.request('POST', PATH, JSON.stringify('Текст без названия.')), [
      'body',
    ]);
    // A raw body without ?title= names the title as missing.
    expectValidationError(await raw(context.api, PATH, 'text/plain', 'Текст без названия.'), [
      'body',
      'title',
    ]);
    expectValidationError(await raw(context.api, `${PATH}?title=x`, 'text/plain', ''), ['body', 'content']);

    const badLines = await raw(
      context.api,
      `${PATH}?title=x`,
      'application/x-ndjson',
      `${JSON.stringify(FAQ[0])}\n{"question": "Без ответа"}\nне json`,
    );
    expect(badLines.status).toBe(422);
    expect(badLines.body.detail).toMatch(/строка 2: нужно поле "answer".*строка 3: не JSON/);

    const headingsOnly = await context.api.request('POST', PATH, {
      ...valid,
      format: 'markdown',
      content: '# Раздел\n',
    });
    expect(headingsOnly.status).toBe(422);
    expect(headingsOnly.body.detail).toContain('нет текста');

    const oversize = await raw(
      context.api,
      `${PATH}?title=x`,
      'text/plain',
      'я'.repeat(MAX_DOCUMENT_BYTES / 2 + 1),
    );
    expect(oversize.status).toBe(413);
    expect(oversize.body.detail).toContain('2 МБ');
    const farTooLarge = await raw(
      context.api,
      `${PATH}?title=x`,
      'text/plain',
      'a'.repeat(2 * MAX_DOCUMENT_BYTES + 1),
    );
    expect(farTooLarge.status).toBe(413);
    expect(farTooLarge.body.detail).toContain(String(2 * MAX_DOCUMENT_BYTES));

    const unsupported = await raw(context.api, `${PATH}?title=x`, 'application/pdf', '%PDF-1.7');
    expect(unsupported.status).toBe(415);
    expect(unsupported.body.detail).toContain('application/pdf');

    expectNotFound(await context.api.request('GET', `${PATH}/no-such-document`));
    expectNotFound(await context.api.request('DELETE', `${PATH}/no-such-document`));
  });

  it('finds documents by search, ranked with kind "knowledge", and answers from them without an LLM', async () => {
    const chunks = (await context.api.request('GET', `${PATH}/${regulationsId}`)).body.chunks;
    const snow = await search(context.api, SNOW_QUESTION);
    expect(snow.status).toBe(200);
    expect(snow.body[0]).toMatchObject({
      kind: 'knowledge',
      id: chunks[2].id,
      question: `Регламент уборки подъездов › ${SNOW_SECTION}`,
      answer: SNOW_TEXT,
    });
    expect(snow.body[0].score).toBeGreaterThanOrEqual(
      context.service.services.config.retrieval.similarityThreshold,
    );

    const bulbs = await search(context.api, BULBS_QUESTION);
    expect(bulbs.body[0]).toMatchObject({
      kind: 'knowledge',
      question: FAQ[1]?.question,
      answer: FAQ[1]?.answer,
    });

    const answer = await context.api.ask(SNOW_QUESTION);
    expect(answer.model_used).toBe('knowledge');
    expect(answer.response).toBe(
      `Из базы знаний («${REGULATIONS_TITLE}», раздел «${SNOW_SECTION}»): ${SNOW_TEXT}`,
    );
    expect(answer.similar_found).toBeGreaterThanOrEqual(1);
    const faqAnswer = await context.api.ask(BULBS_QUESTION);
    expect(faqAnswer).toMatchObject({
      model_used: 'knowledge',
      response: `Из базы знаний («${FAQ_TITLE}»): ${FAQ[1]?.answer}`,
    });
    expect((await context.api.ask('Какая погода будет завтра в Москве?')).model_used).toBe('fallback');
  });

  it('deletes a document with its chunks and no longer answers from it', async () => {
    expect((await context.api.request('DELETE', `${PATH}/${regulationsId}`)).status).toBe(204);
    expectNotFound(await context.api.request('GET', `${PATH}/${regulationsId}`));
    expectNotFound(await context.api.request('DELETE', `${PATH}/${regulationsId}`));
    const left = await context.service.services.database.db
      .selectFrom('knowledge_chunks')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where('document_id', '=', regulationsId)
      .executeTakeFirstOrThrow();
    expect(Number(left.count)).toBe(0);
    // Nothing of the deleted document is found; the other documents may still match a little.
    const found = (await search(context.api, SNOW_QUESTION)).body as { answer: string }[];
    expect(found.filter((hit) => hit.answer.includes(SNOW_TEXT))).toEqual([]);
    expect((await context.api.ask(SNOW_QUESTION)).model_used).toBe('fallback');
    // The same content can be imported again once deleted.
    const again = await context.api.request('POST', PATH, {
      title: REGULATIONS_TITLE,
      format: 'markdown',
      content: REGULATIONS,
    });
    expect(again.status).toBe(201);
  });
});
