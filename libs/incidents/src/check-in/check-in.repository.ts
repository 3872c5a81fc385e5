import { Injectable } from '@nestjs/common';
import { AuditTrail, type AuditActor, type AuditInput } from '@app/audit';
import { GroupCommit } from '@app/common';
import { CombinedStatement, Database, type PreparedStatements } from '@app/db';
import { Outbox, type OutgoingEvent } from '@app/realtime';
import { currentTraceParent } from '@app/telemetry';
import type { DeploymentView } from '../deployments/deployment.view';
import type { ResponderIdentityChange } from '../responders/responder';
import type { Presentation, ResolvedIdentity } from '../responders/responder-identity';
import { ResponderRepository } from '../responders/responders.repository';
import type { CheckInAttempt, RecordedResponse } from './check-in-attempt';

/** A deployment a check-in opens (as the API shows it), with its first status event. */
export interface OpenedDeployment {
  deployment: DeploymentView;
  /** The user who checked the responder in. */
  checkedInBy: string;
  /** Who the first status event names. */
  changedBy: AuditActor;
}

/** Everything one check-in commits. */
export interface CheckInToWrite {
  /**
   * The credential presented, to record with its responder and verification, when the rest was built as its
   * responder's first scan (null: no credential that establishes identity, or already recorded by the batch that
   * found it was not).
   */
  presentation: Presentation | null;
  attempt: CheckInAttempt;
  deployment: OpenedDeployment | null;
  /** Its audit entries, in order: the check-in's, then its identity change's. */
  audit: AuditInput[];
  event: OutgoingEvent | null;
  /**
   * The responder's name or e-mail this check-in's credential changes: applied with a history row per field (only for
   * a responder known before, so never with a presentation).
   */
  identityChanges: ResponderIdentityChange[];
}

/**
 * What became of a check-in given to CheckInRepository.write: committed, or (when a presentation in its batch was not
 * its responder's first scan) only the batch's presentations were, and here is what is known of this one's responder
 * to decide on and write again (undefined: the check-in had no presentation).
 */
export type CheckInWrite = { committed: true } | { committed: false; known: ResolvedIdentity | undefined };

/** An Idempotency-Key as its user sent it. */
interface IdempotencyKey {
  userId: string;
  key: string;
}

/** The check_in_attempt columns an idempotency lookup reads, with the key's place in the batch. */
interface PreviousAttemptRow {
  ord: string;
  request_hash: string;
  response_status: number;
  response: string;
}

/** A check-in attempt as a row of the statement's jsonb_to_recordset input (column names). */
interface AttemptInputRow {
  id: string;
  performed_by: string;
  idempotency_key: string | null;
  request_hash: string;
  decision: string;
  reasons: unknown;
  credential_hash: string | null;
  responder_id: string | null;
  deployment_id: string | null;
  verification_id: string | null;
  location_id: string | null;
  device_id: string | null;
  response_status: number;
  response: string;
  performed_at: string;
}

/** An opened deployment as a row of the statement's jsonb_to_recordset input (column names). */
interface DeploymentInputRow {
  id: string;
  responder_id: string;
  credential_id: string;
  position_id: string | null;
  location_id: string | null;
  decision: string;
  status: string;
  assignment: string | null;
  ics211: unknown;
  practice_authority: unknown;
  checked_in_at: string;
  checked_in_by: string;
  /** The status event's actor. */
  changed_by: unknown;
}

/**
 * Commits check-ins: the presented credentials with their responders and verifications, the attempts, the
 * deployments and their first status, the audit entries and the board events of a whole batch of one incident's
 * check-ins in ONE statement, so one commit and one lock of the incident's audit chain head and event sequence for
 * the batch. Check-ins at an incident are group-committed one batch of each kind (below) at a time (the chain is
 * ordered anyway); different incidents are written side by side. Callers hear back only after commit.
 *
 * The check-ins with a presentation were built as their responders' first scans (new ids for the responder and
 * credential rows, nothing known of them yet). If one of the batch's responders or credentials existed before the
 * statement, the statement records the presentations only and reads what each check-in must be decided on instead;
 * the callers decide again and write without a presentation. A responder created by a concurrent statement after
 * this one's snapshot is caught by the foreign keys (the new ids the check-in refers to do not exist), and the
 * statement fails whole.
 *
 * Also finds the responses already given under Idempotency-Keys.
 */
