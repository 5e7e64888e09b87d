import type SqliteDatabase from 'better-sqlite3';
import { type CompiledQuery, type ExpressionBuilder, type Insertable, type Kysely, sql } from 'kysely';
import { placeholderRow, withParameters } from '../storage/compiled-query.js';
import type { EmbeddedWrites } from '../storage/database.js';
import { GroupCommit } from '../storage/group-commit.js';
import type {
  AnswerSource,
  Conversation,
  DatabaseSchema,
  EmbeddingTable,
  NewConversation,
} from '../storage/tables.js';
import { answerKey } from './answer-key.js';

type SqliteStatement = ReturnType<SqliteDatabase.Database['prepare']>;

export interface StoredEmbedding {
  embedder: string;
  vector: Buffer;
}

export interface ExportFilter {
  minRating: number;
  since?: string;
  limit?: number;
}

/** Conversations with no vector from `embedder`. */
function lacksEmbedding(embedder: string) {
  return ({ not, exists, selectFrom }: ExpressionBuilder<DatabaseSchema, 'conversations'>) =>
    not(
      exists(
        selectFrom('embeddings')
          .select('embeddings.owner_id')
          .whereRef('embeddings.owner_id', '=', 'conversations.id')
          .where('embeddings.owner_kind', '=', 'conversation')
          .where('embeddings.embedder', '=', embedder),
      ),
    );
}

const CONVERSATION_COLUMNS = [
  'id',
  'session_id',
  'user_message',
  'ai_response',
  'model_used',
  'answer_source',
  'response_time_ms',
  'similar_found',
  'rating',
  'feedback_text',
  'rated_at',
  'curated_answer_id',
  'answer_key',
  'prompt_version',
  'prompt_tokens',
  'completion_tokens',
  'llm_failure',
  'interrupted',
  'created_at',
  'updated_at',
] as const satisfies readonly (keyof NewConversation)[];

const EMBEDDING_COLUMNS = [
  'owner_kind',
  'owner_id',
  'embedder',
  'vector',
  'created_at',
] as const satisfies readonly (keyof EmbeddingTable)[];

interface ConversationWrite {
  conversation: NewConversation;
  embedding: StoredEmbedding | undefined;
}

/** SQL for conversations and their vectors. */
export class ConversationStore {
  private readonly writes: GroupCommit<ConversationWrite>;
  // The queries of every chat request, compiled once.
  private readonly insertConversation: CompiledQuery;
  private readonly insertEmbedding: CompiledQuery;
  /** By the number of ids (the retrieval top-k, so a handful of lengths). */
  private readonly selectByIds = new Map<number, CompiledQuery<Conversation>>();

  /** The inserts, prepared on the embedded connection at its first use. */
  private prepared: { conversation: SqliteStatement; embedding: SqliteStatement } | undefined;

  constructor(
    private readonly db: Kysely<DatabaseSchema>,
    /** SQLite: conversations are stored synchronously in one transaction (see EmbeddedWrites). */
    private readonly embedded?: EmbeddedWrites,
  ) {
    // An embedded commit is a few synchronous statements: a write to an idle store need not wait for the
    // event loop's next turn. A PostgreSQL commit is several round trips to the server: every write waits
    // for that turn, to share a commit with the writes that come meanwhile.
    this.writes = new GroupCommit((batch) => this.insertAll(batch), embedded ? { idleAfterMs: 1 } : {});
    this.insertConversation = db
      .insertInto('conversations')
      .values(placeholderRow(CONVERSATION_COLUMNS) as unknown as NewConversation)
      .compile();
    this.insertEmbedding = db
      .insertInto('embeddings')
      .values(placeholderRow(EMBEDDING_COLUMNS) as unknown as Insertable<EmbeddingTable>)
      .compile();
  }

  /**
   * Stores a conversation and the vector of its question; resolves once committed. Conversations stored
   * at about the same time share one transaction.
   */
  insert(conversation: NewConversation, embedding: StoredEmbedding | undefined): Promise<void> {
    return this.writes.write({
      conversation: {
        ...conversation,
        answer_key: answerKey(conversation.ai_response),
        interrupted: conversation.interrupted ?? 0,
      },
      embedding,
    });
  }

