import { describe, expect, it } from 'vitest';
import { expectNotFound, expectValidationError } from './support/api.js';
import { useTestService } from './support/service-block.js';

const QUESTION = 'Во сколько бригада начинает уборку подъездов по субботам?';
const REWORDED = 'по субботам во сколько бригада начинает убирать подъезды';
const CORRECTED = 'По субботам бригады начинают уборку подъездов в 9:00 и заканчивают к 15:00.';

describe('PUT /api/conversations/{log_id}/correction', () => {
  const context = useTestService({ ANNOTATION_REPLY_THRESHOLD: '0.6' });

  it('stores the better answer, serves it as a curated answer, and exports it', async () => {
    const asked = await context.api.ask(QUESTION);
    expect(asked.model_used).toBe('fallback');
    const corrected = await context.api.request('PUT', `/api/conversations/${asked.log_id}/correction`, {
      answer: `  ${CORRECTED}  `,
    });
    expect(corrected.status).toBe(200);
    expect(corrected.body).toMatchObject({
      log_id: asked.log_id,
      question: QUESTION,
      original_answer: asked.response,
      corrected_answer: CORRECTED,
      curated_answer: {
        origin: 'correction',
        source_conversation_id: asked.log_id,
        answer: CORRECTED,
        status: 'active',
      },
    });

    const again = await context.api.ask(REWORDED);
    expect(again.model_used).toBe('curated');
    expect(again.response).toBe(CORRECTED);

    // Correcting again updates the same curated answer.
    const better = `${CORRECTED} В праздники — по отдельному графику.`;
    const second = await context.api.request('PUT', `/api/conversations/${asked.log_id}/correction`, {
      answer: better,
    });
    expect(second.body.curated_answer.id).toBe(corrected.body.curated_answer.id);
    const curated = (await context.api.request('GET', '/api/learning/annotations')).body.filter(
      (item: { source_conversation_id: string | null }) => item.source_conversation_id === asked.log_id,
    );
    expect(curated).toHaveLength(1);
    expect(curated[0].answer).toBe(better);
    expect((await context.api.ask(REWORDED)).response).toBe(better);

    // The export carries the corrected answer, though nobody rated the conversation.
    const exported = await context.api.request('GET', '/api/learning/export');
    const example = exported.body.data.find(
      (item: { metadata: { log_id: string } }) => item.metadata.log_id === asked.log_id,
    );
    expect(example.messages).toEqual([
      { role: 'user', content: QUESTION },
      { role: 'assistant', content: better },
    ]);
    expect(example.metadata.corrected).toBe(true);
    const jsonl = await context.api.raw('GET', '/api/learning/export?format=jsonl');
    expect(jsonl.body as string).toContain(JSON.stringify({ role: 'assistant', content: better }));
  });

  it('answers 404 for an unknown conversation and 422 for an empty answer', async () => {
    expectNotFound(
      await context.api.request('PUT', '/api/conversations/no-such-log/correction', { answer: 'Ответ.' }),
    );
    const asked = await context.api.ask('Сколько стоит мытьё окон в подъезде?');
    expectValidationError(
      await context.api.request('PUT', `/api/conversations/${asked.log_id}/correction`, { answer: '  ' }),
      ['body', 'answer'],
    );
    expectValidationError(
      await context.api.request('PUT', `/api/conversations/${asked.log_id}/correction`, {}),
      ['body', 'answer'],
    );
  });
});
