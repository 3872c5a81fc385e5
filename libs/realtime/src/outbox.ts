import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { LiveEvent, LiveEventMap, LiveEventName } from './live-events';

/** Channel the relay LISTENs on; NOTIFY is transactional, so it fires only for committed events. */
export const OUTBOX_CHANNEL = 'outbox_event';

/**
 * Writes live-board events into the outbox inside the caller's transaction. The incident's next sequence number is
 * taken from event_stream (a row lock held until commit), so sequence numbers are gapless and in commit order per
 * incident.
 */
@Injectable()
export class Outbox {
  async append<N extends LiveEventName>(tx: EntityManager, incidentId: string, name: N, payload: LiveEventMap[N]): Promise<LiveEvent<N>> {
    // One round trip on the hot path: take the next seq (row lock until commit), insert the event, queue the NOTIFY.
    const [{ seq: seqText, created_at }] = (await tx.query(
      `WITH next AS (
         INSERT INTO event_stream (incident_id, last_seq) VALUES ($1, 1)
         ON CONFLICT (incident_id) DO UPDATE SET last_seq = event_stream.last_seq + 1 RETURNING last_seq
       ), event AS (
         INSERT INTO outbox_event (incident_id, seq, name, payload) SELECT $1, last_seq, $2, $3 FROM next RETURNING seq, created_at
       )
       SELECT seq, created_at, pg_notify($4, $1::text) FROM event`,
      [incidentId, name, JSON.stringify(payload), OUTBOX_CHANNEL],
    )) as Array<{ seq: string; created_at: Date }>;
    const seq = Number(seqText);
    return { incidentId, seq, name, payload, at: created_at.toISOString() };
  }
}
