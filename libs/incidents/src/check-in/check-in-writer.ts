import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AuditTrail, type AuditInput } from '@app/audit';
import { GroupCommit } from '@app/common';
import { CombinedStatement, PreparedStatements, type SqlScope } from '@app/db';
import { Outbox, type OutgoingEvent } from '@app/realtime';
import { identityFrom, recordPresentations, type IdentityRow, type Presentation, type ResolvedIdentity } from '../responders/responder-registry';

/** The check_in_attempt row: what was presented, the decision, and the response's exact text (replayed for its Idempotency-Key). */
export interface AttemptRow {
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

/** A deployment the check-in opens, with its first status event. */
export interface DeploymentRow {
  id: string;
  responder_id: string;
  credential_id: string;
  position_id: string | null;
  location_id: string | null;
  decision: string;
  status: string;
  assignment: string | null;
  ics211: unknown;
  checked_in_at: string;
  checked_in_by: string;
  /** The status event's actor. */
  changed_by: unknown;
}

/** One stored identity field of a known responder that a trusted, verified credential changes (a responder_identity_change row). */
export interface IdentityChangeRow {
  responder_id: string;
  field: 'name' | 'email';
  old_value: string | null;
  new_value: string;
  issuer_id: string;
  credential_hash: string;
  attempt_id: string;
  changed_at: string;
}

/** Everything one check-in commits. */
export interface CheckInRecord {
  /**
   * The credential presented, to record with its responder and verification, when the rest was built as its
   * responder's first scan (null: no credential that establishes identity, or already recorded by the batch that
   * found it was not).
   */
  presentation: Presentation | null;
  attempt: AttemptRow;
  deployment: DeploymentRow | null;
  /** Left out only by the benchmark's audit comparison. */
  audit: AuditInput | null;
  event: OutgoingEvent | null;
  /**
   * The responder's name or e-mail this check-in's credential changes: applied with a history row per field and its
   * own audit entry (only for a responder known before, so never with a presentation).
   */
  identityChange?: { rows: IdentityChangeRow[]; audit: AuditInput | null } | null;
}

/**
 * What became of a check-in given to CheckInWriter: committed, or (when a presentation in its batch was not its
 * responder's first scan) only the batch's presentations were, and here is what is known of this one's responder to
 * decide on and write again (undefined: the record had no presentation).
 */
export type CheckInWrite = { committed: true } | { committed: false; known: ResolvedIdentity | undefined };

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
 */
@Injectable()
export class CheckInWriter {
  /** Two groups (with presentations, without) per incident with check-ins being written in this process. */
  private readonly groups = new Map<string, GroupCommit<CheckInRecord, CheckInWrite>>();
  /** The batch statement inserts only what it is given, so its generic plan stays right (PreparedStatements). */
  private readonly sql: PreparedStatements;

  constructor(
    @InjectDataSource() db: DataSource,
    private readonly audit: AuditTrail,
    private readonly outbox: Outbox,
  ) {
    this.sql = new PreparedStatements(db);
  }

  /**
   * Commits the record with its incident's batch; a batch PostgreSQL gives up to break a deadlock runs again
   * (GroupCommit). Check-ins with a presentation and those without are batched apart: a batch of the first kind may
   * commit only its presentations, and one without any always commits, so a check-in decided again never waits
   * behind the next known responder.
   */
  async write(incidentId: string, record: CheckInRecord): Promise<CheckInWrite> {
    const group = `${record.presentation ? 'first-scan' : 'decided'}:${incidentId}`;
    let batches = this.groups.get(group);
    if (!batches) {
      batches = new GroupCommit((records) => this.writeMany(this.sql, incidentId, records), { maxBatch: 64, maxInFlight: 1 });
      this.groups.set(group, batches);
    }
    try {
      return await batches.submit(record);
    } finally {
      // Nothing queued or in flight: let it go (the next check-in here makes a new one).
      if (batches.idle && this.groups.get(group) === batches) this.groups.delete(group);
    }
  }

