import type { Logger } from 'pino';
import { ApiKeyStore } from './access/api-key.store.js';
import { ApiKeys } from './access/api-keys.js';
import { ChatService } from './chat/chat.service.js';
import type { FoundAnswerFinder } from './chat/found-answer.js';
import { LlmAnswerer } from './chat/llm-answerer.js';
import { PromptTemplate } from './chat/prompt-template.js';
import { type CompanyProfile, loadCompanyProfile } from './company/company-profile.js';
import { StatusCheckStore } from './company/status-check.store.js';
import type { Config } from './config/config.schema.js';
import { ConversationStore } from './conversations/conversation.store.js';
import { ConversationTally, TALLY_RESYNC_INTERVAL_MS } from './conversations/conversation-tally.js';
import { FeedbackStore } from './conversations/feedback.store.js';
import { CuratedAnswerStore } from './curated/curated-answer.store.js';
import { CuratedAnswerService } from './curated/curated-answers.service.js';
import { CuratedLearning } from './curated/curated-learning.js';
import { RatingEvidenceStore } from './curated/rating-evidence.store.js';
import { followOtherReplicas } from './follow-other-replicas.js';
import { KnowledgeService } from './knowledge/knowledge.service.js';
import { KnowledgeStore } from './knowledge/knowledge.store.js';
import { LearningService } from './learning/learning.service.js';
import { HealthService } from './observability/health.service.js';
import type { Logging } from './observability/logger.js';
import { Metrics } from './observability/metrics.js';
import { SystemSampler } from './observability/system-sampler.js';
import { PLATFORM, SERVICE_VERSION } from './platform/app-info.js';
import { JobRunner } from './platform/job-runner.js';
import type { ChatModel } from './providers/chat/chat-model.js';
import { shutdownAbortReason } from './providers/provider-error.js';
import { AnswerFinder } from './retrieval/answer-finder.js';
import { createEmbedder } from './retrieval/create-embedder.js';
import type { Embedder } from './retrieval/embedder.js';
import { EmbeddingBackfill } from './retrieval/embedding-backfill.js';
import { RetrievalService } from './retrieval/retrieval.service.js';
import { WorkerVectorIndex } from './retrieval/worker-vector-index.js';
import { type ChangeFeed, createChangeFeed, REPLICA_ID } from './storage/change-feed.js';
import { type Database, migrateToLatest, openDatabase } from './storage/database.js';
import { Lease } from './storage/lease.js';
import { ServiceStateStore } from './storage/service-state.store.js';

/** How often conversations stored without a vector (their embedder failed) are embedded again. */
const EMBEDDING_RETRY_INTERVAL_MS = 5 * 60_000;

export interface Services {
  config: Config;
  logger: Logger;
  database: Database;
  metrics: Metrics;
  profile: CompanyProfile;
  conversations: ConversationStore;
  statusChecks: StatusCheckStore;
  retrieval: RetrievalService;
  embeddingBackfill: EmbeddingBackfill;
  curated: CuratedAnswerService;
  knowledge: KnowledgeService;
  answers: FoundAnswerFinder;
  chat: ChatService;
  learning: LearningService;
  health: HealthService;
  apiKeys: ApiKeys;
  model: ChatModel | undefined;
  /**
   * Cuts the LLM calls in flight short (reason shutdown), and fails any asked for after at once: their
   * questions are answered without the LLM. For shutdown, so that no question waits out its deadline.
   */
  cutShortLlmCalls(): void;
  /** Stops background work and closes the database. */
  close(): Promise<void>;
}

/** How often the knowledge index looks for documents imported or deleted by another process (the CLI). */
const KNOWLEDGE_REFRESH_INTERVAL_MS = 30_000;

