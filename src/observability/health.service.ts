import type { Kysely } from 'kysely';
import type { ConversationStore } from '../chat/conversation.store.js';
import type { FeedbackStore } from '../learning/feedback.store.js';
import type { Embedder } from '../retrieval/embedder.js';
import { pingDatabase } from '../storage/database.js';
import type { DatabaseSchema } from '../storage/tables.js';
import type { SystemSampler } from './system-sampler.js';

export type HealthStatus = 'healthy' | 'degraded' | 'unhealthy';

const DISK_FULL_PERCENT = 95;

interface LearningData {
  total_conversations: number;
  embeddings_cached: number;
  rated_conversations: number;
  max_storage_limit: number | null;
}

export interface HealthReport {
  status: HealthStatus;
  reasons: string[];
  timestamp: string;
  platform: string;
  version: string;
  uptime_seconds: number;
  services: {
    emergent_llm: boolean;
    embeddings: boolean;
    database: boolean;
    storage: boolean;
    http_client: boolean;
  };
  learning_data: LearningData;
  system_metrics: { cpu_percent: number; memory_percent: number; disk_percent: number };
  critical_checks: {
    ai_service_init: boolean;
    storage_accessible: boolean;
    config_loaded: boolean;
    embedding_creation: boolean;
  };
  database: { ok: boolean; latency_ms: number };
  response_time_ms: number;
}

/**
 * Health from real checks. System figures and counts come from background samples; only the database
 * ping (a microsecond query on the embedded database) runs per call.
 */
export class HealthService {
  private embedderWorks = false;
  private learningData: LearningData = {
    total_conversations: 0,
    embeddings_cached: 0,
    rated_conversations: 0,
    max_storage_limit: null,
  };
  private timer: NodeJS.Timeout | undefined;
  private readonly startedAt = Date.now();

  constructor(
    private readonly dependencies: {
      db: Kysely<DatabaseSchema>;
      sampler: SystemSampler;
      embedder: Embedder;
      feedback: FeedbackStore;
      conversations: ConversationStore;
      llmConfigured: boolean;
      version: string;
      platform: string;
      refreshIntervalMs?: number;
    },
  ) {}

  async start(): Promise<void> {
    await this.dependencies.sampler.start();
    await this.refresh();
    this.timer = setInterval(() => void this.refresh(), this.dependencies.refreshIntervalMs ?? 5000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.dependencies.sampler.stop();
  }

  /** Background: embedder self-test and the learning counts. */
  async refresh(): Promise<void> {
    const { embedder, feedback, conversations } = this.dependencies;
    try {
      const [vector] = await embedder.embed(['Сколько домов обслуживает компания?']);
      this.embedderWorks = (vector?.indices.length ?? 0) > 0;
    } catch {
      this.embedderWorks = false;
    }
    try {
      const [summary, embeddings] = await Promise.all([
        feedback.summary(),
        conversations.countEmbeddings(embedder.id),
      ]);
      this.learningData = {
        total_conversations: summary.total,
        embeddings_cached: embeddings,
        rated_conversations: summary.rated,
        max_storage_limit: null,
      };
    } catch {
      // The database check below reports the failure; keep the last counts.
    }
  }

  async check(): Promise<HealthReport> {
    const started = performance.now();
    const { sampler, db, llmConfigured } = this.dependencies;
    let databaseOk = true;
    try {
      await pingDatabase(db);
    } catch {
      databaseOk = false;
    }
    const databaseLatency = performance.now() - started;
    const system = sampler.latest;
    const reasons: string[] = [];
    if (!databaseOk) reasons.push('database unreachable');
    if (!system.storageWritable) reasons.push('data directory not writable');
    if (!this.embedderWorks) reasons.push('embedder self-test failed');
    if (system.diskPercent >= DISK_FULL_PERCENT) reasons.push(`disk ${system.diskPercent}% full`);
    const status: HealthStatus =
      !databaseOk || !system.storageWritable ? 'unhealthy' : reasons.length > 0 ? 'degraded' : 'healthy';
    return {
      status,
      reasons,
      timestamp: new Date().toISOString(),
      platform: this.dependencies.platform,
      version: this.dependencies.version,
      uptime_seconds: Math.round((Date.now() - this.startedAt) / 1000),
      services: {
        emergent_llm: llmConfigured,
        embeddings: this.embedderWorks,
        database: databaseOk,
        storage: system.storageWritable,
        http_client: llmConfigured,
      },
      learning_data: this.learningData,
      system_metrics: {
        cpu_percent: system.cpuPercent,
        memory_percent: system.memoryPercent,
        disk_percent: system.diskPercent,
      },
      critical_checks: {
        ai_service_init: true,
        storage_accessible: system.storageWritable,
        config_loaded: true,
        embedding_creation: this.embedderWorks,
      },
      database: { ok: databaseOk, latency_ms: Math.round(databaseLatency * 1000) / 1000 },
      response_time_ms: Math.round((performance.now() - started) * 1000) / 1000,
    };
  }
}
