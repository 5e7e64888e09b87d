/**
 * Hostile input, the data written before the fuzzing, and how it is read back through the API and straight
 * from the database, to show afterwards that the fuzzing changed none of it.
 */
import type { Kysely } from 'kysely';
import { expect } from 'vitest';
import type { DatabaseSchema } from '../../src/storage/tables.js';
import type { Api } from '../api/support/api.js';
import { eventually } from '../helpers/eventually.js';

export const SEEDED_QUESTIONS = [
  'Сколько подъездов убирает одна бригада за день?',
  'Как часто моют полы в подъездах Северного района?',
  'Кто отвечает за уборку в Ленинском районе?',
  'Какой график работы у офиса ВасДом?',
] as const;

export interface Seeded {
  logIds: string[];
  curatedId: string;
  documentId: string;
}

export async function waitForLearningToSettle(api: Api): Promise<void> {
  await eventually(async () => {
    const status = await api.request('GET', '/api/voice/self-learning/status');
    const job = status.body.learning_job as { running: boolean; pending: boolean };
    return status.status === 200 && !job.running && !job.pending;
  });
}

export async function writeSeedData(api: Api): Promise<Seeded> {
  const answers = [];
  answers.push(await api.ask(SEEDED_QUESTIONS[0], 'fuzz-seed-session'));
  answers.push(await api.ask(SEEDED_QUESTIONS[1], 'fuzz-seed-session'));
  answers.push(await api.ask(SEEDED_QUESTIONS[2]));
  answers.push(await api.ask(SEEDED_QUESTIONS[3], 'fuzz-seed-other'));
  const [first, second, third] = answers as [(typeof answers)[0], (typeof answers)[0], (typeof answers)[0]];
  await api.rate(first.log_id, 5, 'Отличный ответ');
  await api.rate(second.log_id, 4);
  await api.rate(third.log_id, 3);
  await api.rate(third.log_id, 1, 'Неверно, это другой район');
  const curated = await api.request('POST', '/api/learning/annotations', {
    question: 'Можно ли заказать генеральную уборку чердака после ремонта?',
    alternatives: ['Убираете ли вы чердаки после ремонта?'],
    answer: 'Да, генеральную уборку чердака после ремонта делаем по отдельной заявке.',
  });
  expect(curated.status, JSON.stringify(curated.body)).toBe(201);
  const document = await api.request('POST', '/api/knowledge/documents', {
    title: 'Регламент приёмки работ',
    format: 'markdown',
    content:
      '# Приёмка\n\nСтарший бригадир принимает работу в тот же день.\n\n## Жалобы\n\nЖалобы разбираются за сутки.',
  });
  expect(document.status, JSON.stringify(document.body)).toBe(201);
  await waitForLearningToSettle(api);
  return {
    logIds: answers.map((answer) => answer.log_id),
    curatedId: curated.body.id,
    documentId: document.body.id,
  };
}

/** What the API says about the seeded data. */
export async function readThroughApi(api: Api, seeded: Seeded) {
  const get = async (url: string) => {
    const response = await api.request('GET', url);
    expect(response.status, `${url}: ${JSON.stringify(response.body)}`).toBe(200);
    return response.body;
  };
  const ids = new Set(seeded.logIds);
  const exported = await get('/api/learning/export?min_rating=1&limit=1000000');
  const curatedList = await get('/api/learning/annotations?origin=admin');
  const similar: Record<string, unknown> = {};
  for (const logId of seeded.logIds) {
    similar[`learning ${logId}`] = await get(`/api/learning/similar/${logId}?limit=50`);
    similar[`voice ${logId}`] = await get(`/api/voice/similar/${logId}?limit=50`);
  }
  return {
    exported: (exported.data as { metadata: { log_id: string } }[])
      .filter((item) => ids.has(item.metadata.log_id))
      .sort((left, right) => left.metadata.log_id.localeCompare(right.metadata.log_id)),
    similar,
    curated: await get(`/api/learning/annotations/${seeded.curatedId}`),
    curatedListed: (curatedList as { id: string }[]).filter((item) => item.id === seeded.curatedId),
    document: await get(`/api/knowledge/documents/${seeded.documentId}`),
  };
}

/** The same rows, read straight from the SQLite file over a connection of our own. */
/** The rows behind the seeded data, read with the service's own connection (SQLite or PostgreSQL). */
export async function readDatabase(db: Kysely<DatabaseSchema>, seeded: Seeded) {
  return {
    conversations: await db
      .selectFrom('conversations')
      .selectAll()
      .where('id', 'in', seeded.logIds)
      .orderBy('id')
      .execute(),
    feedback: await db
      .selectFrom('feedback')
      .selectAll()
      .where('conversation_id', 'in', seeded.logIds)
      .orderBy('id')
      .execute(),
    embeddings: await db
      .selectFrom('embeddings')
      .selectAll()
      .where('owner_id', 'in', seeded.logIds)
      .orderBy('owner_id')
      .orderBy('embedder')
      .execute(),
    curated: await db.selectFrom('curated_answers').selectAll().where('id', '=', seeded.curatedId).execute(),
    document: await db
      .selectFrom('knowledge_documents')
      .selectAll()
      .where('id', '=', seeded.documentId)
      .execute(),
    chunks: await db
      .selectFrom('knowledge_chunks')
      .selectAll()
      .where('document_id', '=', seeded.documentId)
      .orderBy('position')
      .execute(),
  };
}