  private async insertAll(batch: readonly ConversationWrite[]): Promise<void> {
    const embeddings = batch.flatMap(({ conversation, embedding }): Insertable<EmbeddingTable>[] =>
      embedding
        ? [
            {
              owner_kind: 'conversation',
              owner_id: conversation.id,
              embedder: embedding.embedder,
              vector: embedding.vector,
              created_at: conversation.created_at,
            },
          ]
        : [],
    );
    const conversationRows = batch.map(({ conversation }) =>
      CONVERSATION_COLUMNS.map((column) => conversation[column] ?? null),
    );
    const embeddingRows = embeddings.map((row) => EMBEDDING_COLUMNS.map((column) => row[column]));
    if (this.embedded) {
      // In process: prepared statements run synchronously inside one transaction.
      await this.embedded.transaction((connection) => {
        this.prepared ??= {
          conversation: connection.prepare(this.insertConversation.sql),
          embedding: connection.prepare(this.insertEmbedding.sql),
        };
        for (const row of conversationRows) this.prepared.conversation.run(row);
        for (const row of embeddingRows) this.prepared.embedding.run(row);
      });
      return;
    }
    await this.db.transaction().execute(async (transaction) => {
      // Each statement is a round trip to the server: the whole batch goes in two.
      await transaction
        .insertInto('conversations')
        .values(batch.map((write) => write.conversation))
        .execute();
      if (embeddings.length > 0) await transaction.insertInto('embeddings').values(embeddings).execute();
    });
  }

  /** The session's last complete exchanges, oldest first, with corrected answers where there are. */
  async recentTurns(sessionId: string, limit: number): Promise<{ question: string; answer: string }[]> {
    const rows = await this.db
      .selectFrom('conversations')
      .select(['user_message', 'ai_response', 'corrected_answer'])
      .where('session_id', '=', sessionId)
      .where('interrupted', '=', 0)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
    return rows.reverse().map((row) => ({
      question: row.user_message,
      answer: row.corrected_answer ?? row.ai_response,
    }));
  }

  /** Answers by where they came from, with the LLM's token use and how many were given after it failed. */
  async answerSources(): Promise<
    {
      source: AnswerSource;
      answers: number;
      afterLlmFailure: number;
      promptTokens: number;
      completionTokens: number;
    }[]
  > {
    const rows = await this.db
      .selectFrom('conversations')
      .select((eb) => [
        'answer_source',
        eb.fn.countAll<number>().as('answers'),
        sql<number>`coalesce(sum(case when llm_failure is not null then 1 else 0 end), 0)`.as(
          'after_failure',
        ),
        sql<number>`coalesce(sum(prompt_tokens), 0)`.as('prompt_tokens'),
        sql<number>`coalesce(sum(completion_tokens), 0)`.as('completion_tokens'),
      ])
      .groupBy('answer_source')
      .execute();
    return rows.map((row) => ({
      source: row.answer_source,
      answers: Number(row.answers),
      afterLlmFailure: Number(row.after_failure),
      promptTokens: Number(row.prompt_tokens),
      completionTokens: Number(row.completion_tokens),
    }));
  }

