import type { PracticeAuthorityView } from '@app/practice-authority';
import { Injectable } from '@nestjs/common';
import type { AuditActor } from '@app/audit';
import { CombinedStatement, Database, type SqlScope, type StatementPart, type Transaction } from '@app/db';
import type { CredentialFlag, OutOfServiceReason } from '@app/realtime';
import type { LocationKind } from '../incidents/incident';
import type {
  AdmitDecision,
  Deployment,
  DeploymentDetails,
  DeploymentStatus,
  DeploymentStatusEvent,
  DeploymentTimelineRecord,
  Ics211Edit,
  RecordedStatus,
  RecordedIdentityChange,
} from './deployment';
import type { Ics211Fields } from './ics211';
import type { ReleasedDeployment } from './deployment-release';
import { hoursBetween } from './deployment.view';

interface ReleaseRow {
  id: string;
  incident_id: string;
  responder_id: string;
  incident_name: string;
  incident_number: string;
  incident_type: string;
  incident_jurisdiction: string;
  responder_name: string;
  responder_email: string | null;
  subject_id: string | null;
  position_name: string | null;
  location_name: string | null;
  agency: string | null;
  home_unit: string | null;
  checked_in_at: Date;
  checked_out_at: Date | null;
  credential_hash: string;
  issuer_id: string | null;
  issuer_name: string | null;
  qualification: string | null;
  license_number: string | null;
  assignments: string[];
  legal_basis: string | null;
}

interface DeploymentRow {
  id: string;
  incident_id: string;
  responder_id: string;
  credential_id: string;
  position_id: string | null;
  location_id: string | null;
  decision: AdmitDecision;
  status: DeploymentStatus;
  status_reason: OutOfServiceReason | null;
  assignment: string | null;
  credential_flag: CredentialFlag | null;
  ics211: Ics211Fields;
  checked_in_at: Date;
  checked_in_by: string | null;
  checked_out_at: Date | null;
  checked_out_by: string | null;
  last_reverified_at: Date | null;
  version: number;
}

interface DetailsRow {
  id: string;
  incident_id: string;
  responder_id: string;
  responder_name: string;
  responder_email: string | null;
  credential_id: string;
  qualification: string | null;
  issuer_id: string | null;
  issuer_name: string | null;
  license_number: string | null;
  valid_until: Date | null;
  position_id: string | null;
  position_name: string | null;
  location_id: string | null;
  location_name: string | null;
  location_kind: LocationKind | null;
  decision: AdmitDecision;
  status: DeploymentStatus;
  status_reason: OutOfServiceReason | null;
  assignment: string | null;
  credential_flag: CredentialFlag | null;
  ics211: Ics211Fields;
  practice_authority: PracticeAuthorityView | null;
  checked_in_at: Date;
  checked_out_at: Date | null;
  walk_up_id: string | null;
  walk_up_status: 'pending_verification' | 'verified' | null;
}

interface StatusEventRow {
  deployment_id: string;
  from_status: DeploymentStatus | null;
  from_reason: OutOfServiceReason | null;
  from_assignment: string | null;
  to_status: DeploymentStatus;
  to_reason: OutOfServiceReason | null;
  to_assignment: string | null;
  note: string | null;
  changed_by: AuditActor;
  changed_at: Date;
}

interface TimelineRow {
  id: string;
  responder_id: string;
  responder_name: string;
  agency: string | null;
  position: string | null;
  checked_in_at: Date;
  checked_out_at: Date | null;
  departure_at: string | null;
  changes: Array<{ at: string; status: DeploymentStatus; reason: OutOfServiceReason | null }>;
}

interface Ics211EditRow {
  deployment_id: string;
  fields: string[];
  before: Partial<Ics211Fields>;
  after: Partial<Ics211Fields>;
  changed_by: AuditActor;
  changed_at: Date;
}

interface IdentityChangeRow {
  field: RecordedIdentityChange['field'];
  old_value: string | null;
  new_value: string;
  issuer_id: string;
  credential_hash: string;
  incident_id: string;
  changed_at: Date;
}

const DEPLOYMENT_COLUMNS = `id, incident_id, responder_id, credential_id, position_id, location_id, decision, status, status_reason, assignment,
       credential_flag, ics211, checked_in_at, checked_in_by, checked_out_at, checked_out_by, last_reverified_at, version`;

