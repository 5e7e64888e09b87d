import { beforeAll, describe, expect, it } from 'vitest';
import type { FakeOpenAiServer } from '../helpers/fake-openai-server.js';
import type { Api } from './support/api.js';
import {
  BULBS_QUESTION,
  FAQ,
  FAQ_LINES,
  FAQ_TITLE,
  REGULATIONS,
  REGULATIONS_TITLE,
  SNOW_QUESTION,
  SNOW_SECTION,
  SNOW_TEXT,
} from './support/knowledge-documents.js';
import { useFakeLlmService, useTestService } from './support/service-block.js';

const PATH = '/api/knowledge/documents';

async function importDocuments(api: Api): Promise<void> {
  for (const document of [
    { title: REGULATIONS_TITLE, format: 'markdown', content: REGULATIONS },
    { title: FAQ_TITLE, format: 'qa_jsonl', content: FAQ_LINES },
  ]) {
    expect((await api.request('POST', PATH, document)).status).toBe(201);
  }
}

function systemPrompt(fake: FakeOpenAiServer): string {
  const messages = (fake.requests.at(-1)?.body?.messages ?? []) as { role: string; content: string }[];
  return messages.find((message) => message.role === 'system')?.content ?? '';
}

describe('knowledge in the ranking the chat and the search API share', () => {
  const context = useTestService();

  beforeAll(async () => {
    await importDocuments(context.api);
  });

  it('ranks curated answers served directly, rated conversations, knowledge, then weaker curated answers', async () => {
    const asked = await context.api.ask(SNOW_QUESTION);
    expect(asked.model_used).toBe('knowledge');
    await context.api.rate(asked.log_id, 5);
    await context.service.services.learning.requestPass();
    const direct = await context.api.request('POST', '/api/learning/annotations', {
      question: SNOW_QUESTION,
      answer: 'Снег у подъезда убирает дворник УК.',
    });
    const weaker = await context.api.request('POST', '/api/learning/annotations', {
      question: 'Кто убирает снег во дворе у дома?',
      answer: 'Двор убирает управляющая компания.',
    });

    const { body } = await context.api.request(
      'GET',
      `/api/retrieval/search?q=${encodeURIComponent(SNOW_QUESTION)}&k=10`,
    );
    const kinds = body.map((hit: { kind: string; id: string }) =>
      hit.kind === 'curated' ? (hit.id === direct.body.id ? 'curated' : 'weaker curated') : hit.kind,
    );
    const groups = ['curated', 'conversation', 'knowledge', 'weaker curated'];
    expect(kinds).toContain('weaker curated');
    expect([...new Set(kinds)]).toEqual(groups.filter((group) => kinds.includes(group)));
    expect(kinds.slice(0, 3)).toEqual(['curated', 'conversation', 'knowledge']);
    expect(body.find((hit: { kind: string }) => hit.kind === 'knowledge').answer).toBe(SNOW_TEXT);
    expect(body.find((hit: { id: string }) => hit.id === weaker.body.id).score).toBeLessThan(
      context.service.services.config.retrieval.annotationReplyThreshold,
    );
    for (const group of groups) {
      const scores = body
        .filter((_hit: unknown, rank: number) => kinds[rank] === group)
        .map((hit: { score: number }) => hit.score);
      expect(scores).toEqual([...scores].sort((left, right) => right - left));
    }
    // The chat serves the first: the curated answer, as it is.
    expect((await context.api.ask(SNOW_QUESTION)).response).toBe('Снег у подъезда убирает дворник УК.');
    // Without it, the rated conversation comes before the knowledge base.
    await context.api.request('DELETE', `/api/learning/annotations/${direct.body.id}`);
    expect(await context.api.ask(SNOW_QUESTION)).toMatchObject({
      model_used: 'retrieval',
      response: asked.response,
    });
  });
});

describe('knowledge with an LLM', () => {
  const llm = useFakeLlmService({ LLM_API_KEY: 'knowledge-test-key' });

  beforeAll(async () => {
    await importDocuments(llm.api);
  });

  it('gives the matching chunks to the LLM in their own section, with their documents', async () => {
    llm.fake.respondWith({ kind: 'answer', text: 'Снег убирает дворник управляющей компании.' });
    const answer = await llm.api.ask(SNOW_QUESTION);
    expect(answer.response).toBe('Снег убирает дворник управляющей компании.');
    expect(answer.similar_found).toBeGreaterThanOrEqual(1);
    const prompt = systemPrompt(llm.fake);
    expect(prompt).toContain('Из базы знаний компании');
    expect(prompt).toContain(`Документ «${REGULATIONS_TITLE}», раздел «${SNOW_SECTION}»`);
    expect(prompt).toContain(SNOW_TEXT);
    // Chunks are not passed off as answers given before.
    expect(prompt).not.toContain('Похожие вопросы, на которые уже были даны ответы');

    await llm.api.ask(BULBS_QUESTION);
    const faqPrompt = systemPrompt(llm.fake);
    expect(faqPrompt).toContain(`Документ «${FAQ_TITLE}»`);
    expect(faqPrompt).toContain(`Вопрос: ${FAQ[1]?.question}`);
    expect(faqPrompt).toContain(`Ответ: ${FAQ[1]?.answer}`);

    await llm.api.ask('Какая погода будет завтра в Москве?');
    expect(systemPrompt(llm.fake)).not.toContain('Из базы знаний компании');
  });

  it('answers from the best chunk when the LLM fails', async () => {
    llm.fake.respondWith({ kind: 'status', status: 500 });
    const answer = await llm.api.ask(BULBS_QUESTION);
    expect(answer).toMatchObject({
      model_used: 'knowledge',
      response: `Из базы знаний («${FAQ_TITLE}»): ${FAQ[1]?.answer}`,
    });
    llm.fake.respondWith({ kind: 'answer', text: 'Ответ модели.' });
    const metrics = (await llm.api.request('GET', '/api/metrics')).body as string;
    expect(metrics).toMatch(/^vasdom_ai_responses_total\{status="knowledge"\} 1$/m);
    expect(metrics).toMatch(/^vasdom_ai_responses_total\{status="error"\} 1$/m);
  });
});
