import { Injectable } from '@nestjs/common';
import type { CombinedStatement, SqlScope, StatementCondition, StatementPart } from '@app/db';
import type { LiveEvent, LiveEventMap, LiveEventName } from './live-events';
import { currentTraceParent } from '@app/telemetry';
import { OutboxRepository } from './outbox.repository';

export { OUTBOX_CHANNEL } from './outbox.repository';

/**
 * Writes live-board events into the outbox in the caller's transaction or combined statement, so an event exists
 * if and only if the change it announces was committed. Sequence numbers are gapless and in commit order per incident.
 */
@Injectable()
export class Outbox {
  constructor(private readonly events: OutboxRepository) {}

  /** Appends in its own statement (inside `tx` when given a transaction). */
  async append<N extends LiveEventName>(tx: Pick<SqlScope, 'query'>, incidentId: string, name: N, payload: LiveEventMap[N]): Promise<LiveEvent<N>> {
    const { seq, at } = await this.events.appendOne(tx, incidentId, { name, payload, traceParent: currentTraceParent() } as OutgoingEvent);
    return { incidentId, seq, name, payload, at: at.toISOString() };
  }

  /**
   * Adds one incident's events, in order, to a combined statement; at most one call per statement.
   *
   * `after` is a part of the statement that must run before the incident's event sequence is locked. Every
   * transaction that writes both locks the incident's audit chain head first and its event sequence second
   * (AuditTrail.record, then append); PostgreSQL runs the parts of one statement in an order of its own (the last
   * first, as it happens), so a combined statement with audit entries passes the part AuditTrail.appendTo returned
   * to keep that order. Without it a check-in batch and a reverification sweep at the same incident deadlock (npm
   * run test:chaos provokes it). `when` false leaves the events out, sequence untouched.
   */
  appendTo(
    statement: CombinedStatement,
    incidentId: string,
    events: OutgoingEvent[],
    options: { after?: StatementPart; when?: StatementCondition } = {},
  ): void {
    if (events.length === 0) return;
    // Events built in a request's context carry it; the others take the context the statement is built in.
    const traceParent = currentTraceParent();
    this.events.append(statement, incidentId, traceParent ? events.map((e) => ({ ...e, traceParent: e.traceParent ?? traceParent })) : events, options);
  }
}

/** An event to append: its name and the payload that name carries. */
export type OutgoingEvent = { [N in LiveEventName]: { name: N; payload: LiveEventMap[N]; traceParent?: string } }[LiveEventName];