const SELECT_DETAILS = `
  SELECT d.id, d.incident_id, d.responder_id, r.name AS responder_name, r.email AS responder_email,
         d.credential_id, c.qualification, c.issuer_id, c.summary #>> '{issuer,registryName}' AS issuer_name,
         c.license_number, c.valid_until,
         d.position_id, p.name AS position_name, d.location_id, l.name AS location_name, l.kind AS location_kind,
         d.decision, d.status, d.status_reason, d.assignment, d.credential_flag, d.ics211, d.practice_authority, d.checked_in_at, d.checked_out_at,
         w.id AS walk_up_id, w.status AS walk_up_status
    FROM deployment d
    JOIN responder r ON r.id = d.responder_id
    JOIN presented_credential c ON c.id = d.credential_id
    LEFT JOIN incident_position p ON p.id = d.position_id
    LEFT JOIN check_in_location l ON l.id = d.location_id
    LEFT JOIN walk_up w ON w.deployment_id = d.id`;

/** Someone on scene as a roll call lists them. */
export interface OnScenePerson {
  deploymentId: string;
  responderId: string;
  name: string;
  assignment: string | null;
}

/** Deployments, their status history and ICS 211 edits (and the responder facts a deployment's events name). */
@Injectable()
export class DeploymentsRepository {
  constructor(private readonly database: Database) {}

  /** The deployment with its responder, credential, position and location, in one query. */
  async details(deploymentId: string, scope: SqlScope = this.database): Promise<DeploymentDetails | undefined> {
    const row = await scope.queryOne<DetailsRow>(`${SELECT_DETAILS} WHERE d.id = $1`, [deploymentId]);
    return row && toDetails(row);
  }

  /** In check-in order. */
  /** Who is on scene (in one assignment, or anywhere at the incident): ids, name and assignment only. */
  async onScene(incidentId: string, assignment: string | null, scope: SqlScope = this.database): Promise<OnScenePerson[]> {
    const rows = await scope.query<{ id: string; responder_id: string; name: string; assignment: string | null }>(
      `SELECT d.id, d.responder_id, r.name, d.assignment FROM deployment d JOIN responder r ON r.id = d.responder_id
       WHERE d.incident_id = $1 AND d.checked_out_at IS NULL AND ($2::text IS NULL OR d.assignment = $2)`,
      [incidentId, assignment],
    );
    return rows.map((r) => ({ deploymentId: r.id, responderId: r.responder_id, name: r.name, assignment: r.assignment }));
  }

  /**
   * Who is on scene as a part of a combined statement, read once (materialized), with the columns deployment_id,
   * responder_id, name, assignment: for copying the list in the same statement rather than through the application.
   */
  onScenePart(statement: CombinedStatement, incidentId: string, assignment: string | null): StatementPart {
    return statement.with(
      'on_scene',
      `SELECT d.id AS deployment_id, d.responder_id, r.name, d.assignment FROM deployment d JOIN responder r ON r.id = d.responder_id
       WHERE d.incident_id = ${statement.value(incidentId)}::uuid AND d.checked_out_at IS NULL
         AND (${statement.value(assignment)}::text IS NULL OR d.assignment = ${statement.value(assignment)}::text)`,
      { materialized: true },
    );
  }

  async listDetails(
    incidentId: string,
    opts: { activeOnly: boolean; responderIds?: readonly string[] },
    scope: SqlScope = this.database,
  ): Promise<DeploymentDetails[]> {
    const rows = await scope.query<DetailsRow>(
      `${SELECT_DETAILS} WHERE d.incident_id = $1 ${opts.activeOnly ? 'AND d.checked_out_at IS NULL' : ''}
          ${opts.responderIds ? 'AND d.responder_id = ANY($2::uuid[])' : ''} ORDER BY d.checked_in_at, d.id`,
      opts.responderIds ? [incidentId, opts.responderIds] : [incidentId],
    );
    return rows.map(toDetails);
  }

  /** The deployment at this incident, its row locked (FOR UPDATE) for the rest of the transaction. */
  async lock(tx: Transaction, incidentId: string, deploymentId: string): Promise<Deployment | undefined> {
    const row = await tx.queryOne<DeploymentRow>(`SELECT ${DEPLOYMENT_COLUMNS} FROM deployment WHERE id = $1 AND incident_id = $2 LIMIT 1 FOR UPDATE`, [
      deploymentId,
      incidentId,
    ]);
    return row && toDeployment(row);
  }

