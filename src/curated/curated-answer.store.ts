import type { Kysely, Selectable } from 'kysely';
import type { CuratedAnswerTable, DatabaseSchema } from '../storage/tables.js';

export interface CuratedAnswer {
  id: string;
  question: string;
  alternatives: string[];
  answer: string;
  origin: CuratedAnswerTable['origin'];
  status: CuratedAnswerTable['status'];
  hits: number;
  lastHitAt: string | null;
  /** The conversation a correction made this answer from. */
  sourceConversationId: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface CuratedAnswerInput {
  question: string;
  alternatives: string[];
  answer: string;
  status: CuratedAnswerTable['status'];
}

function fromRow(row: Selectable<CuratedAnswerTable>): CuratedAnswer {
  return {
    id: row.id,
    question: row.question,
    alternatives: JSON.parse(row.alternatives) as string[],
    answer: row.answer,
    origin: row.origin,
    status: row.status,
    hits: row.hits,
    lastHitAt: row.last_hit_at,
    sourceConversationId: row.source_conversation_id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** SQL for curated answers. */
export class CuratedAnswerStore {
  constructor(private readonly db: Kysely<DatabaseSchema>) {}

  async list(): Promise<CuratedAnswer[]> {
    const rows = await this.db.selectFrom('curated_answers').selectAll().orderBy('created_at').execute();
    return rows.map(fromRow);
  }

  get(id: string): Promise<CuratedAnswer | undefined> {
    return this.findOne('id', id);
  }

  async create(
    id: string,
    input: CuratedAnswerInput,
    now: string,
    source: { origin: CuratedAnswer['origin']; conversationId?: string } = { origin: 'admin' },
  ): Promise<CuratedAnswer> {
    await this.db
      .insertInto('curated_answers')
      .values({
        id,
        question: input.question,
        alternatives: JSON.stringify(input.alternatives),
        answer: input.answer,
        origin: source.origin,
        source_conversation_id: source.conversationId ?? null,
        status: input.status,
        last_hit_at: null,
        created_at: now,
        updated_at: now,
      })
      .execute();
    return (await this.get(id)) as CuratedAnswer;
  }

  /** Replaces the editable fields; undefined when there is no such answer. */
  /** The curated answer a correction of this conversation made, if any. */
  findByConversation(conversationId: string): Promise<CuratedAnswer | undefined> {
    return this.findOne('source_conversation_id', conversationId);
  }

  private async findOne(
    column: 'id' | 'source_conversation_id',
    value: string,
  ): Promise<CuratedAnswer | undefined> {
    const row = await this.db
      .selectFrom('curated_answers')
      .selectAll()
      .where(column, '=', value)
      .executeTakeFirst();
    return row && fromRow(row);
  }

  async update(id: string, input: CuratedAnswerInput, now: string): Promise<CuratedAnswer | undefined> {
    const result = await this.db
      .updateTable('curated_answers')
      .set({
        question: input.question,
        alternatives: JSON.stringify(input.alternatives),
        answer: input.answer,
        status: input.status,
        updated_at: now,
      })
      .where('id', '=', id)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 0 ? undefined : this.get(id);
  }

  async delete(id: string): Promise<boolean> {
    const result = await this.db.deleteFrom('curated_answers').where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async recordHit(id: string, now: string): Promise<void> {
    await this.db
      .updateTable('curated_answers')
      .set((update) => ({ hits: update('hits', '+', 1), last_hit_at: now }))
      .where('id', '=', id)
      .execute();
  }
}
