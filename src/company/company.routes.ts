import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { docs } from '../http/openapi.js';
import { withZod } from '../http/zod-app.js';
import type { LearningService } from '../learning/learning.service.js';
import { statusCheckRequestSchema } from './company.schemas.js';
import type { CompanyProfile } from './company-profile.js';
import type { StatusCheckStore } from './status-check.store.js';

interface CompanyRouteDependencies {
  profile: CompanyProfile;
  learning: LearningService;
  statusChecks: StatusCheckStore;
  platform: string;
}

/** The figures the prototype's dashboard shows, from the company profile and storage. */
export async function aiStats(learning: LearningService) {
  const stats = await learning.stats();
  return {
    total_interactions: stats.total_interactions,
    avg_rating: stats.avg_rating,
    positive_ratings: stats.positive_ratings,
    negative_ratings: stats.negative_ratings,
    rated_interactions: stats.rated_interactions,
  };
}

export function registerCompanyRoutes(app: FastifyInstance, dependencies: CompanyRouteDependencies): void {
  const { profile, learning, statusChecks } = dependencies;
  const zodApp = withZod(app);

  zodApp.get(
    '/api/dashboard',
    { schema: docs('company', 'Company figures with rating statistics') },
    async () => ({
      company: profile.company.name,
      city: profile.company.city,
      houses: profile.totalHouses,
      employees: profile.employees,
      brigades: profile.brigades.length,
      clients: profile.clients.total,
      regions: profile.districts.map((district) => district.name),
      districts: profile.districts.map((district) => ({
        name: district.name,
        houses: district.houses,
        brigades: profile.brigades
          .filter((brigade) => brigade.districts.includes(district.name))
          .map((brigade) => brigade.number),
      })),
      ai_stats: await aiStats(learning),
    }),
  );

  zodApp.get('/api/cleaning/houses', { schema: docs('company', 'Houses by district') }, async () => ({
    total: profile.totalHouses,
    regions: Object.fromEntries(profile.districts.map((district) => [district.name, district.houses])),
  }));

  // Telegram and Bitrix24 are not connected in this version; say so instead of inventing figures.
  zodApp.get(
    '/api/telegram/status',
    { schema: docs('company', 'Telegram integration status') },
    async () => ({
      status: 'not_configured',
      bot: null,
      features: [],
      message: 'Telegram-бот не подключён.',
    }),
  );

  zodApp.get('/api/bitrix24/test', { schema: docs('company', 'Bitrix24 integration status') }, async () => ({
    status: 'not_configured',
    deals: null,
    employees: profile.employees,
    companies: profile.clients.total,
    integration: 'Bitrix24 не подключён: сотрудники и клиенты взяты из профиля компании.',
  }));

  zodApp.post(
    '/api/status',
    { schema: { ...docs('service', 'Record a client status check'), body: statusCheckRequestSchema } },
    async (request) => {
      const check = {
        id: randomUUID(),
        client_name: request.body.client_name,
        timestamp: new Date().toISOString(),
      };
      await statusChecks.add(check);
      return { ...check, platform: dependencies.platform };
    },
  );

  zodApp.get('/api/status', { schema: docs('service', 'The last 10 status checks') }, async () => {
    const checks = await statusChecks.list();
    return checks.map((check) => ({ ...check, platform: dependencies.platform }));
  });
}
