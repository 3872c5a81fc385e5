import { Inject, Injectable } from '@nestjs/common';
import { Clock, DomainError } from '@app/common';
import { AppConfig } from '@app/config';
import { Database, type Transaction } from '@app/db';
import type { LiveSnapshot, ResyncAck } from '../live-protocol';
import type { LiveSnapshotSource } from '../snapshot/live-snapshot-source';
import { LiveBoardRepository } from './live-board.repository';

type ResyncResult = Exclude<ResyncAck, { ok: false }>;

/**
 * Reads what the gateway hands out: snapshots (the board as of a sequence number) and missed events. Each read is
 * one REPEATABLE READ, read-only transaction, so the sequence number and what it describes come from the same
 * moment of the database.
 */
@Injectable()
export class LiveBoardReader {
  constructor(
    private readonly database: Database,
    private readonly events: LiveBoardRepository,
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
      const head = await this.events.currentSeq(tx, incidentId);
      const missed = head - since;
      if (missed === 0) return { ok: true, mode: 'events', incidentId, events: [], seq: head };
      if (missed > 0 && missed <= this.config.live.resyncMaxEvents) {
        const events = await this.events.eventsAfter(tx, incidentId, since, missed);
        const complete = events.length === missed && events[0]?.seq === since + 1;
        if (complete) return { ok: true, mode: 'events', incidentId, events, seq: head };
      }
      return { ok: true, mode: 'snapshot', incidentId, snapshot: await this.snapshotIn(tx, source, incidentId, head) };
    });
  }

  private async snapshotIn(tx: Transaction, source: LiveSnapshotSource, incidentId: string, knownSeq?: number): Promise<LiveSnapshot> {
    const seq = knownSeq ?? (await this.events.currentSeq(tx, incidentId));
    const board = await source.snapshot(incidentId, tx);
    return { ...board, incidentId, seq, takenAt: this.clock.now().toISOString() };
  }

  private readConsistently<T>(work: (tx: Transaction) => Promise<T>): Promise<T> {
    return this.database.transaction(work, { isolation: 'REPEATABLE READ', readOnly: true });
  }
}

/** For callers that need to say "no snapshot source is registered". */
export const noSnapshotSource = (): DomainError =>
  new DomainError('service_unavailable', 'The live board is not available on this server (no snapshot source is registered).');
