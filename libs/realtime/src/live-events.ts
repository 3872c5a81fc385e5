/**
 * The live board's events: one typed map from event name to payload. Every event is written to the outbox in
 * the transaction of the change it describes and carries its incident's sequence number (see docs/live-board.md).
 */
export type ResourceStatus = 'assigned' | 'available' | 'out_of_service';
export type OutOfServiceReason = 'rest' | 'personnel' | 'credential' | 'other';

/** A responder on the board. */
export interface RosterEntry {
  deploymentId: string;
  responderId: string;
  name: string;
  agency?: string;
  homeUnit?: string;
  qualifications: string[];
  /** Registry display name of the issuer that vouched for the qualification. */
  issuerName?: string;
  position?: { id: string; name: string };
  location?: { id: string; name: string };
  status: ResourceStatus;
  statusReason?: OutOfServiceReason;
  assignment?: string;
  checkedInAt: string;
  /** Set while a credential problem found after check-in is open. */
  credentialFlag?: CredentialFlag | null;
  /** On what basis the responder may practise here (docs/practice-authority.md), as the check-in decided. */
  practiceBasis?: string;
  /** ESAR-VHP credential level (1-4) from the verified credentials. */
  esarVhpLevel?: number;
  /** A walk-up volunteer not yet verified by a credential or primary source: non-clinical positions only. */
  pendingVerification?: boolean;
}

export type CredentialFlagCode =
  | 'revoked'
  | 'suspended'
  | 'expired'
  | 'untrusted_issuer'
  | 'issuer_not_authorized'
  | 'signature_invalid'
  // an offline scan whose online re-verification decided otherwise (docs/offline.md)
  | 'changed_since_offline'
  // The basis to practise the check-in admitted on no longer holds (docs/practice-authority.md).
  | 'mission_ended'
  | 'order_ended'
  | 'compact_privilege_ended';

/** Where an offline scan came from and what each side decided: set on alerts raised when a station syncs. */
export interface OfflineScanContext {
  scanId: string;
  deviceId: string;
  scannedAt: string;
  packTime: string | null;
  offlineDecision: string;
  onlineDecision: string;
  reconfirmedAt: string;
}

export interface CredentialFlag {
  code: CredentialFlagCode;
  message: string;
  at: string;
}

export interface StatusSnapshot {
  status: ResourceStatus;
  reason?: OutOfServiceReason;
  assignment?: string;
}

/** A PAR's counts after the change an event announces: every board converges on the latest event's counts. */
export interface ParCounts {
  expected: number;
  accounted: number;
  missing: number;
  unaccounted: number;
}

/** Which people a PAR covers: the whole incident, or the people in one assignment (division, group). */
export interface ParScope {
  assignment?: string;
}

/** People one acknowledger accounted for through one channel (board tap or station scan), within a par.acknowledged event. */
export interface ParAcknowledgement {
  deploymentIds: string[];
  via: 'board' | 'scan';
  /** A role (or system process), never an e-mail address. */
  by: string;
}

export type ParReason = 'timer' | 'collapse' | 'evacuation' | 'change_of_strategy' | 'missing_member' | 'other';

export interface LiveEventMap {
  'deployment.checked_in': { deployment: RosterEntry };
  'deployment.status_changed': {
    deploymentId: string;
    responderId: string;
    name: string;
    from: StatusSnapshot;
    to: StatusSnapshot;
    note?: string;
    changedBy: string;
    at: string;
  };
  /**
   * A deployment's board entry changed outside a status change: a walk-up volunteer verified in place (the same
   * deployment, now without the pending-verification marker) or moved to another position.
   */
  'deployment.updated': { deployment: RosterEntry; change: 'verified' | 'position' };
  'deployment.checked_out': { deploymentId: string; responderId: string; name: string; at: string; hoursOnScene: number };
  'checkin.denied': { attemptId: string; name?: string; reasons: Array<{ code: string; message: string }>; at: string };
  /** deploymentId and responderId are null for an offline admission that the online re-verification denied (no deployment). */
  'credential.flagged': { deploymentId: string | null; responderId: string | null; name: string; flag: CredentialFlag; offline?: OfflineScanContext };
  'credential.cleared': { deploymentId: string; responderId: string; name: string; code: CredentialFlagCode; message: string; at: string };
  'credential.expiring': { deploymentId: string; responderId: string; name: string; validUntil: string; at: string };
  'incident.updated': { incidentId: string; name: string; state: 'active' | 'closed'; changed: string[]; at: string };
  'par.started': { parId: string; scope: ParScope; reason: ParReason; startedBy: string; startedAt: string; deadlineAt: string; counts: ParCounts };
  /**
   * People accounted for by the acknowledgement requests committed together (one group of a PAR): who, how and by
   * whom, and the counts after all of them. One event per group, not per request, so a board gets one message per
   * group however many supervisors and stations acknowledge at once; a large group is split over consecutive events
   * of at most 1,000 people, each with the counts after its part.
   */
  'par.acknowledged': { parId: string; acknowledgements: ParAcknowledgement[]; at: string; counts: ParCounts };
  'par.missing': { parId: string; deploymentId: string; name: string; assignment?: string; by: string; at: string; counts: ParCounts };
  'par.completed': { parId: string; scope: ParScope; by: string; at: string; counts: ParCounts };
  'par.overdue': {
    parId: string;
    scope: ParScope;
    deadlineAt: string;
    unaccounted: Array<{ deploymentId: string; name: string; assignment?: string }>;
    counts: ParCounts;
  };
  /** The incident's PAR timer ran out: time for a roll call (or a snooze with a reason). */
  'par.due': { incidentId: string; dueAt: string; nextDueAt: string };
  'deployment.limit_approaching': {
    deploymentId: string;
    responderId: string;
    name: string;
    limit: 'days_on_incident' | 'hours_in_period' | 'rest_between_periods';
    level: 'approaching' | 'breached';
    value: number;
    max: number;
    at: string;
  };
}

export type LiveEventName = keyof LiveEventMap;
export const LIVE_EVENT_NAMES: readonly LiveEventName[] = [
  'deployment.checked_in',
  'deployment.status_changed',
  'deployment.updated',
  'deployment.checked_out',
  'checkin.denied',
  'credential.flagged',
  'credential.cleared',
  'credential.expiring',
  'incident.updated',
  'par.started',
  'par.acknowledged',
  'par.missing',
  'par.completed',
  'par.overdue',
  'par.due',
  'deployment.limit_approaching',
];

/** What a board receives: the event, its incident and its place in the incident's sequence. */
export interface LiveEvent<N extends LiveEventName = LiveEventName> {
  incidentId: string;
  seq: number;
  name: N;
  payload: LiveEventMap[N];
  at: string;
}
