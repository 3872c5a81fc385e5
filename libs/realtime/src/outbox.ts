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
    const [{ last_seq }] = (await tx.query(
      `INSERT INTO event_stream (incident_id, last_seq) VALUES ($1, 1)
       ON CONFLICT (incident_id) DO UPDATE SET last_seq = event_stream.last_seq + 1 RETURNING last_seq`,
      [incidentId],
    )) as Array<{ last_seq: string }>;
    const seq = Number(last_seq);
    const [{ created_at }] = (await tx.query(
      `INSERT INTO outbox_event (incident_id, seq, name, payload) VALUES ($1, $2, $3, $4) RETURNING created_at`,
      [incidentId, seq, name, JSON.stringify(payload)],
    )) as Array<{ created_at: Date }>;
    await tx.query(`SELECT pg_notify($1, $2)`, [OUTBOX_CHANNEL, incidentId]);
    return { incidentId, seq, name, payload, at: created_at.toISOString() };
  }
}