  /** One statement for the records, in order; all at one incident. */
  async writeMany(db: Pick<SqlScope, 'query'>, incidentId: string, records: CheckInRecord[]): Promise<CheckInWrite[]> {
    const write = new CombinedStatement();
    const presented = records.flatMap((r) => (r.presentation ? [r.presentation] : []));
    const recorded = presented.length > 0 ? recordPresentations(write, presented) : undefined;
    // Everything below is written only if every presentation is its responder's first scan.
    const when = recorded?.allFirstSeen;
    const onlyWhen = when ? `WHERE ${when}` : '';
    const incident = write.value(incidentId);
    const deployments = records.flatMap((r) => (r.deployment ? [r.deployment] : []));
    if (deployments.length > 0) {
      write.with(
        'deployment_input',
        `SELECT * FROM jsonb_to_recordset(${write.value(JSON.stringify(deployments))}::jsonb) AS x(
           id uuid, responder_id uuid, credential_id uuid, position_id uuid, location_id uuid, decision text, status text,
           assignment text, ics211 jsonb, checked_in_at timestamptz, checked_in_by uuid, changed_by jsonb)
         ${onlyWhen}`,
        { materialized: true },
      );
      write.with(
        'new_deployment',
        `INSERT INTO deployment (id, incident_id, responder_id, credential_id, position_id, location_id, decision, status, assignment, ics211, checked_in_at, checked_in_by)
         SELECT id, ${incident}::uuid, responder_id, credential_id, position_id, location_id, decision, status, assignment, ics211, checked_in_at, checked_in_by
           FROM deployment_input
         RETURNING id`,
      );
      write.with(
        'first_status',
        `INSERT INTO deployment_status_event (deployment_id, from_status, to_status, to_assignment, note, changed_by, changed_at)
         SELECT d.id, NULL, x.status, x.assignment, 'checked in', x.changed_by, x.checked_in_at
           FROM new_deployment d JOIN deployment_input x ON x.id = d.id`,
      );
    }
    write.with(
      'attempt',
      `INSERT INTO check_in_attempt (id, incident_id, performed_by, idempotency_key, request_hash, decision, reasons, credential_hash, responder_id,
                                     deployment_id, verification_id, location_id, device_id, response_status, response, performed_at)
       SELECT id, ${incident}::uuid, performed_by, idempotency_key, request_hash, decision, reasons, credential_hash, responder_id,
              deployment_id, verification_id, location_id, device_id, response_status, response, performed_at
         FROM jsonb_to_recordset(${write.value(JSON.stringify(records.map((r) => r.attempt)))}::jsonb) AS x(
           id uuid, performed_by uuid, idempotency_key text, request_hash text, decision text, reasons jsonb, credential_hash text,
           responder_id uuid, deployment_id uuid, verification_id uuid, location_id uuid, device_id text, response_status integer,
           response text, performed_at timestamptz)
       ${onlyWhen}`,
    );
    const audited = records.flatMap((r) => [r.audit, r.identityChange?.audit].filter((a): a is AuditInput => Boolean(a)));
    if (audited.length > 0) this.audit.appendTo(write, audited, { when });
    // The audit chain head before the event sequence: the order every other writer at the incident locks them in.
    const chainHeadFirst = audited.length > 0 ? 'audit_entry_row' : undefined;
    this.outbox.appendTo(write, incidentId, records.flatMap((r) => (r.event ? [r.event] : [])), { after: chainHeadFirst, when });
    const identityChanges = records.flatMap((r) => r.identityChange?.rows ?? []);
    if (identityChanges.length > 0) changeIdentities(write, incident, identityChanges, { after: chainHeadFirst, onlyWhen });
    // Not in a transaction: one statement commits on its own, and callers hear back only after it has.
    if (!recorded) {
      await write.run(db);
      return records.map(() => ({ committed: true }));
    }
    const known = await write.run<IdentityRow>(db, recorded.identitiesUnlessFirstSeen);
    if (known.length === 0) return records.map(() => ({ committed: true }));
    if (known.length !== presented.length) throw new Error(`CheckInWriter: ${known.length} identities for ${presented.length} presentations`);
    const identities = new Map(presented.map((p, i) => [p, identityFrom(p, known[i])]));
    return records.map((r) => ({ committed: false, known: r.presentation ? identities.get(r.presentation) : undefined }));
  }
}

/**
 * Applies known responders' changed names and e-mails (the latest check-in's value when a batch has several) and
 * appends their history. The responder rows are locked after `after` (the audit chain head), the order the rest of
 * the statement takes its locks in.
 */
function changeIdentities(write: CombinedStatement, incident: string, changes: IdentityChangeRow[], options: { after?: string; onlyWhen: string }): void {
  write.with(
    'identity_change_input',
    `SELECT * FROM jsonb_to_recordset(${write.value(JSON.stringify(changes.map((c, i) => ({ ord: i + 1, ...c }))))}::jsonb) AS x(
       ord integer, responder_id uuid, field text, old_value text, new_value text, issuer_id text, credential_hash text, attempt_id uuid,
       changed_at timestamptz)
     ${options.onlyWhen}`,
    { materialized: true },
  );
  write.with(
    'identity_change_latest',
    `SELECT DISTINCT ON (responder_id, field) responder_id, field, new_value FROM identity_change_input ORDER BY responder_id, field, ord DESC`,
    { materialized: true },
  );
  // The responders as an array (an index lookup each, whatever the plan thinks of the input's size); reading every
  // row of `after` while building it makes PostgreSQL run that first.
  const ranFirst = options.after ? `, (SELECT count(*) FROM ${options.after}) AS ran_first` : '';
  const latest = (field: IdentityChangeRow['field']) => `(SELECT l.new_value FROM identity_change_latest l WHERE l.responder_id = r.id AND l.field = '${field}')`;
  write.with(
    'identity_change_applied',
    `UPDATE responder r SET name = COALESCE(${latest('name')}, r.name), email = COALESCE(${latest('email')}, r.email), updated_at = now()
      WHERE r.id = ANY (ARRAY(SELECT DISTINCT responder_id FROM identity_change_input${ranFirst}))
      RETURNING r.id`,
  );
  write.with(
    'identity_change_row',
    `INSERT INTO responder_identity_change (responder_id, field, old_value, new_value, issuer_id, credential_hash, incident_id, attempt_id, changed_at)
     SELECT responder_id, field, old_value, new_value, issuer_id, credential_hash, ${incident}::uuid, attempt_id, changed_at FROM identity_change_input ORDER BY ord`,
  );
}