/** The composition root: the only place that picks implementations from the configuration. */
export async function createServices(
  config: Config,
  logging: Pick<Logging, 'logger' | 'droppedLines'>,
): Promise<Services> {
  const { logger } = logging;
  const profile = loadCompanyProfile(config.companyProfilePath);
  const storageLogger = logger.child({ module: 'storage' });
  const metrics = new Metrics();
  // Every periodic or triggered piece of background work runs here; stopped before the database closes.
  const jobsLogger = logger.child({ module: 'jobs' });
  const jobs = new JobRunner({
    ...metrics.jobHooks,
    onError: (job, error) => jobsLogger.warn({ job, err: error }, 'a background job failed'),
  });
  const database = openDatabase(config.database, {
    backgroundCheckpoints: { onError: (message) => storageLogger.error(message) },
    onStatementError: (operation) => metrics.databaseErrors.inc({ operation }),
    onConnectionError: (message) => storageLogger.warn({ error: message }, 'a database connection failed'),
    onCreated: (previous) =>
      previous === undefined
        ? storageLogger.info({ file: sqliteFile(config) }, 'created a new, empty database')
        : storageLogger.warn(
            { file: sqliteFile(config), previous },
            'created a new, empty database where one existed before (SQLITE_ALLOW_NEW_DATABASE)',
          ),
    onFileLost: (detail, openCopies) =>
      storageLogger.error(
        { detail, openCopies },
        'the database file was deleted or replaced while the service ran: writes are refused until it is ' +
          'restored and the service restarted. To keep what was written, copy the files this process still ' +
          'holds open (openCopies: the database, then its -wal log) to another directory before stopping it, ' +
          'then put them in place under their names',
      ),
  });
  const changes = createChangeFeed(config.database, database.db, (message) => storageLogger.warn(message));
  let index: WorkerVectorIndex | undefined;
  let knowledge: KnowledgeService | undefined;
  const leases: Lease[] = [];
  const replicaLogger = logger.child({ module: 'replicas' });
  /** A lease on one kind of background work, given up when the services close. */
  const leaseOn = (name: string, onTaken: () => void): Lease => {
    const lease = new Lease(database.db, name, REPLICA_ID, config.leaseTtlMs, replicaLogger, onTaken);
    leases.push(lease);
    return lease;
  };
  try {
    const migration = await migrateToLatest(database.db);
    if (migration.applied.length > 0) logger.info({ applied: migration.applied }, 'database migrated');

    const conversations = new ConversationStore(database.db, database.embedded);
    const feedback = new FeedbackStore(database.db, changes);
    const embedder = await createEmbedder(config.retrieval.embedder);
    const tally = new ConversationTally(
      { feedback, conversations },
      embedder.id,
      TALLY_RESYNC_INTERVAL_MS[config.database.kind],
    );
    await tally.start(jobs);
    index = new WorkerVectorIndex(logger.child({ module: 'retrieval' }), {
      vectorKind: embedder.vectorKind,
      onRestart: () => metrics.indexRestarts.inc(),
    });
    const retrieval = new RetrievalService(embedder, index, conversations, tally, {
      minRating: config.learning.minRatingThreshold,
      similarityThreshold: config.retrieval.similarityThreshold,
    });
    // The client library is loaded only when an LLM is configured: start-up without one skips it.
    const llm = config.llm
      ? (await import('./providers/chat/create-chat-model.js')).createChatModel(
          config.llm,
          metrics,
          logger.child({ module: 'llm' }),
        )
      : undefined;
    const model = llm?.model;
    const llmCircuit = llm && (() => llm.circuit.state);
    const curated = new CuratedAnswerService(
      new CuratedAnswerStore(database.db),
      embedder,
      config.retrieval.similarityThreshold,
      changes,
    );
    // The replica holding it draws the lessons from ratings for all (the only process on SQLite).
    const learningLease = leaseOn('learning', () => void learning.requestCatchUp());
    const learning = new LearningService({
      feedback,
      conversations,
      state: new ServiceStateStore(database.db),
      retrieval,
      tally,
      metrics,
      jobs,
      logger: logger.child({ module: 'learning' }),
      minRatingThreshold: config.learning.minRatingThreshold,
      retrainingThreshold: config.learning.retrainingThreshold,
      curatedLearning: new CuratedLearning({
        curated,
        evidence: new RatingEvidenceStore(database.db),
        logger: logger.child({ module: 'curated' }),
        settings: config.learning,
      }),
      learnsForAll: () => learningLease.held,
    });

    const indexStarted = performance.now();
    await learning.markIndexBaseline();
    await learningLease.start();
    const { indexed, skipped } = await retrieval.loadIndex();
    logger.info(
      { indexed, durationMs: Math.round(performance.now() - indexStarted) },
      'retrieval index loaded',
    );
    if (skipped > 0) logger.warn({ skipped }, 'stored vectors that could not be decoded were left out');
    // Conversations without a vector from this embedder (a new embedder, an interrupted write) are embedded
    // in the background, by the replica holding the embeddings lease; answers meanwhile come from what is
    // indexed, and the other replicas load the stored vectors when it announces them.
    const embeddingsLease = leaseOn('embeddings', () => {
      void embeddingBackfill.requestRun();
      void knowledge?.requestSync();
    });
    const embeddingBackfill = new EmbeddingBackfill(
      retrieval,
      logger.child({ module: 'retrieval' }),
      () => tally.summary().total > tally.embeddings,
      { runsForAll: () => embeddingsLease.held, announce: () => changes.announce('vectors') },
    );
    await embeddingsLease.start();
    embeddingBackfill.start(jobs, EMBEDDING_RETRY_INTERVAL_MS);

    const curatedCount = await curated.load();
    if (curatedCount > 0) logger.info({ curated: curatedCount }, 'curated answers loaded');
    knowledge = createKnowledgeService(config, database, embedder, changes, () => embeddingsLease.held);
    const knowledgeLogger = logger.child({ module: 'knowledge' });
    const knowledgeLoaded = await knowledge.start(jobs, KNOWLEDGE_REFRESH_INTERVAL_MS, (error) =>
      knowledgeLogger.warn({ error: (error as Error).message }, 'knowledge index refresh failed'),
    );
    if (knowledgeLoaded.documents > 0) knowledgeLogger.info(knowledgeLoaded, 'knowledge base loaded');
    const answers = new AnswerFinder({
      retrieval,
      curated,
      knowledge,
      replyThreshold: config.retrieval.annotationReplyThreshold,
      logger: logger.child({ module: 'retrieval' }),
    });

    const indexStatus = () => ({ state: retrieval.indexState, items: retrieval.indexSize });
    const health = new HealthService({
      jobs,
      database,
      sampler: new SystemSampler(config.dataDir),
      embedder,
      tally,
      model,
      llmCircuit,
      index: indexStatus,
      version: SERVICE_VERSION,
      platform: PLATFORM,
      // A remote embedder's self-test is a paid call: once a minute is enough.
      intervals: config.retrieval.embedder.provider === 'openai' ? { embedderMs: 60_000 } : {},
    });
    await health.start();
    metrics.observe({
      health: () => health.assess(),
      index: indexStatus,
      ratings: () => tally.summary(),
      retrainingThreshold: config.learning.retrainingThreshold,
      llmCircuit,
      logLinesDropped: logging.droppedLines,
    });

    const apiKeys = new ApiKeys(config.access, new ApiKeyStore(database.db), changes);
    await apiKeys.start(jobs);

    const llmShutdown = new AbortController();

    const chat = new ChatService({
      conversations,
      retrieval,
      answers,
      tally,
      llm:
        model &&
        config.llm &&
        new LlmAnswerer({
          model,
          template: PromptTemplate.load(config.llm.promptTemplatePath),
          profile,
          conversations,
          metrics,
          logger: logger.child({ module: 'llm' }),
          deadlineMs: config.llm.deadlineMs,
          history: config.llm.history,
          shutdown: llmShutdown.signal,
        }),
      profile,
      metrics,
      logger: logger.child({ module: 'chat' }),
      topK: config.retrieval.topK,
      retrievalReplyThreshold: config.retrieval.retrievalReplyThreshold,
      logMessageText: config.log.messageText,
    });

    const replicas = followOtherReplicas({
      learning,
      curated,
      knowledge,
      retrieval,
      jobs,
      logger: replicaLogger,
    });
    await changes.start(replicas.onNotice);

    return {
      config,
      logger,
      database,
      metrics,
      profile,
      conversations,
      statusChecks: new StatusCheckStore(database.db),
      retrieval,
      embeddingBackfill,
      curated,
      knowledge,
      answers,
      chat,
      learning,
      health,
      apiKeys,
      model,
      cutShortLlmCalls() {
        if (!llmShutdown.signal.aborted) llmShutdown.abort(shutdownAbortReason());
      },
      async close() {
        await jobs.stop();
        await changes.close();
        // Given up once the work is done, so that another replica takes it over at once.
        for (const held of leases) await held.stop();
        await knowledge?.stop();
        await index?.close();
        await database.close();
      },
    };
  } catch (error) {
    await jobs.stop();
    for (const held of leases) await held.stop();
    await changes.close();
    await knowledge?.stop();
    await index?.close();
    await database.close();
    throw error;
  }
}

function sqliteFile(config: Config): string | undefined {
  return config.database.kind === 'sqlite' ? config.database.file : undefined;
}

/** The knowledge base over a database; the import-knowledge command builds the same one. */
export function createKnowledgeService(
  config: Config,
  database: Database,
  embedder: Embedder,
  changes?: ChangeFeed,
  reembedsForAll?: () => boolean,
): KnowledgeService {
  return new KnowledgeService(
    new KnowledgeStore(database.db),
    embedder,
    {
      similarityThreshold: config.retrieval.similarityThreshold,
      chunkSize: config.knowledge.chunkSize,
      reembedsForAll,
    },
    changes,
  );
}
