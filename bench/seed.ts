import { mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import SqliteDatabase from 'better-sqlite3';
import { conversationRecord } from './dataset.js';

// The service's own code, loaded from the build (dist/) so the bench stores exactly what the service
// would: same migrations, same embedder, same vector encoding. Types come from the sources.
type DatabaseModule = typeof import('../src/storage/database.js');
type EmbedderModule = typeof import('../src/retrieval/local-embedder.js');
type SparseVectorModule = typeof import('../src/retrieval/sparse-vector.js');

export const DATABASE_FILE = 'vasdom.sqlite';

export interface SeedReport {
  conversations: number;
  feedbackRows: number;
  distinctQuestions: number;
  seconds: number;
  databaseBytes: number;
}

async function loadBuilt<T>(distDir: string, modulePath: string): Promise<T> {
  return (await import(pathToFileURL(path.join(distDir, modulePath)).href)) as T;
}

/** Creates the schema the way the service does: its own migrations, through its own database module. */
export async function migrate(distDir: string, file: string): Promise<void> {
  const { openDatabase, migrateToLatest } = await loadBuilt<DatabaseModule>(distDir, 'storage/database.js');
  const database = openDatabase({ kind: 'sqlite', file, synchronous: 'NORMAL' });
  try {
    await migrateToLatest(database.db);
  } finally {
    await database.close();
  }
}

/**
 * Fills `dataDir` with `count` rated (4–5) conversations, their feedback rows and their question vectors,
 * in one transaction. Conversation `i` is always the same text, so 10,000 are the first 10,000 of 100,000.
 */
export async function seedDatabase(distDir: string, dataDir: string, count: number): Promise<SeedReport> {
  const started = performance.now();
  mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, DATABASE_FILE);
  await migrate(distDir, file);

  const { LocalEmbedder } = await loadBuilt<EmbedderModule>(distDir, 'retrieval/local-embedder.js');
  const { encodeSparseVector } = await loadBuilt<SparseVectorModule>(distDir, 'retrieval/sparse-vector.js');
  const embedder = new LocalEmbedder();

  const sqlite = new SqliteDatabase(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = OFF');
  const insertConversation = sqlite.prepare(
    `insert into conversations (id, session_id, user_message, ai_response, model_used, answer_source,
       response_time_ms, similar_found, rating, feedback_text, rated_at, created_at, updated_at)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertFeedback = sqlite.prepare(
    'insert into feedback (conversation_id, rating, comment, created_at) values (?, ?, ?, ?)',
  );
  const insertEmbedding = sqlite.prepare(
    `insert into embeddings (owner_kind, owner_id, embedder, vector, created_at)
     values ('conversation', ?, ?, ?, ?)`,
  );

  const now = Date.now();
  const questions = new Set<string>();
  let feedbackRows = 0;
  const fill = sqlite.transaction(() => {
    for (let index = 0; index < count; index++) {
      const record = conversationRecord(index, now);
      questions.add(record.question);
      insertConversation.run(
        record.id,
        record.sessionId,
        record.question,
        record.answer,
        record.modelUsed,
        record.answerSource,
        record.responseTimeMs,
        record.similarFound,
        record.rating,
        record.comment,
        record.ratedAt,
        record.createdAt,
        record.ratedAt,
      );
      if (record.earlierRating !== undefined) {
        // A first, lower rating a little before the final one; the conversation keeps the final one.
        const earlier = new Date(Date.parse(record.ratedAt) - 60_000).toISOString();
        insertFeedback.run(record.id, record.earlierRating, null, earlier);
        feedbackRows++;
      }
      insertFeedback.run(record.id, record.rating, record.comment, record.ratedAt);
      feedbackRows++;
      const vector = encodeSparseVector(embedder.embedOne(record.question));
      insertEmbedding.run(record.id, embedder.id, vector, record.createdAt);
    }
  });
  try {
    fill();
    // Leave a plain database file behind: no WAL for the service to replay, safe to copy.
    sqlite.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    sqlite.close();
  }
  return {
    conversations: count,
    feedbackRows,
    distinctQuestions: questions.size,
    seconds: (performance.now() - started) / 1000,
    databaseBytes: statSync(file).size,
  };
}
