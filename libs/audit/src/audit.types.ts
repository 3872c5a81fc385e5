/** Who did it: a signed-in user (with device/IP) or a process acting on its own (reverification sweep). */
export type AuditActor =
  | { kind: 'user'; userId: string; role: string; email?: string; ip?: string; device?: string }
  | { kind: 'anonymous'; email?: string; ip?: string; device?: string }
  | { kind: 'system'; process: 'api' | 'worker' | 'cli'; job?: string };

/** One entry to append. `payload` is the evidence (what was decided, on what basis). */
export interface AuditInput {
  actor: AuditActor;
  /** Dotted verb, e.g. checkin.admitted, checkin.denied, deployment.status_changed, trust.issuer_updated. */
  action: string;
  /** Chains are per incident; entries without an incident go to the `system` chain. */
  incidentId?: string;
  target?: { type: string; id: string };
  payload: Record<string, unknown>;
  /** Defaults to now. */
  occurredAt?: Date;
}

export interface AuditEntryRecord {
  id: string;
  chainId: string;
  seq: number;
  occurredAt: string;
  actor: AuditActor;
  action: string;
  incidentId: string | null;
  targetType: string | null;
  targetId: string | null;
  payload: Record<string, unknown>;
  prevHash: string;
  hash: string;
}

export const GENESIS_HASH = '0'.repeat(64);
/** An incident's chain is named by its id as PostgreSQL writes a uuid (lower case), however a caller spelled it. */
export const chainIdFor = (incidentId?: string | null): string => (incidentId ? `incident:${incidentId.toLowerCase()}` : 'system');
