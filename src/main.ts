import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.js';
import { type Config, ConfigError, redactedDatabaseUrl } from './config/config.schema.js';
import { loadConfig } from './config/load-config.js';
import { createLogging, type Logging } from './observability/logger.js';
import { createServices, type Services } from './services.js';

/** At exit, the log destinations get at most this long to take what they still hold, and at least the minimum. */
const LOG_FLUSH_MAX_MS = 1000;
const LOG_FLUSH_MIN_MS = 100;

/** The services and the app listening; if start-up fails, what was logged until then is written out. */
async function start(
  config: Config,
  logging: Logging,
): Promise<{ services: Services; app: FastifyInstance }> {
  try {
    const services = await createServices(config, logging);
    const app = await buildApp(services);
    await app.listen({ host: config.http.host, port: config.http.port });
    return { services, app };
  } catch (error) {
    await logging.close();
    throw error;
  }
}

async function main(): Promise<void> {
  const config = loadConfig();
  const logging = createLogging(config);
  const { logger } = logging;
  const started = performance.now();
  const { services, app } = await start(config, logging);
  logger.info(
    {
      host: config.http.host,
      port: config.http.port,
      llm: services.model?.name ?? null,
      database:
        config.database.kind === 'postgres' ? redactedDatabaseUrl(config.database.url) : config.database.file,
      startupMs: Math.round(performance.now() - started),
    },
    'service started',
  );

  let stopping = false;
  /**
   * Stops accepting (new requests get 503 meanwhile), lets the requests in flight finish, stops the
   * background work, closes the database; exits 0, or 1 when that takes longer than SHUTDOWN_TIMEOUT_MS.
   * LLM calls still running halfway through that window are cut short, and their questions answered
   * without the LLM: the other half is left for storing them and closing, so that every question accepted
   * is answered (a question's LLM deadline, LLM_DEADLINE_MS, is longer than the window by default).
   */
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal, timeoutMs: config.shutdownTimeoutMs }, 'shutting down');
    const deadline = performance.now() + config.shutdownTimeoutMs;
    // The log is written out within what is left of the window (a moment more if nothing is left).
    const flushLog = () =>
      logging.close(Math.min(LOG_FLUSH_MAX_MS, Math.max(LOG_FLUSH_MIN_MS, deadline - performance.now())));
    const timeout = setTimeout(() => {
      logger.error(
        { timeoutMs: config.shutdownTimeoutMs },
        'shutdown timed out; exiting with work unfinished',
      );
      void flushLog().finally(() => process.exit(1));
    }, config.shutdownTimeoutMs);
    const cutShort = setTimeout(() => services.cutShortLlmCalls(), config.shutdownTimeoutMs / 2);
    try {
      // Connections kept alive after their request finishes would hold the close until they time out.
      const idleSweep = setInterval(() => app.server.closeIdleConnections(), 100);
      await app.close();
      clearInterval(idleSweep);
      clearTimeout(cutShort);
      await services.close();
      clearTimeout(timeout);
      logger.info('stopped');
      await flushLog();
      process.exit(0);
    } catch (error) {
      logger.error({ err: error }, 'shutdown failed');
      await flushLog();
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((error: unknown) => {
  // A configuration the service cannot run with, found while reading it or while loading what it names.
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(78);
  }
  process.stderr.write(`Start-up failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
