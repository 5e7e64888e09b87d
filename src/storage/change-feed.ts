import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { type Kysely, sql } from 'kysely';
import pg from 'pg';
import type { DatabaseConfig } from '../config/config.schema.js';
import type { DatabaseSchema } from './tables.js';

/** What another replica may have changed, and what each replica then brings up to date in memory. */
export type ChangeTopic = 'feedback' | 'curated' | 'knowledge' | 'api_keys' | 'vectors';
const TOPICS: readonly ChangeTopic[] = ['feedback', 'curated', 'knowledge', 'api_keys', 'vectors'];

/** Notices may have been missed (the feed's connection was down): bring everything up to date. */
export type ChangeNotice = ChangeTopic | 'resync';

const CHANNEL = 'vasdom_changes';
const RECONNECT_MIN_MS = 200;
const RECONNECT_MAX_MS = 10_000;

/** This process among the replicas: in notices, leases and logs. */
export const REPLICA_ID = `${os.hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;

/**
 * Tells the other replicas on the same database what changed, so that each keeps its in-memory indexes
 * in step (a rating given on one is found by retrieval on the others). A replica never hears its own
 * notices: it has already done that work itself.
 */
export interface ChangeFeed {
  /** Announces a change that has been committed; a failure to announce is reported, never thrown. */
  announce(topic: ChangeTopic): Promise<void>;
  /** Announces a change inside the transaction that makes it: the notice goes out when it commits. */
  announceIn(transaction: Kysely<DatabaseSchema>, topic: ChangeTopic): Promise<void>;
  /**
   * Starts delivering the other replicas' notices to `handler`, and 'resync' whenever some may have been
   * missed: once listening (for what changed before), and after a gap in the feed.
   */
  start(handler: (notice: ChangeNotice) => void): Promise<void>;
  close(): Promise<void>;
}

/** One process on an embedded database: nobody else to tell. */
export class LocalChangeFeed implements ChangeFeed {
  async announce(): Promise<void> {}
  async announceIn(): Promise<void> {}
  async start(): Promise<void> {}
  async close(): Promise<void> {}
}

/**
 * PostgreSQL's LISTEN/NOTIFY on one channel. NOTIFY is transactional: a notice sent inside a transaction
 * is delivered when, and only if, it commits. Notices sent while this replica's listening connection is
 * down are lost, so after reconnecting it reports 'resync'.
 */
export class PostgresChangeFeed implements ChangeFeed {
  private client: pg.Client | undefined;
  private handler: ((notice: ChangeNotice) => void) | undefined;
  private closed = false;
  private reconnectDelayMs = RECONNECT_MIN_MS;
  private reconnectTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly db: Kysely<DatabaseSchema>,
    private readonly connectionString: string,
    private readonly onError: (message: string) => void,
  ) {}

  async announce(topic: ChangeTopic): Promise<void> {
    try {
      await this.announceIn(this.db, topic);
    } catch (error) {
      // The change itself is committed; the other replicas catch up with their periodic refreshes.
      this.onError(`could not announce a change of ${topic}: ${(error as Error).message}`);
    }
  }

  async announceIn(transaction: Kysely<DatabaseSchema>, topic: ChangeTopic): Promise<void> {
    await sql`select pg_notify(${CHANNEL}, ${`${topic} ${REPLICA_ID}`})`.execute(transaction);
  }

  async start(handler: (notice: ChangeNotice) => void): Promise<void> {
    this.handler = handler;
    await this.connect();
    // What changed between loading the data and listening is caught up with now.
    handler('resync');
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({
      connectionString: this.connectionString,
      application_name: 'vasdom-changes',
    });
    client.on('notification', (message) => {
      const [topic, origin] = (message.payload ?? '').split(' ');
      if (origin !== REPLICA_ID && TOPICS.includes(topic as ChangeTopic))
        this.handler?.(topic as ChangeTopic);
    });
    const lost = (error?: Error) => {
      if (this.closed || this.client !== client) return;
      this.client = undefined;
      this.onError(`change feed connection lost${error ? `: ${error.message}` : ''}; reconnecting`);
      void client.end().catch(() => undefined);
      this.scheduleReconnect();
    };
    client.on('error', lost);
    client.on('end', () => lost());
    try {
      await client.connect();
      await client.query(`listen ${CHANNEL}`);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    if (this.closed) {
      // Closed while this connection was being made.
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    this.reconnectDelayMs = RECONNECT_MIN_MS;
  }

  private scheduleReconnect(): void {
    if (this.closed) return;
    this.reconnectTimer = setTimeout(() => {
      this.connect().then(
        // Whatever was announced while disconnected is unknown: catch up on everything.
        () => this.handler?.('resync'),
        (error: Error) => {
          this.onError(`change feed reconnect failed: ${error.message}`);
          this.reconnectDelayMs = Math.min(this.reconnectDelayMs * 2, RECONNECT_MAX_MS);
          this.scheduleReconnect();
        },
      );
    }, this.reconnectDelayMs);
    this.reconnectTimer.unref();
  }
}

/** The feed for a database: LISTEN/NOTIFY on PostgreSQL; nothing to do for an embedded SQLite file. */
export function createChangeFeed(
  config: DatabaseConfig,
  db: Kysely<DatabaseSchema>,
  onError: (message: string) => void,
): ChangeFeed {
  return config.kind === 'postgres' ? new PostgresChangeFeed(db, config.url, onError) : new LocalChangeFeed();
}