@Injectable()
export class CheckInRepository {
  /** Two groups (with presentations, without) per incident with check-ins being written in this process. */
  private readonly groups = new Map<string, GroupCommit<CheckInToWrite, CheckInWrite>>();
  /** The batch statement inserts only what it is given, so its generic plan stays right (PreparedStatements). */
  private readonly prepared: PreparedStatements;
  /** Idempotency lookups of check-ins arriving together share one query. */
  private readonly previousAttempts = new GroupCommit((keys: IdempotencyKey[]) => this.findPreviousAttempts(keys), { maxBatch: 128, maxInFlight: 2 });

  constructor(
    private readonly database: Database,
    private readonly audit: AuditTrail,
    private readonly outbox: Outbox,
    private readonly responders: ResponderRepository,
  ) {
    this.prepared = database.preparedStatements();
  }

  /**
   * Commits the check-in with its incident's batch; a batch PostgreSQL gives up to break a deadlock runs again
   * (GroupCommit). Check-ins with a presentation and those without are batched apart: a batch of the first kind may
   * commit only its presentations, and one without any always commits, so a check-in decided again never waits
   * behind the next known responder.
   */
  async write(incidentId: string, checkIn: CheckInToWrite): Promise<CheckInWrite> {
    const group = `${checkIn.presentation ? 'first-scan' : 'decided'}:${incidentId}`;
    let batches = this.groups.get(group);
    if (!batches) {
      batches = new GroupCommit((checkIns) => this.writeBatch(incidentId, checkIns), { maxBatch: 64, maxInFlight: 1 });
      this.groups.set(group, batches);
    }
    // The batch is written in whichever request's context leads it: each event keeps its own request's trace.
    const traceParent = checkIn.event && currentTraceParent();
    try {
      return await batches.submit(traceParent && checkIn.event ? { ...checkIn, event: { ...checkIn.event, traceParent } } : checkIn);
    } finally {
      // Nothing queued or in flight: let it go (the next check-in here makes a new one).
      if (batches.idle && this.groups.get(group) === batches) this.groups.delete(group);
    }
  }

  /** The response first given under this user's Idempotency-Key, if any. */
  async previousResponse(userId: string, key: string): Promise<RecordedResponse | undefined> {
    return (await this.previousAttempts.submit({ userId, key })) ?? undefined;
  }

