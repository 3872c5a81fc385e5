import { Injectable } from '@nestjs/common';
import { CombinedStatement, type SqlScope } from '@app/db';
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
  async append<N extends LiveEventName>(tx: Pick<SqlScope, 'query'>, incidentId: string, name: N, payload: LiveEventMap[N]): Promise<LiveEvent<N>> {
    const write = new CombinedStatement();
    this.appendTo(write, incidentId, [{ name, payload } as OutgoingEvent]);
    const [{ seq, created_at }] = await write.run<{ seq: string; created_at: Date }>(tx, 'SELECT seq, created_at FROM outbox_row');
    return { incidentId, seq: Number(seq), name, payload, at: created_at.toISOString() };
  }

  /**
   * Adds one incident's events, in order, to a combined statement (CTEs outbox_next and outbox_row); at most one call
   * per statement. The sequence moves once by the number of events.
   *
   * `after` names a CTE of the statement that must run before the sequence row is locked. Every transaction that
   * writes both locks the incident's audit chain head first and its event sequence second (AuditTrail.record, then
   * append); PostgreSQL runs the CTEs of one statement in an order of its own (the last first, as it happens), so a
   * combined statement with an audit entry passes `after: 'audit_entry_row'` to keep that order. Without it a
   * check-in batch and a reverification sweep at the same incident deadlock (npm run test:chaos provokes it).
   * `when` (SQL, a condition on earlier parts) leaves the events out, sequence untouched, when false.
   */
  appendTo(write: CombinedStatement, incidentId: string, events: OutgoingEvent[], options: { after?: string; when?: string } = {}): void {
    if (events.length === 0) return;
    const incident = write.value(incidentId);
    const count = write.value(events.length);
    // Reading every row of `after` first makes PostgreSQL run it (and take its locks) before this insert.
    const after = options.after ? ` FROM (SELECT count(*) FROM ${options.after}) AS ran_first` : '';
    const source = `SELECT ${incident}::uuid, ${count}::bigint${after}${options.when ? ` WHERE ${options.when}` : ''}`;
    write.with(
      'outbox_next',
      `INSERT INTO event_stream (incident_id, last_seq) ${source}
       ON CONFLICT (incident_id) DO UPDATE SET last_seq = event_stream.last_seq + EXCLUDED.last_seq RETURNING last_seq`,
    );
    // The NOTIFY rides on RETURNING: it runs with the insert even when nothing reads this CTE.
    write.with(
      'outbox_row',
      `INSERT INTO outbox_event (incident_id, seq, name, payload)
       SELECT ${incident}, n.last_seq - ${count}::int + e.ord, e.name, e.payload
         FROM outbox_next n
        CROSS JOIN jsonb_to_recordset(${write.value(JSON.stringify(events.map((e, i) => ({ ord: i + 1, name: e.name, payload: e.payload }))))}::jsonb)
              AS e(ord integer, name text, payload jsonb)
        ORDER BY e.ord
       RETURNING seq, created_at, pg_notify(${write.value(OUTBOX_CHANNEL)}, incident_id::text)`,
    );
  }
}

/** An event to append: its name and the payload that name carries. */
export type OutgoingEvent = { [N in LiveEventName]: { name: N; payload: LiveEventMap[N] } }[LiveEventName];
