import cors from '@fastify/cors';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { FEATURES, PLATFORM, SERVICE_NAME, SERVICE_VERSION } from './app-info.js';
import { registerChatRoutes } from './chat/chat.routes.js';
import { aiStats, registerCompanyRoutes } from './company/company.routes.js';
import { registerErrorHandler } from './http/error-handler.js';
import { registerNotFoundHandler } from './http/not-found-handler.js';
import { registerLearningRoutes } from './learning/learning.routes.js';
import { registerObservabilityRoutes, registerRequestMetrics } from './observability/observability.routes.js';
import type { Services } from './services.js';

export const BODY_LIMIT_BYTES = 64 * 1024;

/** Plugins and routes over the given services; never listens, so tests can drive it however they like. */
export async function buildApp(services: Services): Promise<FastifyInstance> {
  const { config, logger, metrics } = services;
  const app = Fastify({
    loggerInstance: logger.child({ module: 'http' }) as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: BODY_LIMIT_BYTES,
    requestIdHeader: 'x-request-id',
    genReqId: () => crypto.randomUUID(),
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerErrorHandler(app);
  registerNotFoundHandler(app);
  registerRequestMetrics(app, metrics);
  // Cross-origin access only for the configured origins, never a wildcard with credentials.
  await app.register(cors, {
    origin: config.http.corsOrigins.includes('*') ? '*' : config.http.corsOrigins,
    credentials: !config.http.corsOrigins.includes('*') && config.http.corsOrigins.length > 0,
  });

  app.get('/', async () => ({
    name: SERVICE_NAME,
    version: SERVICE_VERSION,
    description: 'Самообучающийся ассистент клининговой компании ВасДом',
    features: FEATURES,
    stats: await aiStats(services.learning),
    ai_services: {
      llm: services.model !== undefined,
      retrieval: true,
      embeddings: true,
      learning: true,
      local_model: config.localModel.enabled,
    },
  }));

  app.get('/api/', async () => ({
    message: `${SERVICE_NAME} API`,
    version: SERVICE_VERSION,
    status: 'running',
    platform: PLATFORM,
    features: FEATURES,
    endpoints: {
      chat: '/api/voice/process',
      feedback: '/api/voice/feedback',
      stats: '/api/learning/stats',
      export: '/api/learning/export',
      train: '/api/learning/train',
      health: '/api/health',
      metrics: '/api/metrics',
    },
  }));

  registerChatRoutes(app, services.chat);
  registerLearningRoutes(app, {
    learning: services.learning,
    retrieval: services.retrieval,
    conversations: services.conversations,
    minRatingThreshold: config.learning.minRatingThreshold,
    currentModel: services.model?.name ?? 'retrieval',
  });
  registerCompanyRoutes(app, {
    profile: services.profile,
    learning: services.learning,
    statusChecks: services.statusChecks,
    platform: PLATFORM,
  });
  registerObservabilityRoutes(app, {
    health: services.health,
    metrics,
    llmConfigured: services.model !== undefined,
    localModelEnabled: config.localModel.enabled,
  });
  return app;
}
