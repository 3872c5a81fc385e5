import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Client, type PoolClient, type QueryResult } from 'pg';
import type { DataSource } from 'typeorm';
import { withPooledConnection } from '@app/db';
import { AppConfig } from '@app/config';
import type { LiveEvent, LiveEventName } from '../live-events';
import { OUTBOX_CHANNEL } from '../outbox';
import { LivePublisher } from '../fanout/live-publisher';

/** Rows claimed per transaction. */
const BATCH_SIZE = 500;
const LISTEN_RETRY_MAX_MS = 5000;

interface ClaimedRow {
  id: string;
  incident_id: string;
  seq: string;
  name: LiveEventName;
  payload: LiveEvent['payload'];
  created_at: Date;
  /** The incident's lowest unpublished seq, including rows another relay holds right now. */
  head_seq: string;
}

/**
 * Claims a batch of unpublished events. SKIP LOCKED lets several relays (api and worker processes) work side by
 * side; `head_seq` tells whether an earlier event of the same incident is still unpublished (held by another relay),
 * in which case this relay must not overtake it.
 */
const CLAIM_SQL = `
  WITH claimed AS (
    SELECT id, incident_id, seq, name, payload, created_at
      FROM outbox_event
     WHERE published_at IS NULL
     ORDER BY id
     LIMIT ${BATCH_SIZE}
       FOR UPDATE SKIP LOCKED
  )
  SELECT c.*, (SELECT min(o.seq) FROM outbox_event o WHERE o.incident_id = c.incident_id AND o.published_at IS NULL) AS head_seq
    FROM claimed c
   ORDER BY c.id`;

/**
 * From claimed rows, those that may be published now: per incident, the run of consecutive sequence numbers that
 * starts at the incident's oldest unpublished event. Within an incident, id order is seq order (seq is taken under
 * a row lock held until commit), so the result keeps each incident's events in sequence.
 */
export function publishableInOrder(rows: readonly ClaimedRow[]): ClaimedRow[] {
  const next = new Map<string, number>();
  const out: ClaimedRow[] = [];
  for (const row of rows) {
    const expected = next.get(row.incident_id) ?? Number(row.head_seq);
    if (Number(row.seq) !== expected) {
      next.set(row.incident_id, Number.NaN); // a hole: nothing after it for this incident in this batch
      continue;
    }
    out.push(row);
    next.set(row.incident_id, expected + 1);
  }
  return out;
}

