import { Injectable } from '@nestjs/common';
import { CombinedWrite, type SqlRunner } from '@app/common';
import type { LiveEvent, LiveEventMap, LiveEventName } from './live-events';

/** Channel the relay LISTENs on; NOTIFY is transactional, so it fires only for committed events. */
export const OUTBOX_CHANNEL = 'outbox_event';

/**
 * Writes live-board events into the outbox in the caller's transaction or combined statement. The incident's next
 * sequence number is taken from event_stream (a row lock held until commit), so sequence numbers are gapless and in
 * commit order per incident.
 */
@Injectable()
export class Outbox {
  /** Appends in its own statement (inside `tx` when given a transaction). */
  async append<N extends LiveEventName>(tx: SqlRunner, incidentId: string, name: N, payload: LiveEventMap[N]): Promise<LiveEvent<N>> {
    const write = new CombinedWrite();
    this.appendTo(write, incidentId, name, payload);
    const [{ seq, created_at }] = await write.run<{ seq: string; created_at: Date }>(tx, 'SELECT seq, created_at FROM outbox_row');
    return { incidentId, seq: Number(seq), name, payload, at: created_at.toISOString() };
  }

  /** Adds the event to a combined statement (CTEs outbox_next and outbox_row); at most one per statement. */
  appendTo<N extends LiveEventName>(write: CombinedWrite, incidentId: string, name: N, payload: LiveEventMap[N]): void {
    const incident = write.value(incidentId);
    write.with(
      'outbox_next',
      `INSERT INTO event_stream (incident_id, last_seq) VALUES (${incident}, 1)
       ON CONFLICT (incident_id) DO UPDATE SET last_seq = event_stream.last_seq + 1 RETURNING last_seq`,
    );
    // The NOTIFY rides on RETURNING: it runs with the insert even when nothing reads this CTE.
    write.with(
      'outbox_row',
      `INSERT INTO outbox_event (incident_id, seq, name, payload)
       SELECT ${incident}, last_seq, ${write.value(name)}, ${write.value(JSON.stringify(payload))} FROM outbox_next
       RETURNING seq, created_at, pg_notify(${write.value(OUTBOX_CHANNEL)}, incident_id::text)`,
    );
  }
}
