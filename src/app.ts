import type { IncomingMessage } from 'node:http';
import cors from '@fastify/cors';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  LogController,
} from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { registerAccessControl } from './access/access-control.js';
import { registerApiKeyRoutes } from './access/api-keys.routes.js';
import { registerRateLimits } from './access/rate-limits.js';
import { registerAnswerSearchRoutes } from './chat/answer-search.routes.js';
import { registerChatRoutes } from './chat/chat.routes.js';
import { aiStats, registerCompanyRoutes } from './company/company.routes.js';
import { registerCuratedRoutes } from './curated/curated.routes.js';
import { clientErrorHandler } from './http/client-errors.js';
import { refuseWhileClosing } from './http/closing.js';
import { registerErrorHandler } from './http/error-handler.js';
import { registerNotFoundHandler } from './http/not-found-handler.js';
import { refuseNulCharacters } from './http/nul-characters.js';
import { docs, registerOpenApi } from './http/openapi.js';
import { registerSecurityHeaders, setSecurityHeaders } from './http/security-headers.js';
import { refuseWritesDuringStorageFault } from './http/storage-errors.js';
import { registerKnowledgeRoutes } from './knowledge/knowledge.routes.js';
import { registerLearningRoutes } from './learning/learning.routes.js';
import { requestContext } from './observability/logger.js';
import {
  PROBE_ROUTES,
  registerObservabilityRoutes,
  registerRequestMetrics,
} from './observability/observability.routes.js';
import { FEATURES, PLATFORM, SERVICE_NAME, SERVICE_VERSION } from './platform/app-info.js';
import type { Services } from './services.js';

export const BODY_LIMIT_BYTES = 64 * 1024;

/** A client's request id is kept when it is a short token (it goes into logs and headers as it is). */
const CLIENT_REQUEST_ID = /^[\w.:-]{1,128}$/;

function requestIdOf(request: IncomingMessage): string {
  const given = request.headers['x-request-id'];
  return typeof given === 'string' && CLIENT_REQUEST_ID.test(given) ? given : crypto.randomUUID();
}

/** Plugins and routes over the given services; never listens, so tests can drive it however they like. */
export async function buildApp(services: Services): Promise<FastifyInstance> {
  const { config, logger, metrics } = services;
  const httpLogger = logger.child({ module: 'http' });
  const app = Fastify({
    loggerInstance: httpLogger as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: BODY_LIMIT_BYTES,
    // request.ip is the client named by X-Forwarded-For only when a trusted proxy (TRUST_PROXY) sent it.
    trustProxy: config.http.trustProxy.length > 0 ? [...config.http.trustProxy] : false,
    // The id comes from X-Request-Id when it is a sane token, else a new one (see requestIdOf).
    requestIdHeader: false,
    genReqId: requestIdOf,
    // Request lines get the id from the request context (the logger's mixin), like every other line.
    childLoggerFactory: (parent, _bindings, options) => parent.child({}, options),
    // Requests arriving while the service stops are refused by refuseWhileClosing, in the usual shape.
    return503OnClosing: false,
    // Requests Node's parser refuses, before Fastify sees a request: the same headers and error shape.
    clientErrorHandler: clientErrorHandler(httpLogger as FastifyBaseLogger),
    // Requests Fastify refuses before any hook runs (a path with broken percent-encoding): the same
    // headers and error shape as every other answer.
    frameworkErrors: (_error, request, reply) => {
      setSecurityHeaders(request, reply);
      reply.header('x-request-id', request.id);
      (reply as FastifyReply)
        .status(400)
        .send({ detail: 'Некорректный адрес запроса', code: 'invalid_input' });
    },
  });
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    requestContext.run({ requestId: request.id }, done);
  });
  const logProbes = config.log.probes;
  app.addHook('onResponse', async (request, reply) => {
    if (!httpLogger.isLevelEnabled('info')) return;
    const route = request.routeOptions.url;
    // A probe that succeeds says nothing new, and under polling its lines would crowd out the others.
    if (!logProbes && reply.statusCode < 500 && route !== undefined && PROBE_ROUTES.has(route)) return;
    httpLogger.info(
      {
        method: request.method,
        route: route ?? 'unmatched',
        status: reply.statusCode,
        durationMs: Math.round(reply.elapsedTime * 100) / 100,
      },
      'request',
    );
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerErrorHandler(app);
  refuseNulCharacters(app);
  registerNotFoundHandler(app);
  registerRequestMetrics(app, metrics);
  registerSecurityHeaders(app);
  refuseWhileClosing(app);
  registerAccessControl(app, services.apiKeys, {
    requireUserKey: config.access.requireUserKey,
    proxiesTrusted: config.http.trustProxy.length > 0,
    serviceHostnames: config.access.serviceHostnames,
    corsOrigins: config.http.corsOrigins,
  });
  await registerRateLimits(app, config.http.rateLimitPerMinute, services.apiKeys);
  refuseWritesDuringStorageFault(app, services.database.status);
  // Cross-origin access only for the configured origins, never a wildcard with credentials.
  await app.register(cors, {
    origin: config.http.corsOrigins.includes('*') ? '*' : config.http.corsOrigins,
    credentials: !config.http.corsOrigins.includes('*') && config.http.corsOrigins.length > 0,
  });

  await registerOpenApi(app);

  app.get('/', { schema: docs('service', 'Service description and statistics') }, async () => ({
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
      local_model: config.retrieval.embedder.provider === 'transformers',
    },
  }));

  app.get('/api/', { schema: docs('service', 'API entry: version and main endpoints') }, async () => ({
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
  registerAnswerSearchRoutes(app, { retrieval: services.retrieval, answers: services.answers });
  registerCuratedRoutes(app, { curated: services.curated, conversations: services.conversations });
  registerKnowledgeRoutes(app, services.knowledge);
  registerApiKeyRoutes(app, services.apiKeys);
  registerLearningRoutes(app, {
    learning: services.learning,
    retrieval: services.retrieval,
    conversations: services.conversations,
    minRatingThreshold: config.learning.minRatingThreshold,
    exportOptions: { redactPii: config.learning.redactPii },
    currentModel: services.model?.name ?? 'retrieval',
    embeddingBackfill: services.embeddingBackfill,
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
    localModelEnabled: config.retrieval.embedder.provider === 'transformers',
  });
  return app;
}
