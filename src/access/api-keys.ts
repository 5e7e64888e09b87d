import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Config } from '../config/config.schema.js';
import type { JobRunner } from '../platform/job-runner.js';
import { type ChangeFeed, LocalChangeFeed } from '../storage/change-feed.js';
import { timeOrderedId } from '../storage/time-ordered-id.js';
import type { ApiKeyStore, StoredApiKey } from './api-key.store.js';

export type Role = 'admin' | 'user';

const digest = (key: string) => createHash('sha256').update(key, 'utf8').digest();

/** How often keys made or revoked by another replica are picked up. */
const REFRESH_INTERVAL_MS = 30_000;

/**
 * The API keys the service accepts: those of the configuration (ADMIN_API_KEYS, USER_API_KEYS) and those
 * an admin made through the API, which are stored only as SHA-256 digests. Keys are compared as digests,
 * in constant time, every one of them, so that the time taken does not tell which matched.
 */
export class ApiKeys {
  private readonly configured: { role: Role; digest: Buffer }[];
  /** The configured keys and the stored active ones, as of the last reload. */
  private accepted: { role: Role; digest: Buffer }[];
  private anyAdminKey: boolean;

  constructor(
    access: Config['access'],
    private readonly store: ApiKeyStore,
    /** Tells the other replicas to read the stored keys again. */
    private readonly changes: ChangeFeed = new LocalChangeFeed(),
  ) {
    this.configured = [
      ...access.adminKeys.map((key) => ({ role: 'admin' as const, digest: digest(key) })),
      ...access.userKeys.map((key) => ({ role: 'user' as const, digest: digest(key) })),
    ];
    this.accepted = this.configured;
    this.anyAdminKey = access.adminKeys.length > 0;
  }

  /** Reads the stored keys, and again every 30 s as the runner's job `api-keys-reload`. */
  async start(jobs: Pick<JobRunner, 'register'>): Promise<void> {
    await this.reload();
    jobs.register({
      name: 'api-keys-reload',
      schedule: { everyMs: REFRESH_INTERVAL_MS },
      work: () => this.reload(),
    });
  }

  /** Whether any admin key exists; without one, admin routes answer loopback requests only. */
  get adminKeyExists(): boolean {
    return this.anyAdminKey;
  }

  roleOf(presented: string): Role | undefined {
    const candidate = digest(presented);
    let role: Role | undefined;
    for (const key of this.accepted) {
      if (timingSafeEqual(key.digest, candidate) && role !== 'admin') role = key.role;
    }
    return role;
  }

  /** A new key: returned once, with its record; only its digest is stored. */
  async create(name: string, role: Role): Promise<{ key: string; record: StoredApiKey }> {
    const key = `vd_${randomBytes(32).toString('base64url')}`;
    const record: StoredApiKey = {
      id: timeOrderedId(),
      name,
      role,
      digest: digest(key).toString('hex'),
      prefix: key.slice(0, 10),
      created_at: new Date().toISOString(),
      revoked_at: null,
    };
    await this.store.create(record);
    await this.reload();
    await this.changes.announce('api_keys');
    return { key, record };
  }

  list(): Promise<StoredApiKey[]> {
    return this.store.list();
  }

  async revoke(id: string): Promise<boolean> {
    const revoked = await this.store.revoke(id, new Date().toISOString());
    if (revoked) {
      await this.reload();
      await this.changes.announce('api_keys');
    }
    return revoked;
  }

  /** Reads the stored keys again. */
  async reload(): Promise<void> {
    const stored = (await this.store.active()).map((key) => ({
      role: key.role,
      digest: Buffer.from(key.digest, 'hex'),
    }));
    this.accepted = [...this.configured, ...stored];
    this.anyAdminKey = this.accepted.some((key) => key.role === 'admin');
  }
}