  /** When this responder was last checked out at this incident (offline scans are not replayed over a later check-out). */
  async lastCheckOut(responderId: string, incidentId: string, scope: SqlScope = this.database): Promise<Date | null> {
    const row = await scope.queryOne<{ at: Date | null }>(`SELECT max(checked_out_at) AS at FROM deployment WHERE responder_id = $1 AND incident_id = $2`, [
      responderId,
      incidentId,
    ]);
    return row?.at ?? null;
  }

  async countActive(tx: Transaction, incidentId: string): Promise<number> {
    const row = await tx.queryOne<{ n: number }>(`SELECT count(*)::int AS n FROM deployment WHERE incident_id = $1 AND checked_out_at IS NULL`, [incidentId]);
    return row?.n ?? 0;
  }

  async setStatus(tx: Transaction, deploymentId: string, to: RecordedStatus): Promise<void> {
    await tx.execute(`UPDATE deployment SET status = $2, status_reason = $3, assignment = $4, version = version + 1 WHERE id = $1`, [
      deploymentId,
      to.status,
      to.reason ?? null,
      to.assignment ?? null,
    ]);
  }

  async checkOut(tx: Transaction, deploymentId: string, at: Date, userId: string): Promise<void> {
    await tx.execute(`UPDATE deployment SET status = 'demobilized', checked_out_at = $2, checked_out_by = $3, version = version + 1 WHERE id = $1`, [
      deploymentId,
      at,
      userId,
    ]);
  }

  async setIcs211(tx: Transaction, deploymentId: string, ics211: Ics211Fields): Promise<void> {
    await tx.execute(`UPDATE deployment SET ics211 = $2, version = version + 1 WHERE id = $1`, [deploymentId, JSON.stringify(ics211)]);
  }

  async setCredentialFlag(tx: Transaction, deploymentId: string, flag: CredentialFlag | null): Promise<void> {
    await tx.execute(`UPDATE deployment SET credential_flag = $2, version = version + 1 WHERE id = $1`, [deploymentId, flag && JSON.stringify(flag)]);
  }

