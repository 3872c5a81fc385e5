import type { AuditActor } from '@app/audit';
import type { LiveEventMap, ParAcknowledgement, ParCounts } from '@app/realtime';
import { actorOnBoard, type MarkVia } from './par';

/**
 * The most people one par.acknowledged event names: a group's event goes to every board watching, so a group larger
 * than this (up to 200 requests of 500 people) is announced in consecutive events instead of one of megabytes.
 */
export const ACK_EVENT_MAX_PEOPLE = 1000;

/** An accepted acknowledgement request of a group, with the PAR's counts after it. */
export interface AcceptedAck {
  ids: string[];
  via: MarkVia;
  actor: AuditActor;
  counts: ParCounts;
}

/**
 * The board events of a group of accepted acknowledgements, in acceptance order: one event, or consecutive events of
 * at most ACK_EVENT_MAX_PEOPLE people (a request is never split), each with the counts after its last request. Within
 * an event, requests by the same acknowledger (as the board names them) through the same channel are merged.
 */
export function acknowledgedEvents(
  parId: string,
  accepted: AcceptedAck[],
  at: Date,
  maxPeople = ACK_EVENT_MAX_PEOPLE,
): Array<{ name: 'par.acknowledged'; payload: LiveEventMap['par.acknowledged'] }> {
  const events: Array<{ name: 'par.acknowledged'; payload: LiveEventMap['par.acknowledged'] }> = [];
  let parts: ParAcknowledgement[] = [];
  let people = 0;
  let counts: ParCounts | undefined;
  const flush = (): void => {
    if (counts) events.push({ name: 'par.acknowledged', payload: { parId, acknowledgements: parts, at: at.toISOString(), counts } });
    parts = [];
    people = 0;
    counts = undefined;
  };
  for (const request of accepted) {
    if (people > 0 && people + request.ids.length > maxPeople) flush();
    const by = actorOnBoard(request.actor);
    const same = parts.find((p) => p.via === request.via && p.by === by);
    if (same) same.deploymentIds.push(...request.ids);
    else parts.push({ deploymentIds: [...request.ids], via: request.via, by });
    people += request.ids.length;
    counts = request.counts;
  }
  flush();
  return events;
}
