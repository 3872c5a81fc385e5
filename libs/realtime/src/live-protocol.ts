/**
 * The wire protocol of the `/live` socket.io namespace: what a client sends, what it gets back, and the events it
 * receives. Plain types and constants only (no Nest, no TypeORM): the browser client imports this file too.
 * docs/live-board.md describes every message with an example.
 */
import type { CredentialFlag, LiveEvent, LiveEventMap, LiveEventName, ResourceStatus, RosterEntry } from './live-events';

export const LIVE_NAMESPACE = '/live';

/** Client messages are tiny; anything larger than this closes the connection (engine.io maxHttpBufferSize). */
export const LIVE_MAX_MESSAGE_BYTES = 16 * 1024;

/** A socket may watch this many incidents at once (a dashboard shows one, a state overview a few dozen). */
export const LIVE_MAX_SUBSCRIPTIONS_PER_SOCKET = 50;

/** The socket.io room of an incident's board. */
export const incidentRoom = (incidentId: string): string => `incident:${incidentId}`;

// ---------------------------------------------------------------------------------------------------------------
// Ephemeral events: progress indications that are not part of the board's state. They carry no sequence number,
// are not stored, and a client that misses one loses nothing (the next one, or the outcome event, supersedes it).
// ---------------------------------------------------------------------------------------------------------------

export interface LiveEphemeralMap {
  /** A reverification run for the incident is progressing (worker). */
  'reverify.progress': { jobId: string; done: number; total: number; state: 'queued' | 'running' | 'completed' | 'failed' };
}
export type LiveEphemeralName = keyof LiveEphemeralMap;
export const LIVE_EPHEMERAL_NAMES: readonly LiveEphemeralName[] = ['reverify.progress'];

export interface LiveEphemeralEvent<N extends LiveEphemeralName = LiveEphemeralName> {
  incidentId: string;
  name: N;
  payload: LiveEphemeralMap[N];
  at: string;
}

// ---------------------------------------------------------------------------------------------------------------
// Snapshot: the board at one point of the incident's event sequence.
// ---------------------------------------------------------------------------------------------------------------

/** Head counts of the active roster. Deployments without an assignment count under `unassigned`. */
export interface LiveBoardCounts {
  total: number;
  byStatus: Record<ResourceStatus, number>;
  byAssignment: Record<string, number>;
  byQualification: Record<string, number>;
}

/** An open credential problem on a deployed responder (a `credential.flagged` not yet cleared). */
export interface LiveAlert {
  deploymentId: string;
  responderId: string;
  name: string;
  flag: CredentialFlag;
}

export interface LiveIncidentSummary {
  id: string;
  name: string;
  number?: string;
  state: 'active' | 'closed';
}

/** What the incidents library supplies (see LiveSnapshotSource): the board without its sequence number. */
export interface LiveBoard {
  incident: LiveIncidentSummary;
  /** Active deployments (checked in, not checked out). */
  roster: RosterEntry[];
  counts: LiveBoardCounts;
  alerts: LiveAlert[];
}

/** The board as of event `seq`: apply events with a higher seq on top of it. */
export interface LiveSnapshot extends LiveBoard {
  incidentId: string;
  seq: number;
  takenAt: string;
}

// ---------------------------------------------------------------------------------------------------------------
// Messages and acknowledgements.
// ---------------------------------------------------------------------------------------------------------------

/** Reason codes in refusals (a subset of the API's error codes, same meaning). */
export type LiveErrorCode = 'unauthenticated' | 'forbidden' | 'not_found' | 'validation_failed' | 'rate_limited' | 'service_unavailable' | 'internal_error';

export interface LiveError {
  code: LiveErrorCode;
  message: string;
  /** validation_failed: which fields and why. */
  errors?: Array<{ field: string; message: string }>;
}

export type LiveRefusal = { ok: false; error: LiveError };

export interface SubscribeRequest {
  incidentId: string;
}
export type SubscribeAck = { ok: true; snapshot: LiveSnapshot } | LiveRefusal;

export interface UnsubscribeRequest {
  incidentId: string;
}
export type UnsubscribeAck = { ok: true } | LiveRefusal;

export interface ResyncRequest {
  incidentId: string;
  /** The last seq the client applied (the snapshot's seq, or the last event's). */
  since: number;
}
export type ResyncAck =
  /** Every event with seq > since, in order; `seq` is the incident's sequence number when they were read. */
  | { ok: true; mode: 'events'; incidentId: string; events: LiveEvent[]; seq: number }
  /** Too many missed events (or a `since` the server cannot continue from): start over from this snapshot. */
  | { ok: true; mode: 'snapshot'; incidentId: string; snapshot: LiveSnapshot }
  | LiveRefusal;

/** Why the server ends a session on its own. */
export interface SessionEnded {
  code: 'unauthenticated';
  message: string;
}

/** The server took the socket off an incident's board: the user may no longer see it (e.g. removed from its staff). */
export interface SubscriptionEnded {
  incidentId: string;
  error: LiveError;
}

type Ack<T> = (reply: T) => void;

export interface LiveClientToServerEvents {
  subscribe: (request: SubscribeRequest, ack: Ack<SubscribeAck>) => void;
  unsubscribe: (request: UnsubscribeRequest, ack: Ack<UnsubscribeAck>) => void;
  resync: (request: ResyncRequest, ack: Ack<ResyncAck>) => void;
}

/** Board events and ephemeral events are emitted under their own names; the envelope says which is which. */
export type LiveServerToClientEvents = {
  [N in LiveEventName]: (event: LiveEvent<N>) => void;
} & {
  [N in LiveEphemeralName]: (event: LiveEphemeralEvent<N>) => void;
} & {
  /** This server lost events for a while (its Redis subscription dropped): resync every subscription. */
  'resync.required': (info: { reason: string }) => void;
  /**
   * The access token expired, or the user's access changed (deactivated, role, jurisdictions or password changed):
   * the server disconnects right after this; reconnect with a new token (which a changed user must sign in for).
   */
  'session.ended': (info: SessionEnded) => void;
  /** This socket no longer receives the incident's events; final (`forbidden` or `not_found`). */
  'subscription.ended': (info: SubscriptionEnded) => void;
};

export type { LiveEvent, LiveEventMap, LiveEventName };