  /** One statement for the check-ins, in order; all at one incident. */
  protected async writeBatch(incidentId: string, checkIns: CheckInToWrite[]): Promise<CheckInWrite[]> {
    const statement = new CombinedStatement();
    const presented = checkIns.flatMap((c) => (c.presentation ? [c.presentation] : []));
    const recorded = presented.length > 0 ? this.responders.recordPresentations(statement, presented) : undefined;
    // Everything below is written only if every presentation is its responder's first scan.
    const when = recorded?.allFirstSeen;
    const onlyWhen = CombinedStatement.where(when);
    const incident = statement.value(incidentId);
    const deployments = checkIns.flatMap((c) => (c.deployment ? [asDeploymentRow(c.deployment)] : []));
    if (deployments.length > 0) {
      const input = statement.with(
        'deployment_input',
        `SELECT * FROM jsonb_to_recordset(${statement.value(JSON.stringify(deployments))}::jsonb) AS x(
           id uuid, responder_id uuid, credential_id uuid, position_id uuid, location_id uuid, decision text, status text,
           assignment text, ics211 jsonb, practice_authority jsonb, checked_in_at timestamptz, checked_in_by uuid, changed_by jsonb)
         ${onlyWhen}`,
        { materialized: true },
      );
      const inserted = statement.with(
        'new_deployment',
        `INSERT INTO deployment (id, incident_id, responder_id, credential_id, position_id, location_id, decision, status, assignment, ics211, practice_authority,
                                 checked_in_at, checked_in_by)
         SELECT id, ${incident}::uuid, responder_id, credential_id, position_id, location_id, decision, status, assignment, ics211, practice_authority,
                checked_in_at, checked_in_by
           FROM ${input.name}
         RETURNING id`,
      );
      statement.with(
        'first_status',
        `INSERT INTO deployment_status_event (deployment_id, from_status, to_status, to_assignment, note, changed_by, changed_at)
         SELECT d.id, NULL, x.status, x.assignment, 'checked in', x.changed_by, x.checked_in_at
           FROM ${inserted.name} d JOIN ${input.name} x ON x.id = d.id`,
      );
    }
    statement.with(
      'attempt',
      `INSERT INTO check_in_attempt (id, incident_id, performed_by, idempotency_key, request_hash, decision, reasons, credential_hash, responder_id,
                                     deployment_id, verification_id, location_id, device_id, response_status, response, performed_at)
       SELECT id, ${incident}::uuid, performed_by, idempotency_key, request_hash, decision, reasons, credential_hash, responder_id,
              deployment_id, verification_id, location_id, device_id, response_status, response, performed_at
         FROM jsonb_to_recordset(${statement.value(JSON.stringify(checkIns.map((c) => asAttemptRow(c.attempt))))}::jsonb) AS x(
           id uuid, performed_by uuid, idempotency_key text, request_hash text, decision text, reasons jsonb, credential_hash text,
           responder_id uuid, deployment_id uuid, verification_id uuid, location_id uuid, device_id text, response_status integer,
           response text, performed_at timestamptz)
       ${onlyWhen}`,
    );
    // The audit chain head before the event sequence and the responder rows: the order every other writer at the
    // incident locks them in.
    const chainHead = this.audit.appendTo(
      statement,
      checkIns.flatMap((c) => c.audit),
      { when },
    );
    this.outbox.appendTo(
      statement,
      incidentId,
      checkIns.flatMap((c) => (c.event ? [c.event] : [])),
      { after: chainHead, when },
    );
    const identityChanges = checkIns.flatMap((c) => c.identityChanges);
    if (identityChanges.length > 0) this.responders.changeIdentities(statement, incidentId, identityChanges, { after: chainHead, when });
    // Not in a transaction: one statement commits on its own, and callers hear back only after it has.
    if (!recorded) {
      await statement.run(this.prepared);
      return checkIns.map(() => ({ committed: true }));
    }
    const known = await recorded.run(this.prepared);
    if (known.length === 0) return checkIns.map(() => ({ committed: true }));
    const identities = new Map(presented.map((p, i) => [p, known[i]]));
    return checkIns.map((c) => ({ committed: false, known: c.presentation ? identities.get(c.presentation) : undefined }));
  }

  /** The attempts already recorded under these (user, Idempotency-Key) pairs, in order (null: none). */
  private async findPreviousAttempts(keys: IdempotencyKey[]): Promise<Array<RecordedResponse | null>> {
    const rows = await this.database.query<PreviousAttemptRow>(
      `SELECT x.ord, a.request_hash, a.response_status, a.response
         FROM unnest($1::uuid[], $2::text[]) WITH ORDINALITY AS x(performed_by, idempotency_key, ord)
         JOIN check_in_attempt a
           ON a.performed_by = x.performed_by AND a.idempotency_key = x.idempotency_key AND a.idempotency_key IS NOT NULL`,
      [keys.map((k) => k.userId), keys.map((k) => k.key)],
    );
    const found = new Map(rows.map((r) => [Number(r.ord), toRecordedResponse(r)]));
    return keys.map((_, i) => found.get(i + 1) ?? null);
  }
}

function toRecordedResponse(row: PreviousAttemptRow): RecordedResponse {
  return { requestHash: row.request_hash, status: row.response_status, body: row.response };
}

function asAttemptRow(a: CheckInAttempt): AttemptInputRow {
  return {
    id: a.id,
    performed_by: a.performedBy,
    idempotency_key: a.idempotencyKey,
    request_hash: a.requestHash,
    decision: a.decision,
    reasons: a.reasons,
    credential_hash: a.credentialHash,
    responder_id: a.responderId,
    deployment_id: a.deploymentId,
    verification_id: a.verificationId,
    location_id: a.locationId,
    device_id: a.deviceId,
    response_status: a.responseStatus,
    response: a.response,
    performed_at: a.performedAt.toISOString(),
  };
}

function asDeploymentRow({ deployment: d, checkedInBy, changedBy }: OpenedDeployment): DeploymentInputRow {
  return {
    id: d.id,
    responder_id: d.responder.id,
    credential_id: d.credential.id,
    position_id: d.position?.id ?? null,
    location_id: d.location?.id ?? null,
    decision: d.decision,
    status: d.status,
    assignment: d.assignment,
    ics211: d.ics211,
    practice_authority: d.practiceAuthority,
    checked_in_at: d.checkedInAt,
    checked_in_by: checkedInBy,
    changed_by: changedBy,
  };
}