  async appendStatusEvent(tx: Transaction, e: DeploymentStatusEvent): Promise<void> {
    await tx.execute(
      `INSERT INTO deployment_status_event (deployment_id, from_status, from_reason, from_assignment, to_status, to_reason, to_assignment, note, changed_by, changed_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [
        e.deploymentId,
        e.from?.status ?? null,
        e.from?.reason ?? null,
        e.from?.assignment ?? null,
        e.to.status,
        e.to.reason ?? null,
        e.to.assignment ?? null,
        e.note,
        JSON.stringify(e.changedBy),
        e.changedAt,
      ],
    );
  }

  /** The edit is stamped with the database's time. */
  async appendIcs211Edit(tx: Transaction, e: Omit<Ics211Edit, 'changedAt'>): Promise<void> {
    await tx.execute(`INSERT INTO ics211_edit (deployment_id, fields, before, after, changed_by) VALUES ($1, $2, $3, $4, $5)`, [
      e.deploymentId,
      e.fields,
      JSON.stringify(e.before),
      JSON.stringify(e.after),
      JSON.stringify(e.changedBy),
    ]);
  }

  /**
   * The facts a deployment record states, read in the check-out transaction (after the check-out was written). The
   * holder's subject id comes from the deployment's retained credential copy (`responder` keeps only its hash); a
   * copy already purged gives none, and the record then names the holder without binding a subject.
   */
  async releaseFacts(tx: Transaction, deploymentId: string): Promise<ReleasedDeployment | undefined> {
    const row = await tx.queryOne<ReleaseRow>(
      `SELECT d.id, d.incident_id, d.responder_id, i.name AS incident_name, i.number AS incident_number, i.type AS incident_type,
              i.jurisdiction AS incident_jurisdiction, r.name AS responder_name, r.email AS responder_email,
              CASE WHEN c.purged_at IS NULL THEN c.summary #>> '{subject,id}' END AS subject_id,
              p.name AS position_name, l.name AS location_name, d.ics211 ->> 'agency' AS agency, d.ics211 ->> 'homeUnit' AS home_unit,
              d.checked_in_at, d.checked_out_at, c.hash AS credential_hash, c.issuer_id, c.summary #>> '{issuer,registryName}' AS issuer_name,
              c.qualification, c.license_number,
              ARRAY(SELECT a FROM (SELECT e.to_assignment AS a, min(e.id) AS first FROM deployment_status_event e
                                    WHERE e.deployment_id = d.id AND e.to_assignment IS NOT NULL GROUP BY e.to_assignment) x ORDER BY first) AS assignments,
              (SELECT ch ->> 'message' FROM verification v, jsonb_array_elements(v.checks) ch
                WHERE v.credential_id = d.credential_id AND v.incident_id = d.incident_id AND v.kind = 'check_in' AND v.verified
                  AND ch ->> 'id' = 'issuer_trust' ORDER BY v.performed_at DESC LIMIT 1) AS legal_basis
         FROM deployment d
         JOIN incident i ON i.id = d.incident_id
         JOIN responder r ON r.id = d.responder_id
         JOIN presented_credential c ON c.id = d.credential_id
         LEFT JOIN incident_position p ON p.id = d.position_id
         LEFT JOIN check_in_location l ON l.id = d.location_id
        WHERE d.id = $1 AND d.checked_out_at IS NOT NULL`,
      [deploymentId],
    );
    if (!row || !row.checked_out_at) return undefined;
    return {
      deploymentId: row.id,
      incidentId: row.incident_id,
      responderId: row.responder_id,
      incident: { name: row.incident_name, number: row.incident_number, type: row.incident_type, jurisdiction: row.incident_jurisdiction },
      responder: { name: row.responder_name, email: row.responder_email, subjectId: row.subject_id },
      position: row.position_name,
      assignments: row.assignments,
      location: row.location_name,
      agency: row.agency,
      homeUnit: row.home_unit,
      checkedInAt: row.checked_in_at.toISOString(),
      checkedOutAt: row.checked_out_at.toISOString(),
      hoursOnDuty: hoursBetween(row.checked_in_at, row.checked_out_at),
      credential: {
        hash: row.credential_hash,
        issuerId: row.issuer_id,
        issuerName: row.issuer_name,
        qualification: row.qualification,
        licenseNumber: row.license_number,
      },
      legalBasis: row.legal_basis,
    };
  }

  /** Oldest first. */
  async statusHistory(deploymentId: string): Promise<DeploymentStatusEvent[]> {
    const rows = await this.database.query<StatusEventRow>(
      `SELECT deployment_id, from_status, from_reason, from_assignment, to_status, to_reason, to_assignment, note, changed_by, changed_at
         FROM deployment_status_event WHERE deployment_id = $1 ORDER BY id`,
      [deploymentId],
    );
    return rows.map(toStatusEvent);
  }

  /**
   * Every deployment at an incident (of these responders only, when given) with its status history (oldest first)
   * and its recorded departure: what time records derive hours from.
   */
  async timelines(incidentId: string, scope: SqlScope = this.database, responderIds?: readonly string[]): Promise<DeploymentTimelineRecord[]> {
    const rows = await scope.query<TimelineRow>(
      `SELECT d.id, d.responder_id, r.name AS responder_name, NULLIF(d.ics211->>'agency', '') AS agency, p.name AS position,
              d.checked_in_at, d.checked_out_at, NULLIF(d.ics211->>'departureAt', '') AS departure_at,
              COALESCE((SELECT json_agg(json_build_object('at', e.changed_at, 'status', e.to_status, 'reason', e.to_reason) ORDER BY e.id)
                          FROM deployment_status_event e WHERE e.deployment_id = d.id), '[]') AS changes
         FROM deployment d
         JOIN responder r ON r.id = d.responder_id
         LEFT JOIN incident_position p ON p.id = d.position_id
        WHERE d.incident_id = $1 ${responderIds ? 'AND d.responder_id = ANY($2::uuid[])' : ''}
        ORDER BY d.checked_in_at, d.id`,
      responderIds ? [incidentId, responderIds] : [incidentId],
    );
    return rows.map((r) => ({
      deploymentId: r.id,
      responderId: r.responder_id,
      responderName: r.responder_name,
      agency: r.agency,
      position: r.position,
      checkedInAt: r.checked_in_at,
      checkedOutAt: r.checked_out_at,
      statusChanges: r.changes.map((c) => ({ at: new Date(c.at), status: c.status, reason: c.reason })),
      departureAt: r.departure_at,
    }));
  }

  /**
   * The responders deployed at the incident for an agency (null: deployments with no agency recorded), with their
   * names: who an agency's time package covers.
   */
  async respondersOfAgency(incidentId: string, agency: string | null, scope: SqlScope = this.database): Promise<Array<{ responderId: string; name: string }>> {
    const rows = await scope.query<{ responder_id: string; name: string }>(
      `SELECT DISTINCT d.responder_id, r.name
         FROM deployment d JOIN responder r ON r.id = d.responder_id
        WHERE d.incident_id = $1 AND ${agency === null ? "NULLIF(d.ics211->>'agency', '') IS NULL" : "d.ics211->>'agency' = $2"}`,
      agency === null ? [incidentId] : [incidentId, agency],
    );
    return rows.map((r) => ({ responderId: r.responder_id, name: r.name }));
  }

  /** Oldest first. */
  async ics211Edits(deploymentId: string): Promise<Ics211Edit[]> {
    const rows = await this.database.query<Ics211EditRow>(
      `SELECT deployment_id, fields, before, after, changed_by, changed_at FROM ics211_edit WHERE deployment_id = $1 ORDER BY id`,
      [deploymentId],
    );
    return rows.map(toIcs211Edit);
  }

  /** Every change to the responder's name or e-mail, oldest first. */
  async identityChanges(responderId: string): Promise<RecordedIdentityChange[]> {
    const rows = await this.database.query<IdentityChangeRow>(
      `SELECT field, old_value, new_value, issuer_id, credential_hash, incident_id, changed_at FROM responder_identity_change WHERE responder_id = $1 ORDER BY id`,
      [responderId],
    );
    return rows.map(toIdentityChange);
  }
}

function toDeployment(r: DeploymentRow): Deployment {
  return {
    id: r.id,
    incidentId: r.incident_id,
    responderId: r.responder_id,
    credentialId: r.credential_id,
    positionId: r.position_id,
    locationId: r.location_id,
    decision: r.decision,
    status: r.status,
    statusReason: r.status_reason,
    assignment: r.assignment,
    credentialFlag: r.credential_flag,
    ics211: r.ics211,
    checkedInAt: r.checked_in_at,
    checkedInBy: r.checked_in_by,
    checkedOutAt: r.checked_out_at,
    checkedOutBy: r.checked_out_by,
    lastReverifiedAt: r.last_reverified_at,
    version: r.version,
  };
}

function toDetails(r: DetailsRow): DeploymentDetails {
  return {
    id: r.id,
    incidentId: r.incident_id,
    responder: { id: r.responder_id, name: r.responder_name, email: r.responder_email },
    credential: {
      id: r.credential_id,
      qualification: r.qualification,
      issuerId: r.issuer_id,
      issuerName: r.issuer_name,
      licenseNumber: r.license_number,
      validUntil: r.valid_until,
    },
    position: r.position_id && r.position_name ? { id: r.position_id, name: r.position_name } : null,
    location: r.location_id && r.location_name && r.location_kind ? { id: r.location_id, name: r.location_name, kind: r.location_kind } : null,
    decision: r.decision,
    status: r.status,
    statusReason: r.status_reason,
    assignment: r.assignment,
    credentialFlag: r.credential_flag,
    ics211: r.ics211,
    practiceAuthority: r.practice_authority,
    checkedInAt: r.checked_in_at,
    checkedOutAt: r.checked_out_at,
    walkUp: r.walk_up_id && r.walk_up_status ? { id: r.walk_up_id, status: r.walk_up_status } : null,
  };
}

/** A status with the reason and assignment it had, leaving out those it had not (in this key order). */
function recordedStatus(status: DeploymentStatus, reason: OutOfServiceReason | null, assignment: string | null): RecordedStatus {
  return { status, ...(reason !== null && { reason }), ...(assignment !== null && { assignment }) };
}

function toStatusEvent(r: StatusEventRow): DeploymentStatusEvent {
  return {
    deploymentId: r.deployment_id,
    from: r.from_status ? recordedStatus(r.from_status, r.from_reason, r.from_assignment) : null,
    to: recordedStatus(r.to_status, r.to_reason, r.to_assignment),
    note: r.note,
    changedBy: r.changed_by,
    changedAt: r.changed_at,
  };
}

function toIcs211Edit(r: Ics211EditRow): Ics211Edit {
  return { deploymentId: r.deployment_id, fields: r.fields, before: r.before, after: r.after, changedBy: r.changed_by, changedAt: r.changed_at };
}

function toIdentityChange(r: IdentityChangeRow): RecordedIdentityChange {
  return {
    field: r.field,
    from: r.old_value,
    to: r.new_value,
    issuerId: r.issuer_id,
    credentialHash: r.credential_hash,
    incidentId: r.incident_id,
    changedAt: r.changed_at,
  };
}