/**
 * The outbox relay: publishes committed events to their incident's room, in sequence order per incident, and
 * marks them published. Woken by LISTEN outbox_event (a dedicated connection that reconnects) and by a fallback
 * poll. While Redis is unreachable it publishes nothing and leaves the events in the outbox; it resumes, in order,
 * when Redis is back. Delivery is at least once (a crash between publish and commit re-publishes): clients drop
 * events whose seq they already applied.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(OutboxRelay.name);
  private listener?: Client;
  private listenRetryMs = 250;
  private pollTimer?: NodeJS.Timeout;
  private reconnectTimer?: NodeJS.Timeout;
  private running = false;
  private draining?: Promise<void>;
  private drainAgain = false;
  private lastFailureLog = 0;
  /** Events this process has published since start (for logs and the benchmark). */
  published = 0;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly publisher: LivePublisher,
    @Inject(AppConfig) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.live.relayEnabled) return;
    this.running = true;
    this.publisher.onReady(() => this.wake());
    this.pollTimer = setInterval(() => this.wake(), this.config.live.relayPollMs);
    this.pollTimer.unref();
    void this.listen();
    this.wake();
  }

  async onApplicationShutdown(): Promise<void> {
    this.running = false;
    clearInterval(this.pollTimer);
    clearTimeout(this.reconnectTimer);
    const listener = this.listener;
    this.listener = undefined;
    await listener?.end().catch(() => undefined);
    await this.draining;
  }

  /** Drains the outbox now (coalesces with a drain already running). */
  wake(): void {
    if (!this.running) return;
    if (this.draining) {
      this.drainAgain = true;
      return;
    }
    this.draining = this.drainLoop().finally(() => {
      this.draining = undefined;
    });
  }

  private async drainLoop(): Promise<void> {
    do {
      this.drainAgain = false;
      if (!this.publisher.canPublish) return; // Redis down: the events wait in the outbox; the poll retries.
      try {
        const { claimed, published } = await this.publishBatch();
        // A full batch means more is waiting; anything published may have unblocked rows another relay skipped.
        if (claimed === BATCH_SIZE || published > 0) this.drainAgain = true;
      } catch (err) {
        this.logFailure(err);
        return;
      }
    } while (this.drainAgain && this.running);
  }

  /**
   * Two round trips to PostgreSQL per batch, with a pooled connection used directly (simple protocol, several
   * statements per message): open the transaction, set the plan and claim; then mark published and commit. Through
   * TypeORM's transaction() the same took five, for every batch of every relay.
   */
  private publishBatch(): Promise<{ claimed: number; published: number }> {
    // The connection stays checked out while Redis confirms the publish; withPooledConnection handles its death then.
    return withPooledConnection(this.db, (client, breakConnection) => this.publishOn(client, breakConnection));
  }

  private async publishOn(client: PoolClient, breakConnection: (reason: Error) => void): Promise<{ claimed: number; published: number }> {
    try {
      // Published rows leave dead entries in the partial "unpublished" index until vacuum: thousands during a surge.
      // A bitmap scan visits every one of them on each claim (milliseconds of PostgreSQL CPU per claim, measured by
      // bench:checkin); a plain index scan marks them dead on first visit and skips them from then on.
      const results = (await client.query(`BEGIN; SET LOCAL enable_bitmapscan = off; ${CLAIM_SQL}`)) as unknown as Array<QueryResult<ClaimedRow>>;
      const rows = results[results.length - 1].rows;
      const ready = publishableInOrder(rows);
      if (ready.length === 0) {
        await client.query('COMMIT');
        return { claimed: rows.length, published: 0 };
      }
      for (const row of ready) {
        this.publisher.publish({
          incidentId: row.incident_id,
          seq: Number(row.seq),
          name: row.name,
          payload: row.payload,
          at: row.created_at.toISOString(),
        });
      }
      // Mark published only once Redis has the messages; otherwise roll back and retry them later.
      if (!(await this.publisher.fence())) throw new Error('Redis did not confirm the publish');
      // The ids are bigints read from the table: digits only, safe to write into the statement.
      await client.query(`UPDATE outbox_event SET published_at = now() WHERE id = ANY('{${ready.map((r) => r.id).join(',')}}'::bigint[]); COMMIT`);
      this.published += ready.length;
      return { claimed: rows.length, published: ready.length };
    } catch (err) {
      // A connection that cannot even roll back is not handed to the next user of the pool.
      await client.query('ROLLBACK').catch((rollbackErr: unknown) => {
        breakConnection(rollbackErr instanceof Error ? rollbackErr : new Error(String(rollbackErr)));
      });
      throw err;
    }
  }

  private async listen(): Promise<void> {
    if (!this.running) return;
    const client = new Client({ connectionString: this.config.database.url, keepAlive: true, application_name: 'live-relay' });
    const retry = (reason: string): void => {
      if (this.listener !== client) return;
      this.listener = undefined;
      client.removeAllListeners();
      client.on('error', () => undefined);
      void client.end().catch(() => undefined);
      if (!this.running) return;
      this.logger.warn(`live relay: LISTEN connection lost (${reason}); retrying in ${this.listenRetryMs} ms`);
      this.reconnectTimer = setTimeout(() => void this.listen(), this.listenRetryMs);
      this.reconnectTimer.unref();
      this.listenRetryMs = Math.min(this.listenRetryMs * 2, LISTEN_RETRY_MAX_MS);
    };
    this.listener = client;
    client.on('error', (err: Error) => retry(err.message));
    client.on('end', () => retry('connection ended'));
    client.on('notification', () => this.wake());
    try {
      await client.connect();
      await client.query(`LISTEN ${OUTBOX_CHANNEL}`);
      this.listenRetryMs = 250;
      this.wake(); // catch up on anything committed while we were not listening
    } catch (err) {
      retry(err instanceof Error ? err.message : String(err));
    }
  }

  private logFailure(err: unknown): void {
    if (Date.now() - this.lastFailureLog < 10000) return;
    this.lastFailureLog = Date.now();
    this.logger.warn(`live relay: events left in the outbox for the next attempt: ${err instanceof Error ? err.message : String(err)}`);
  }
}
