import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { Clock, DomainError } from '@app/common';
import { AppConfig } from '@app/config';
import { Transaction } from '@app/db';
import type { LiveEvent, LiveEventName } from '../live-events';
import type { LiveSnapshot, ResyncAck } from '../live-protocol';
import type { LiveSnapshotSource } from '../snapshot/live-snapshot-source';

type ResyncResult = Exclude<ResyncAck, { ok: false }>;

/**
 * Reads what the gateway hands out: snapshots (the board as of a sequence number) and missed events. Each read is
 * one REPEATABLE READ, read-only transaction, so the sequence number and what it describes come from the same
 * moment of the database.
 */
@Injectable()
export class LiveBoardReader {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(AppConfig) private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  snapshot(source: LiveSnapshotSource, incidentId: string): Promise<LiveSnapshot> {
    return this.readConsistently((tx) => this.snapshotIn(tx, source, incidentId));
  }

  /**
   * Events after `since`, in order; or a snapshot when that is not possible or not sensible: more than
   * LIVE_RESYNC_MAX_EVENTS missed, `since` ahead of the incident (the client's state came from elsewhere), or
   * history no longer complete.
   */
  resync(source: LiveSnapshotSource, incidentId: string, since: number): Promise<ResyncResult> {
    return this.readConsistently(async (tx) => {
      const head = await this.currentSeq(tx, incidentId);
      const missed = head - since;
      if (missed === 0) return { ok: true, mode: 'events', incidentId, events: [], seq: head };
      if (missed > 0 && missed <= this.config.live.resyncMaxEvents) {
        const rows = (await tx.query(
          `SELECT seq, name, payload, created_at FROM outbox_event WHERE incident_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
          [incidentId, since, missed],
        )) as Array<{ seq: string; name: LiveEventName; payload: LiveEvent['payload']; created_at: Date }>;
        const complete = rows.length === missed && Number(rows[0]?.seq) === since + 1;
        if (complete) {
          const events: LiveEvent[] = rows.map((r) => ({ incidentId, seq: Number(r.seq), name: r.name, payload: r.payload, at: r.created_at.toISOString() }));
          return { ok: true, mode: 'events', incidentId, events, seq: head };
        }
      }
      return { ok: true, mode: 'snapshot', incidentId, snapshot: await this.snapshotIn(tx, source, incidentId, head) };
    });
  }

  private async snapshotIn(tx: EntityManager, source: LiveSnapshotSource, incidentId: string, knownSeq?: number): Promise<LiveSnapshot> {
    const seq = knownSeq ?? (await this.currentSeq(tx, incidentId));
    const board = await source.snapshot(incidentId, inTransaction(tx));
    return { ...board, incidentId, seq, takenAt: this.clock.now().toISOString() };
  }

  private async currentSeq(tx: EntityManager, incidentId: string): Promise<number> {
    const rows = (await tx.query(`SELECT last_seq FROM event_stream WHERE incident_id = $1`, [incidentId])) as Array<{ last_seq: string }>;
    return rows.length > 0 ? Number(rows[0].last_seq) : 0;
  }

  private readConsistently<T>(work: (tx: EntityManager) => Promise<T>): Promise<T> {
    return this.db.transaction('REPEATABLE READ', async (tx) => {
      await tx.query('SET TRANSACTION READ ONLY');
      return work(tx);
    });
  }
}

/** The source reads through @app/db's Transaction: the same connection, inside the same snapshot. */
function inTransaction(tx: EntityManager): Transaction {
  return new Transaction(() => {
    if (!tx.queryRunner) throw new Error('live board: the snapshot read has no transaction');
    return tx.queryRunner;
  }, false);
}

/** For callers that need to say "no snapshot source is registered". */
export const noSnapshotSource = (): DomainError =>
  new DomainError('service_unavailable', 'The live board is not available on this server (no snapshot source is registered).');
