// The yardstick for GET /api/health: a bare Fastify route returning a small JSON, started like the service
// (same Node.js, same machine, same load), so that the report can say how far the service is from it.
import Fastify from 'fastify';

const app = Fastify();
app.get('/api/health', async () => ({ status: 'healthy', timestamp: new Date().toISOString() }));
await app.listen({ host: process.env.HOST ?? '127.0.0.1', port: Number(process.env.PORT ?? 0) });
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
