import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { DatabaseSchema } from './tables.js';

/**
 * A lease in the database on one kind of background work: the replica holding it runs the work, and renews
 * it well before it expires; when the holder dies, the lease expires and another replica takes it over.
 * A replica that stops releases its leases, so that another takes over at once.
 */
export class Lease {
  private holding = false;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly db: Kysely<DatabaseSchema>,
    readonly name: string,
    private readonly holder: string,
    private readonly ttlMs: number,
    private readonly logger: Logger,
    /** Called when this replica takes the lease (at start, or over from a replica that died or stopped). */
    private readonly onTaken: () => void = () => {},
  ) {}

  /** Whether this replica held the lease at its last attempt to take or renew it. */
  get held(): boolean {
    return this.holding;
  }

  /** Tries to take the lease now, then again every third of its time to live. */
  async start(): Promise<void> {
    await this.attempt();
    this.timer = setInterval(() => void this.attempt(), Math.max(50, Math.floor(this.ttlMs / 3)));
    this.timer.unref();
  }

  /** Stops renewing and gives the lease up if held. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    if (!this.holding) return;
    this.holding = false;
    await this.db
      .deleteFrom('leases')
      .where('name', '=', this.name)
      .where('holder', '=', this.holder)
      .execute()
      .catch((error: Error) =>
        this.logger.warn({ lease: this.name, error: error.message }, 'lease release failed'),
      );
  }

  /** Takes the lease when free or expired, renews it when held; a database error counts as not held. */
  async attempt(): Promise<boolean> {
    if (this.stopped) return false;
    const now = Date.now();
    let held = false;
    try {
      const taken = await this.db
        .insertInto('leases')
        .values({
          name: this.name,
          holder: this.holder,
          expires_at_ms: now + this.ttlMs,
          acquired_at: new Date(now).toISOString(),
        })
        .onConflict((conflict) =>
          conflict
            .column('name')
            .doUpdateSet((update) => ({
              holder: update.ref('excluded.holder'),
              expires_at_ms: update.ref('excluded.expires_at_ms'),
              acquired_at: update
                .case()
                .when('leases.holder', '=', this.holder)
                .then(update.ref('leases.acquired_at'))
                .else(update.ref('excluded.acquired_at'))
                .end(),
            }))
            .where((where) =>
              where.or([where('leases.holder', '=', this.holder), where('leases.expires_at_ms', '<', now)]),
            ),
        )
        .returning('holder')
        .executeTakeFirst();
      held = taken?.holder === this.holder;
    } catch (error) {
      this.logger.warn({ lease: this.name, error: (error as Error).message }, 'lease attempt failed');
    }
    const changed = held !== this.holding && !this.stopped;
    this.holding = held && !this.stopped;
    if (changed) {
      this.logger.info({ lease: this.name, held }, held ? 'lease taken' : 'lease lost');
      if (held) this.onTaken();
    }
    return this.holding;
  }
}
