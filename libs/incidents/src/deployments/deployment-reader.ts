import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { notFound } from '@app/common';
import type { Transaction } from '@app/db';
import type { CredentialFlag, OutOfServiceReason } from '@app/realtime';
import type { LocationKind } from '../incidents/check-in-location.entity';
import type { AdmitDecision, DeploymentStatus } from './deployment.entity';
import { hoursBetween, type DeploymentView } from './deployment.view';
import type { Ics211Fields } from './ics211';

interface Row {
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
  checked_in_at: Date;
  checked_out_at: Date | null;
}

const SELECT = `
  SELECT d.id, d.incident_id, d.responder_id, r.name AS responder_name, r.email AS responder_email,
         d.credential_id, c.qualification, c.issuer_id, c.summary #>> '{issuer,registryName}' AS issuer_name,
         c.license_number, c.valid_until,
         d.position_id, p.name AS position_name, d.location_id, l.name AS location_name, l.kind AS location_kind,
         d.decision, d.status, d.status_reason, d.assignment, d.credential_flag, d.ics211, d.checked_in_at, d.checked_out_at
    FROM deployment d
    JOIN responder r ON r.id = d.responder_id
    JOIN presented_credential c ON c.id = d.credential_id
    LEFT JOIN incident_position p ON p.id = d.position_id
    LEFT JOIN check_in_location l ON l.id = d.location_id`;

/** Reads deployments with everything the API and the board show, in one query. */
@Injectable()
export class DeploymentReader {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async get(deploymentId: string, incidentId?: string, tx?: EntityManager): Promise<DeploymentView> {
    const rows = (await (tx ?? this.db).query(`${SELECT} WHERE d.id = $1`, [deploymentId])) as Row[];
    const row = rows[0];
    if (!row || (incidentId && row.incident_id !== incidentId)) throw notFound('Deployment', deploymentId);
    return toView(row, new Date());
  }

  async list(incidentId: string, opts: { activeOnly: boolean }, tx?: EntityManager | Transaction): Promise<DeploymentView[]> {
    const scope: { query(text: string, values: unknown[]): Promise<unknown> } = tx ?? this.db;
    const rows = (await scope.query(
      `${SELECT} WHERE d.incident_id = $1 ${opts.activeOnly ? 'AND d.checked_out_at IS NULL' : ''} ORDER BY d.checked_in_at, d.id`,
      [incidentId],
    )) as Row[];
    const now = new Date();
    return rows.map((r) => toView(r, now));
  }

  async activeForResponder(responderId: string, tx?: EntityManager): Promise<DeploymentView | undefined> {
    const rows = (await (tx ?? this.db).query(`${SELECT} WHERE d.responder_id = $1 AND d.checked_out_at IS NULL`, [responderId])) as Row[];
    return rows[0] ? toView(rows[0], new Date()) : undefined;
  }
}

function toView(r: Row, now: Date): DeploymentView {
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
      validUntil: r.valid_until?.toISOString() ?? null,
    },
    position: r.position_id && r.position_name ? { id: r.position_id, name: r.position_name } : null,
    location: r.location_id && r.location_name && r.location_kind ? { id: r.location_id, name: r.location_name, kind: r.location_kind } : null,
    decision: r.decision,
    status: r.status,
    statusReason: r.status_reason,
    assignment: r.assignment,
    credentialFlag: r.credential_flag,
    ics211: r.ics211,
    checkedInAt: r.checked_in_at.toISOString(),
    checkedOutAt: r.checked_out_at?.toISOString() ?? null,
    hoursOnScene: hoursBetween(r.checked_in_at, r.checked_out_at ?? now),
  };
}
