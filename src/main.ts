import { buildApp } from './app.js';
import { ConfigError } from './config/config.schema.js';
import { loadConfig } from './config/load-config.js';
import { createLogging } from './observability/logger.js';
import { createServices } from './services.js';

async function main(): Promise<void> {
  const config = loadConfig();
  const logging = createLogging(config);
  const { logger } = logging;
  const started = performance.now();
  const services = await createServices(config, logger);
  const app = await buildApp(services);
  await app.listen({ host: config.http.host, port: config.http.port });
  logger.info(
    {
      host: config.http.host,
      port: config.http.port,
      llm: services.model?.name ?? null,
      startupMs: Math.round(performance.now() - started),
    },
    'service started',
  );

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    try {
      await app.close();
      await services.close();
      logger.info('stopped');
      await logging.close();
      process.exit(0);
    } catch (error) {
      logger.error({ err: error }, 'shutdown failed');
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
