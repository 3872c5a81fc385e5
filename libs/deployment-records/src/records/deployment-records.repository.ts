import { Injectable } from '@nestjs/common';
import type { ReleasedDeployment } from '@app/incidents';
import { Database, type SqlScope, type Transaction } from '@app/db';
import type { DeploymentKind, DeploymentRecord, RecordState } from './deployment-record';

interface RecordRow {
  id: string;
  deployment_id: string;
  incident_id: string;
  responder_id: string;
  subject_id: string | null;
  status_index: number;
  facts: ReleasedDeployment;
  state: RecordState;
  jwt: string | null;
  kid: string | null;
  created_at: Date;
  issued_at: Date | null;
  revoked_at: Date | null;
  revoke_reason: string | null;
}

const COLUMNS = `id, deployment_id, incident_id, responder_id, subject_id, status_index, facts, state, jwt, kid, created_at, issued_at, revoked_at, revoke_reason`;

const toRecord = (r: RecordRow): DeploymentRecord => ({
  id: r.id,
  deploymentId: r.deployment_id,
  incidentId: r.incident_id,
  responderId: r.responder_id,
  subjectId: r.subject_id,
  statusIndex: r.status_index,
  facts: r.facts,
  state: r.state,
  jwt: r.jwt,
  kid: r.kid,
  createdAt: r.created_at,
  issuedAt: r.issued_at,
  revokedAt: r.revoked_at,
  revokeReason: r.revoke_reason,
});

/** deployment_record and deployment_record_kind. */
@Injectable()
export class DeploymentRecordsRepository {
  constructor(private readonly database: Database) {}

  /** The pending record of a released deployment (the check-out's transaction); a second check-out cannot happen, so no conflict. */
  async insertPending(tx: Transaction, facts: ReleasedDeployment): Promise<void> {
    await tx.execute(
      `INSERT INTO deployment_record (deployment_id, incident_id, responder_id, subject_id, facts) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (deployment_id) DO NOTHING`,
      [facts.deploymentId, facts.incidentId, facts.responderId, facts.responder.subjectId, JSON.stringify(facts)],
    );
  }

  async get(id: string, scope: SqlScope = this.database): Promise<DeploymentRecord | undefined> {
    const row = await scope.queryOne<RecordRow>(`SELECT ${COLUMNS} FROM deployment_record WHERE id = $1`, [id]);
    return row ? toRecord(row) : undefined;
  }

  async byDeployment(deploymentId: string, scope: SqlScope = this.database): Promise<DeploymentRecord | undefined> {
    const row = await scope.queryOne<RecordRow>(`SELECT ${COLUMNS} FROM deployment_record WHERE deployment_id = $1`, [deploymentId]);
    return row ? toRecord(row) : undefined;
  }

  /** Locks the record for the rest of the transaction (issuing and revoking take it, so they never cross). */
  async lock(tx: Transaction, id: string): Promise<DeploymentRecord | undefined> {
    const row = await tx.queryOne<RecordRow>(`SELECT ${COLUMNS} FROM deployment_record WHERE id = $1 FOR UPDATE`, [id]);
    return row ? toRecord(row) : undefined;
  }

  async markIssued(tx: Transaction, id: string, jwt: string, kid: string, issuedAt: Date): Promise<void> {
    await tx.execute(`UPDATE deployment_record SET state = 'issued', jwt = $2, kid = $3, issued_at = $4 WHERE id = $1 AND state = 'pending'`, [
      id,
      jwt,
      kid,
      issuedAt,
    ]);
  }

  async markRevoked(tx: Transaction, id: string, by: string | null, reason: string, at: Date): Promise<void> {
    await tx.execute(`UPDATE deployment_record SET state = 'revoked', revoked_at = $4, revoked_by = $2, revoke_reason = $3 WHERE id = $1`, [
      id,
      by,
      reason,
      at,
    ]);
  }

  /** Records still waiting for their signature, oldest first. */
  async pendingIds(limit: number, olderThan: Date): Promise<string[]> {
    const rows = await this.database.query<{ id: string }>(
      `SELECT id FROM deployment_record WHERE state = 'pending' AND created_at < $1 ORDER BY created_at LIMIT $2`,
      [olderThan, limit],
    );
    return rows.map((r) => r.id);
  }

  /** The revoked indices in [from, from + length). */
  async revokedIndices(from: number, length: number): Promise<number[]> {
    const rows = await this.database.query<{ status_index: number }>(
      `SELECT status_index FROM deployment_record WHERE revoked_at IS NOT NULL AND status_index >= $1 AND status_index < $2 ORDER BY status_index`,
      [from, from + length],
    );
    return rows.map((r) => r.status_index - from);
  }

  /** Every signed record of this responder (revoked ones excluded), oldest first. */
  async issuedForResponder(responderId: string): Promise<DeploymentRecord[]> {
    const rows = await this.database.query<RecordRow>(
      `SELECT ${COLUMNS} FROM deployment_record WHERE responder_id = $1 AND state = 'issued' ORDER BY (facts ->> 'checkedInAt'), id`,
      [responderId],
    );
    return rows.map(toRecord);
  }

  /** The kind named for the incident, else for its type. */
  async kindFor(incidentId: string, incidentType: string, scope: SqlScope = this.database): Promise<DeploymentKind | undefined> {
    const row = await scope.queryOne<{ name: string; description: string | null }>(
      `SELECT name, description FROM deployment_record_kind WHERE scope IN ($1, $2) ORDER BY (scope = $1) DESC LIMIT 1`,
      [`incident:${incidentId}`, `type:${incidentType}`],
    );
    return row ?? undefined;
  }

  async setKind(tx: Transaction, scope: string, kind: DeploymentKind, by: string | null): Promise<void> {
    await tx.execute(
      `INSERT INTO deployment_record_kind (scope, name, description, updated_by) VALUES ($1, $2, $3, $4)
       ON CONFLICT (scope) DO UPDATE SET name = EXCLUDED.name, description = EXCLUDED.description, updated_by = EXCLUDED.updated_by, updated_at = now()`,
      [scope, kind.name, kind.description, by],
    );
  }
}
