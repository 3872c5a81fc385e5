import { Injectable } from '@nestjs/common';
import { CombinedStatement, type SqlScope, type StatementCondition, type StatementPart } from '@app/db';
import type { OutgoingEvent } from './outbox';

/** Channel the relay LISTENs on; NOTIFY is transactional, so it fires only for committed events. */
export const OUTBOX_CHANNEL = 'outbox_event';

/** What the append returns of an event: its place in the incident's sequence. */
interface AppendedRow {
  seq: string;
  created_at: Date;
}

/**
 * Writes board events into the outbox (outbox_event), numbered from the incident's sequence (event_stream). The
 * sequence row stays locked until commit, so sequence numbers are gapless and in commit order per incident.
 */
@Injectable()
export class OutboxRepository {
  /** Appends one event in its own statement (inside `scope` when it is a transaction): its sequence number and time. */
  async appendOne(scope: Pick<SqlScope, 'query'>, incidentId: string, event: OutgoingEvent): Promise<{ seq: number; at: Date }> {
    const statement = new CombinedStatement();
    const rows = this.append(statement, incidentId, [event]);
    const [row] = await statement.run<AppendedRow>(scope, `SELECT seq, created_at FROM ${rows.name}`);
    return { seq: Number(row.seq), at: row.created_at };
  }

  /**
   * Adds one incident's events, in order, to a combined statement; at most one call per statement. The sequence
   * moves once by the number of events. `after` runs (and takes its locks) before the sequence row is locked;
   * `when` false leaves the events out, sequence untouched. Returns the part that inserts the events.
   */
  append(
    statement: CombinedStatement,
    incidentId: string,
    events: OutgoingEvent[],
    options: { after?: StatementPart; when?: StatementCondition } = {},
  ): StatementPart {
    const incident = statement.value(incidentId);
    const count = statement.value(events.length);
    const source = `SELECT ${incident}::uuid, ${count}::bigint${CombinedStatement.after(options.after)}${options.when ? ` ${CombinedStatement.where(options.when)}` : ''}`;
    const next = statement.with(
      'outbox_next',
      `INSERT INTO event_stream (incident_id, last_seq) ${source}
       ON CONFLICT (incident_id) DO UPDATE SET last_seq = event_stream.last_seq + EXCLUDED.last_seq RETURNING last_seq`,
    );
    // The NOTIFY rides on RETURNING: it runs with the insert even when nothing reads this part.
    return statement.with(
      'outbox_row',
      `INSERT INTO outbox_event (incident_id, seq, name, payload, trace_parent)
       SELECT ${incident}, n.last_seq - ${count}::int + e.ord, e.name, e.payload, e.trace_parent
         FROM ${next.name} n
        CROSS JOIN jsonb_to_recordset(${statement.value(JSON.stringify(events.map(asInputRow)))}::jsonb)
              AS e(ord integer, name text, payload jsonb, trace_parent text)
        ORDER BY e.ord
       RETURNING seq, created_at, pg_notify(${statement.value(OUTBOX_CHANNEL)}, incident_id::text)`,
    );
  }
}

/** An event as a row of the statement's jsonb_to_recordset input (column names). */
function asInputRow(e: OutgoingEvent, i: number): Record<string, unknown> {
  return { ord: i + 1, name: e.name, payload: e.payload, trace_parent: e.traceParent ?? null };
}
