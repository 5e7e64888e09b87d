import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTestDatabase, type TestDatabase } from '../../test/helpers/test-database.js';
import { JobRunner } from '../platform/job-runner.js';
import { ConversationStore } from './conversation.store.js';
import { ConversationTally } from './conversation-tally.js';
import { FeedbackStore } from './feedback.store.js';

/** Any embedder id: the tally counts the vectors tagged with it. */
const EMBEDDER_ID = 'test-embedder';

describe('ConversationTally', () => {
  let storage: TestDatabase;
  let conversations: ConversationStore;
  let feedback: FeedbackStore;
  let tally: ConversationTally;
  let jobs: JobRunner;

  beforeEach(async () => {
    storage = await openTestDatabase('tally');
    const { database } = storage;
    conversations = new ConversationStore(database.db);
    feedback = new FeedbackStore(database.db);
    tally = new ConversationTally({ feedback, conversations }, EMBEDDER_ID);
    jobs = new JobRunner();
  });
  afterEach(async () => {
    await jobs.stop();
    await storage.remove();
  });

  async function store(id: string): Promise<void> {
    const now = new Date().toISOString();
    await conversations.insert(
      {
        id,
        session_id: 's',
        user_message: `вопрос ${id}`,
        ai_response: 'ответ',
        model_used: 'fallback',
        answer_source: 'fallback',
        response_time_ms: 1,
        similar_found: 0,
        rating: null,
        feedback_text: null,
        rated_at: null,
        created_at: now,
        updated_at: now,
      },
      { embedder: EMBEDDER_ID, vector: Buffer.from([0, 0, 0, 0]) },
    );
    tally.conversationStored(true);
  }

  async function rate(id: string, rating: number): Promise<void> {
    const rated = await feedback.rate(id, rating, null, new Date().toISOString());
    if (!rated) throw new Error(`no conversation ${id}`);
    tally.ratingChanged(rated.previous, rating);
  }

  it('follows what is stored without reading it again, and agrees with storage', async () => {
    await store('before-start');
    await rate('before-start', 2);
    await tally.start(jobs);
    expect(tally.summary()).toEqual(await feedback.summary());

    for (const id of ['a', 'b', 'c', 'd']) await store(id);
    await rate('a', 5);
    await rate('b', 4);
    await rate('c', 1);
    // Re-ratings move a conversation between positive and negative without counting it twice.
    await rate('c', 5);
    await rate('a', 2);
    await rate('before-start', 3);

    const expected = await feedback.summary();
    expect(tally.summary()).toEqual({
      ...expected,
      averageRating: expect.closeTo(expected.averageRating ?? 0, 9),
    });
    expect(tally.summary()).toMatchObject({ total: 5, rated: 4, positive: 2, negative: 1 });
    expect(tally.embeddings).toBe(await conversations.countEmbeddings(EMBEDDER_ID));
  });

  it('takes up what other writers stored when it reads storage again', async () => {
    await tally.start(jobs);
    await store('x');
    // Written behind its back, as another replica would.
    await feedback.rate('x', 5, null, new Date().toISOString());
    expect(tally.summary().rated).toBe(0);
    await tally.resync();
    expect(tally.summary()).toMatchObject({ total: 1, rated: 1, positive: 1, averageRating: 5 });
  });
});
