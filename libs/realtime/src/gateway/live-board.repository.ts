import { Injectable } from '@nestjs/common';
import type { Transaction } from '@app/db';
import type { LiveEvent, LiveEventName } from '../live-events';

interface OutboxEventRow {
  seq: string;
  name: LiveEventName;
  payload: LiveEvent['payload'];
  created_at: Date;
}

function toLiveEvent(incidentId: string, row: OutboxEventRow): LiveEvent {
  return { incidentId, seq: Number(row.seq), name: row.name, payload: row.payload, at: row.created_at.toISOString() };
}

/** What the live gateway reads back: an incident's event sequence number and its recorded events. */
@Injectable()
export class LiveBoardRepository {
  /** The incident's latest event sequence number (0 before its first event). */
  async currentSeq(tx: Transaction, incidentId: string): Promise<number> {
    const row = await tx.queryOne<{ last_seq: string }>(`SELECT last_seq FROM event_stream WHERE incident_id = $1`, [incidentId]);
    return row ? Number(row.last_seq) : 0;
  }

  /** Up to `limit` of the incident's events after seq `since`, in order (fewer when the outbox no longer has them all). */
  async eventsAfter(tx: Transaction, incidentId: string, since: number, limit: number): Promise<LiveEvent[]> {
    const rows = await tx.query<OutboxEventRow>(
      `SELECT seq, name, payload, created_at FROM outbox_event WHERE incident_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
      [incidentId, since, limit],
    );
    return rows.map((row) => toLiveEvent(incidentId, row));
  }
}
