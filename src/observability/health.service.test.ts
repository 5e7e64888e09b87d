import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventually } from '../../test/helpers/eventually.js';
import { openTestDatabase, type TestDatabase } from '../../test/helpers/test-database.js';
import { ConversationStore } from '../conversations/conversation.store.js';
import { ConversationTally } from '../conversations/conversation-tally.js';
import { FeedbackStore } from '../conversations/feedback.store.js';
import { JobRunner } from '../platform/job-runner.js';
import { type ChatModel, ChatModelError } from '../providers/chat/chat-model.js';
import { LocalEmbedder } from '../retrieval/local-embedder.js';
import type { IndexState } from '../retrieval/vector-index.js';
import { HealthService } from './health.service.js';
import { SystemSampler } from './system-sampler.js';

/** A chat model whose provider is up or down at will (only the probe is used here). */
class SwitchableModel implements ChatModel {
  readonly name = 'switchable';
  up = true;
  /** A provider that never answers. */
  hangs = false;
  probes = 0;
  async complete(): Promise<never> {
    throw new Error('not used');
  }
  async stream(): Promise<never> {
    throw new Error('not used');
  }
  async probe(): Promise<void> {
    this.probes++;
    if (this.hangs) await new Promise(() => {});
    if (!this.up) throw new ChatModelError('The model provider is unreachable', 'unavailable');
  }
}

const embedder = new LocalEmbedder();

describe('HealthService', () => {
  let storage: TestDatabase;
  let indexState: IndexState;
  let model: SwitchableModel;
  let health: HealthService;
  let jobs: JobRunner;
  let writesFail: boolean;

  beforeEach(async () => {
    storage = await openTestDatabase('health');
    const { database, directory } = storage;
    indexState = 'ready';
    model = new SwitchableModel();
    writesFail = false;
    jobs = new JobRunner();
    health = new HealthService({
      jobs,
      database: {
        ...database,
        probeWrite: async () => {
          if (writesFail) throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
          await database.probeWrite();
        },
      },
      sampler: new SystemSampler(directory),
      embedder,
      tally: new ConversationTally(
        { feedback: new FeedbackStore(database.db), conversations: new ConversationStore(database.db) },
        embedder.id,
      ),
      model,
      index: () => ({ state: indexState, items: 7 }),
      version: 'test',
      platform: 'test',
      intervals: { databaseMs: 20, llmMs: 20, embedderMs: 20 },
    });
    await health.start();
  });
  afterEach(async () => {
    await jobs.stop();
    await storage.remove();
  });

  it('is healthy when every configured component works', () => {
    const report = health.check();
    expect(report.status).toBe('healthy');
    expect(report.checks.llm).toMatchObject({ configured: true, ok: true });
    expect(report.checks.retrieval_index).toEqual({ state: 'ready', items: 7 });
    expect(report.checks.jobs.map((job) => job.name)).toEqual([
      'system-sample',
      'health-database-ping',
      'health-llm-probe',
      'health-embedder-self-test',
    ]);
    expect(health.readiness().ready).toBe(true);
  });

  it('is degraded while a configured LLM provider fails, and recovers with it', async () => {
    model.up = false;
    await eventually(() => expect(health.check().status).toBe('degraded'));
    const report = health.check();
    expect(report.reasons).toEqual(['LLM provider unreachable']);
    expect(report.checks.llm).toMatchObject({ ok: false, error: 'The model provider is unreachable' });
    // Degraded is not unready: answers come from what the service has learned meanwhile.
    expect(health.readiness().ready).toBe(true);
    model.up = true;
    await eventually(() => expect(health.check().status).toBe('healthy'));
  });

  it('is degraded and not ready while the retrieval index is rebuilt', () => {
    indexState = 'rebuilding';
    expect(health.check()).toMatchObject({ status: 'degraded', reasons: ['retrieval index rebuilding'] });
    expect(health.readiness()).toMatchObject({
      ready: false,
      reasons: ['retrieval index rebuilding'],
      checks: { migrations: true, retrieval_index: false, database: true, storage: true },
    });
  });

  it('is unhealthy and not ready once the database stops answering', async () => {
    await storage.database.close();
    await eventually(() => expect(health.check().status).toBe('unhealthy'));
    expect(health.check().reasons).toContain('database unreachable');
    expect(health.check().checks.database.ok).toBe(false);
    expect(health.readiness()).toMatchObject({ ready: false, checks: { database: false } });
  });

  it('is unhealthy and not ready during a storage fault, until its background write probe succeeds', async () => {
    writesFail = true;
    storage.database.status.noteFailure(
      Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' }),
    );
    expect(health.check()).toMatchObject({
      status: 'unhealthy',
      checks: { storage: { writable: false, fault: { kind: 'disk_full' } } },
    });
    expect(health.readiness()).toMatchObject({ ready: false, checks: { storage: false } });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(health.readiness().ready).toBe(false);
    writesFail = false;
    await eventually(() => expect(health.readiness().ready).toBe(true));
    expect(health.check().checks.storage).toEqual({ writable: true, fault: null });
  });

  it('answers from its last results without running a check', () => {
    const probes = model.probes;
    for (let call = 0; call < 1000; call++) health.check();
    expect(model.probes - probes).toBeLessThan(5);
  });

  it('stops without waiting for a provider check that hangs', async () => {
    model.hangs = true;
    await eventually(
      () => health.check().checks.jobs.find((job) => job.name === 'health-llm-probe')?.running,
    );
    const started = Date.now();
    await jobs.stop();
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
