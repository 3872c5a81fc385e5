import { Injectable } from '@nestjs/common';
import { Database, type ChannelListener, type RawConnection, type RawResult } from '@app/db';
import type { LiveEvent, LiveEventName } from '../live-events';
import { OUTBOX_CHANNEL } from '../outbox';

/** Events claimed per batch. */
export const OUTBOX_BATCH_SIZE = 500;

interface ClaimedRow {
  id: string;
  incident_id: string;
  seq: string;
  name: LiveEventName;
  payload: LiveEvent['payload'];
  created_at: Date;
  trace_parent: string | null;
  head_seq: string;
}

/** An unpublished event this relay holds (row-locked) until its batch commits. */
export interface ClaimedEvent {
  /** The outbox row. */
  id: string;
  event: LiveEvent;
  /** The incident's lowest unpublished seq, including events another relay holds right now. */
  headSeq: number;
  /** The trace of the request that wrote it (W3C traceparent), when tracing was on. */
  traceParent?: string;
}

function toClaimedEvent(row: ClaimedRow): ClaimedEvent {
  return {
    id: String(row.id),
    event: { incidentId: row.incident_id, seq: Number(row.seq), name: row.name, payload: row.payload, at: row.created_at.toISOString() },
    headSeq: Number(row.head_seq),
    traceParent: row.trace_parent ?? undefined,
  };
}

/**
 * Claims a batch of unpublished events. SKIP LOCKED lets several relays (api and worker processes) work side by
 * side; `head_seq` tells whether an earlier event of the same incident is still unpublished (held by another relay),
 * in which case this relay must not overtake it.
 */
const CLAIM_SQL = `
  WITH claimed AS (
    SELECT id, incident_id, seq, name, payload, created_at, trace_parent
      FROM outbox_event
     WHERE published_at IS NULL
     ORDER BY id
     LIMIT ${OUTBOX_BATCH_SIZE}
       FOR UPDATE SKIP LOCKED
  )
  SELECT c.*, (SELECT min(o.seq) FROM outbox_event o WHERE o.incident_id = c.incident_id AND o.published_at IS NULL) AS head_seq
    FROM claimed c
   ORDER BY c.id`;

/** The LISTEN connection of a relay: connect (rejects when it cannot), close (ignoring whatever it reports from then on). */
export type OutboxListener = ChannelListener;

/** The outbox relay's statements on outbox_event: claim a batch, mark it published, and LISTEN for new events. */
@Injectable()
export class OutboxRelayRepository {
  constructor(private readonly database: Database) {}

  /**
   * Claims up to OUTBOX_BATCH_SIZE unpublished events (oldest first) and hands them to `publish`, which returns those
   * it published; marks them published and commits. When `publish` throws, rolls back: the events stay unpublished.
   *
   * Two round trips to PostgreSQL per batch, with a pooled connection used directly (simple protocol, several
   * statements per message): open the transaction, set the plan and claim; then mark published and commit. Through
   * TypeORM's transaction() the same took five, for every batch of every relay.
   */
  claimBatch(publish: (claimed: ClaimedEvent[]) => Promise<readonly ClaimedEvent[]>): Promise<{ claimed: number; published: number }> {
    // The connection stays checked out while Redis confirms the publish; withConnection handles its death then.
    return this.database.withConnection((client, breakConnection) => this.claimOn(client, breakConnection, publish));
  }

  private async claimOn(
    client: RawConnection,
    breakConnection: (reason: Error) => void,
    publish: (claimed: ClaimedEvent[]) => Promise<readonly ClaimedEvent[]>,
  ): Promise<{ claimed: number; published: number }> {
    try {
      // Published rows leave dead entries in the partial "unpublished" index until vacuum: thousands during a surge.
      // A bitmap scan visits every one of them on each claim (milliseconds of PostgreSQL CPU per claim, measured by
      // bench:checkin); a plain index scan marks them dead on first visit and skips them from then on.
      const results = (await client.query(`BEGIN; SET LOCAL enable_bitmapscan = off; ${CLAIM_SQL}`)) as unknown as Array<RawResult<ClaimedRow>>;
      const claimed = results[results.length - 1].rows.map(toClaimedEvent);
      const published = await publish(claimed);
      if (published.length === 0) {
        await client.query('COMMIT');
        return { claimed: claimed.length, published: 0 };
      }
      // The ids are bigints read from the table: digits only, safe to write into the statement.
      await client.query(`UPDATE outbox_event SET published_at = now() WHERE id = ANY('{${published.map((e) => e.id).join(',')}}'::bigint[]); COMMIT`);
      return { claimed: claimed.length, published: published.length };
    } catch (err) {
      // A connection that cannot even roll back is not handed to the next user of the pool.
      await client.query('ROLLBACK').catch((rollbackErr: unknown) => {
        breakConnection(rollbackErr instanceof Error ? rollbackErr : new Error(String(rollbackErr)));
      });
      throw err;
    }
  }

  /**
   * A dedicated connection (not from the pool: it stays open as long as the relay runs) that LISTENs for committed
   * events. `lost` is called when it fails or ends, until it is closed.
   */
  listener(events: { notified: () => void; lost: (reason: string) => void }): OutboxListener {
    return this.database.listen(OUTBOX_CHANNEL, 'live-relay', events);
  }
}
