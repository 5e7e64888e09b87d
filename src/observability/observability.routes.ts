import type { FastifyInstance } from 'fastify';
import { docs } from '../http/openapi.js';
import type { HealthService } from './health.service.js';
import type { Metrics } from './metrics.js';

/** Routes orchestrators and scrapers poll, often many times a second: no request line unless they fail. */
export const PROBE_ROUTES: ReadonlySet<string> = new Set([
  '/api/health',
  '/api/health/live',
  '/api/health/ready',
  '/api/voice/health',
  '/api/metrics',
]);

export function registerObservabilityRoutes(
  app: FastifyInstance,
  dependencies: {
    health: HealthService;
    metrics: Metrics;
    llmConfigured: boolean;
    localModelEnabled: boolean;
  },
): void {
  const { health, metrics } = dependencies;

  app.get(
    '/api/health',
    { schema: docs('operations', 'Health from background checks; 503 when unhealthy') },
    async (_request, reply) => {
      const report = health.check();
      return reply.status(report.status === 'unhealthy' ? 503 : 200).send(report);
    },
  );

  // For orchestrators: the process answers at all (liveness), and it can serve (readiness).
  app.get('/api/health/live', { schema: docs('operations', 'Liveness: the process answers') }, async () => ({
    status: 'alive',
    uptime_seconds: Math.round(process.uptime()),
  }));

  app.get(
    '/api/health/ready',
    { schema: docs('operations', 'Readiness: 200 when it can serve, else 503') },
    async (_request, reply) => {
      const readiness = health.readiness();
      return reply.status(readiness.ready ? 200 : 503).send({
        status: readiness.ready ? 'ready' : 'not_ready',
        reasons: readiness.reasons,
        checks: readiness.checks,
      });
    },
  );

  app.get(
    '/api/voice/health',
    { schema: docs('operations', 'Component health, prototype shape') },
    async (_request, reply) => {
      const report = health.check();
      return reply.status(report.status === 'unhealthy' ? 503 : 200).send({
        status: report.status,
        components: {
          ai_service: dependencies.llmConfigured ? 'configured' : 'not_configured',
          embedding_service: report.services.embeddings ? 'healthy' : 'unhealthy',
          local_model: dependencies.localModelEnabled ? 'configured' : 'not_configured',
          database: report.services.database ? 'healthy' : 'unhealthy',
        },
      });
    },
  );

  app.get('/api/metrics', { schema: docs('operations', 'Prometheus metrics') }, async (_request, reply) => {
    const body = await metrics.registry.metrics();
    return reply.header('content-type', metrics.registry.contentType).send(body);
  });
}

/** Counts every request by route template (never the raw path) so label values stay bounded. */
export function registerRequestMetrics(app: FastifyInstance, metrics: Metrics): void {
  app.addHook('onResponse', async (request, reply) => {
    const endpoint = request.routeOptions.url ?? 'unmatched';
    const method = request.method;
    metrics.requests.inc({ method, endpoint, status: String(reply.statusCode) });
    metrics.requestDuration.observe({ method, endpoint }, reply.elapsedTime / 1000);
  });
}