  async findById(id: string): Promise<Conversation | undefined> {
    return this.db.selectFrom('conversations').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async findByIds(ids: readonly string[]): Promise<Conversation[]> {
    if (ids.length === 0) return [];
    let compiled = this.selectByIds.get(ids.length);
    if (compiled === undefined) {
      compiled = this.db.selectFrom('conversations').selectAll().where('id', 'in', ids).compile();
      this.selectByIds.set(ids.length, compiled);
    }
    return (await this.db.executeQuery(withParameters(compiled, ids))).rows;
  }

  async findEmbedding(id: string, embedder: string): Promise<Buffer | undefined> {
    const row = await this.db
      .selectFrom('embeddings')
      .select('vector')
      .where('owner_kind', '=', 'conversation')
      .where('owner_id', '=', id)
      .where('embedder', '=', embedder)
      .executeTakeFirst();
    return row?.vector;
  }

  async saveEmbeddings(rows: { id: string; vector: Buffer }[], embedder: string, now: string): Promise<void> {
    if (rows.length === 0) return;
    await this.db
      .insertInto('embeddings')
      .values(
        rows.map((row) => ({
          owner_kind: 'conversation' as const,
          owner_id: row.id,
          embedder,
          vector: row.vector,
          created_at: now,
        })),
      )
      .onConflict((conflict) =>
        conflict
          .columns(['owner_kind', 'owner_id', 'embedder'])
          .doUpdateSet((update) => ({ vector: update.ref('excluded.vector'), created_at: now })),
      )
      .execute();
  }

  /** Rated conversations at or above `minRating` with their vectors from `embedder`, in pages. */
  async *positiveWithEmbeddings(
    minRating: number,
    embedder: string,
    pageSize = 5000,
  ): AsyncGenerator<{ id: string; vector: Buffer }[]> {
    let after = '';
    for (;;) {
      // Walking the embeddings' primary key in order makes each page cost its own size, with no sort.
      const page = await this.db
        .selectFrom('embeddings')
        .innerJoin('conversations', 'conversations.id', 'embeddings.owner_id')
        .select(['embeddings.owner_id as id', 'embeddings.vector as vector'])
        .where('embeddings.owner_kind', '=', 'conversation')
        .where('embeddings.embedder', '=', embedder)
        .where('embeddings.owner_id', '>', after)
        .where('conversations.rating', '>=', minRating)
        .orderBy('embeddings.owner_id')
        .limit(pageSize)
        .execute();
      if (page.length === 0) return;
      yield page;
      after = (page.at(-1) as { id: string }).id;
    }
  }

  /** Conversations that have no vector from `embedder` yet, oldest first. */
  async withoutEmbedding(
    embedder: string,
    limit: number,
  ): Promise<{ id: string; user_message: string; rating: number | null }[]> {
    return this.db
      .selectFrom('conversations')
      .select(['id', 'user_message', 'rating'])
      .where(lacksEmbedding(embedder))
      .orderBy('created_at')
      .limit(limit)
      .execute();
  }

  async countWithoutEmbedding(embedder: string): Promise<number> {
    const row = await this.db
      .selectFrom('conversations')
      .select(({ fn }) => fn.countAll<number>().as('count'))
      .where(lacksEmbedding(embedder))
      .executeTakeFirstOrThrow();
    return Number(row.count);
  }

  async countEmbeddings(embedder: string): Promise<number> {
    const row = await this.db
      .selectFrom('embeddings')
      .select(({ fn }) => fn.countAll<number>().as('count'))
      .where('owner_kind', '=', 'conversation')
      .where('embedder', '=', embedder)
      .executeTakeFirstOrThrow();
    return Number(row.count);
  }

  /** Rated conversations for training datasets, newest first. */
  /** Answers rated 1 or 2 and not corrected, newest rating first. */
  async lowRatedUncorrected(limit: number, since: string | undefined): Promise<Conversation[]> {
    let query = this.db
      .selectFrom('conversations')
      .selectAll()
      .where('rating', '<=', 2)
      .where('corrected_answer', 'is', null)
      .orderBy('rated_at', 'desc')
      .limit(limit);
    if (since !== undefined) query = query.where('rated_at', '>=', since);
    return query.execute();
  }

  /**
   * Questions answered from the company profile (nothing stored matched), not corrected and not rated well,
   * newest first.
   */
  async unansweredUncorrected(limit: number, since: string | undefined): Promise<Conversation[]> {
    let query = this.db
      .selectFrom('conversations')
      .selectAll()
      .where('answer_source', '=', 'fallback')
      .where('corrected_answer', 'is', null)
      // A profile answer someone rated 4 or 5 served them: nothing is missing there.
      .where((where) => where.or([where('rating', 'is', null), where('rating', '<', 4)]))
      .orderBy('created_at', 'desc')
      .limit(limit);
    if (since !== undefined) query = query.where('created_at', '>=', since);
    return query.execute();
  }

  /** Records an administrator's better answer; false when there is no such conversation. */
  async correct(id: string, answer: string, now: string): Promise<boolean> {
    const result = await this.db
      .updateTable('conversations')
      .set({ corrected_answer: answer, corrected_at: now, updated_at: now })
      .where('id', '=', id)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** Conversations rated at least `minRating`, and every corrected one (an administrator vouches for it). */
  async listForExport(filter: ExportFilter): Promise<Conversation[]> {
    let query = this.db
      .selectFrom('conversations')
      .selectAll()
      .where((where) =>
        where.or([where('rating', '>=', filter.minRating), where('corrected_answer', 'is not', null)]),
      )
      .orderBy('created_at', 'desc')
      .orderBy('id');
    if (filter.since !== undefined) query = query.where('created_at', '>=', filter.since);
    if (filter.limit !== undefined) query = query.limit(filter.limit);
    return query.execute();
  }
}
