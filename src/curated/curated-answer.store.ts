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
  /** Why the learning pass last set the status (a promotion or a demotion); null when an admin did. */
  statusReason: string | null;
  statusChangedAt: string | null;
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
    statusReason: row.status_reason,
    statusChangedAt: row.status_changed_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** Where a new curated answer comes from. */
interface CuratedAnswerSource {
  origin: CuratedAnswer['origin'];
  /** A correction: the corrected conversation. */
  conversationId?: string;
  /** A promotion: the answer key of the promoted answer, and why it was promoted. */
  answerKey?: string;
  reason?: string;
}

/** SQL for curated answers. */
export class CuratedAnswerStore {
  constructor(private readonly db: Kysely<DatabaseSchema>) {}

  async list(
    filter: { status?: CuratedAnswer['status']; origin?: CuratedAnswer['origin'] } = {},
  ): Promise<CuratedAnswer[]> {
    let query = this.db.selectFrom('curated_answers').selectAll();
    if (filter.status) query = query.where('status', '=', filter.status);
    if (filter.origin) query = query.where('origin', '=', filter.origin);
    return (await query.orderBy('created_at').execute()).map(fromRow);
  }

  get(id: string): Promise<CuratedAnswer | undefined> {
    return this.findOne('id', id);
  }

  async create(
    id: string,
    input: CuratedAnswerInput,
    now: string,
    source: CuratedAnswerSource = { origin: 'admin' },
  ): Promise<CuratedAnswer> {
    await this.insert(id, input, now, source);
    return (await this.get(id)) as CuratedAnswer;
  }

  /** Undefined when this answer was promoted already (another replica may have just done it). */
  async createPromotion(
    id: string,
    input: CuratedAnswerInput,
    now: string,
    promotion: { answerKey: string; reason: string },
  ): Promise<CuratedAnswer | undefined> {
    const inserted = await this.insert(id, input, now, { origin: 'promotion', ...promotion });
    return inserted ? this.get(id) : undefined;
  }

  private async insert(
    id: string,
    input: CuratedAnswerInput,
    now: string,
    source: CuratedAnswerSource,
  ): Promise<boolean> {
    const result = await this.db
      .insertInto('curated_answers')
      .values({
        id,
        question: input.question,
        alternatives: JSON.stringify(input.alternatives),
        answer: input.answer,
        origin: source.origin,
        source_conversation_id: source.conversationId ?? null,
        source_answer_key: source.answerKey ?? null,
        status: input.status,
        status_reason: source.reason ?? null,
        status_changed_at: now,
        last_hit_at: null,
        created_at: now,
        updated_at: now,
      })
      .onConflict((conflict) => conflict.column('source_answer_key').doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
  }

  /** The curated answer a promotion of this answer key made, if any. */
  findByAnswerKey(key: string): Promise<CuratedAnswer | undefined> {
    return this.findOne('source_answer_key', key);
  }

  /** The learning pass's change of status, with its reason. */
  async setStatus(id: string, status: CuratedAnswer['status'], reason: string, now: string): Promise<void> {
    await this.db
      .updateTable('curated_answers')
      .set({ status, status_reason: reason, status_changed_at: now, updated_at: now })
      .where('id', '=', id)
      .execute();
  }

  /** The curated answer a correction of this conversation made, if any. */
  findByConversation(conversationId: string): Promise<CuratedAnswer | undefined> {
    return this.findOne('source_conversation_id', conversationId);
  }

  private async findOne(
    column: 'id' | 'source_conversation_id' | 'source_answer_key',
    value: string,
  ): Promise<CuratedAnswer | undefined> {
    const row = await this.db
      .selectFrom('curated_answers')
      .selectAll()
      .where(column, '=', value)
      .executeTakeFirst();
    return row && fromRow(row);
  }

  /** Replaces the editable fields; a change of status by an admin clears the learning pass's reason. */
  async update(id: string, input: CuratedAnswerInput, now: string): Promise<CuratedAnswer | undefined> {
    const result = await this.db
      .updateTable('curated_answers')
      .set(({ eb, ref }) => {
        const statusChanges = eb(ref('status'), '!=', input.status);
        return {
          question: input.question,
          alternatives: JSON.stringify(input.alternatives),
          answer: input.answer,
          status: input.status,
          status_reason: eb.case().when(statusChanges).then(null).else(ref('status_reason')).end(),
          status_changed_at: eb.case().when(statusChanges).then(now).else(ref('status_changed_at')).end(),
          updated_at: now,
        };
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
