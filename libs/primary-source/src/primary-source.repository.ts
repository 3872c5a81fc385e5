import { Injectable } from '@nestjs/common';
import { Database, type Transaction } from '@app/db';

export type IndeterminatePolicy = 'deny' | 'non_clinical_with_warning';

/** An incident's rules for licence-number check-in. */
export interface PrimarySourcePolicy {
  incidentId: string;
  acceptPrimarySource: boolean;
  onIndeterminate: IndeterminatePolicy;
  /** Positions that admit only on a signed credential. */
  signedCredentialPositions: string[];
  updatedAt: Date | null;
}

/** An incident without a policy row: licence checks accepted, an indeterminate lookup denied (fail closed). */
export const DEFAULT_POLICY: Omit<PrimarySourcePolicy, 'incidentId'> = {
  acceptPrimarySource: true,
  onIndeterminate: 'deny',
  signedCredentialPositions: [],
  updatedAt: null,
};

export interface NoticeLogEntry {
  sourceId: string;
  noticeId: string | null;
  licenceNumberHash: string | null;
  state: string | null;
  profession: string | null;
  status: string | null;
  bodyHash: string;
  outcome: 'applied' | 'refused';
  refusedCode: string | null;
  flagged: number;
  cleared: number;
}

interface PolicyRow {
  incident_id: string;
  accept_primary_source: boolean;
  on_indeterminate: IndeterminatePolicy;
  signed_credential_positions: string[];
  updated_at: Date;
}

/** primary_source_policy and primary_source_notice (migration 1765008000000-primary-source). */
@Injectable()
export class PrimarySourceRepository {
  constructor(private readonly db: Database) {}

  async policy(incidentId: string): Promise<PrimarySourcePolicy> {
    const row = await this.db.queryOne<PolicyRow>(
      `SELECT incident_id, accept_primary_source, on_indeterminate, signed_credential_positions, updated_at FROM primary_source_policy WHERE incident_id = $1`,
      [incidentId],
    );
    if (!row) return { incidentId, ...DEFAULT_POLICY };
    return {
      incidentId: row.incident_id,
      acceptPrimarySource: row.accept_primary_source,
      onIndeterminate: row.on_indeterminate,
      signedCredentialPositions: row.signed_credential_positions,
      updatedAt: row.updated_at,
    };
  }

  async savePolicy(tx: Transaction, policy: Omit<PrimarySourcePolicy, 'updatedAt'>, userId: string, at: Date): Promise<void> {
    await tx.execute(
      `INSERT INTO primary_source_policy (incident_id, accept_primary_source, on_indeterminate, signed_credential_positions, updated_by, updated_at)
       VALUES ($1, $2, $3, $4::uuid[], $5, $6)
       ON CONFLICT (incident_id) DO UPDATE SET accept_primary_source = EXCLUDED.accept_primary_source, on_indeterminate = EXCLUDED.on_indeterminate,
         signed_credential_positions = EXCLUDED.signed_credential_positions, updated_by = EXCLUDED.updated_by, updated_at = EXCLUDED.updated_at`,
      [policy.incidentId, policy.acceptPrimarySource, policy.onIndeterminate, policy.signedCredentialPositions, userId, at],
    );
  }

  /** Records a notice; false when this source's notice was already applied (delivered twice). */
  async logNotice(tx: Transaction | null, entry: NoticeLogEntry, at: Date): Promise<boolean> {
    const scope = tx ?? this.db;
    const row = await scope.queryOne<{ id: string }>(
      `INSERT INTO primary_source_notice (source_id, notice_id, licence_number_hash, state, profession, status, body_hash, outcome, refused_code, deployments_flagged, deployments_cleared, received_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
       ON CONFLICT (source_id, notice_id) WHERE outcome = 'applied' DO NOTHING
       RETURNING id`,
      [
        entry.sourceId,
        entry.noticeId,
        entry.licenceNumberHash,
        entry.state,
        entry.profession,
        entry.status,
        entry.bodyHash,
        entry.outcome,
        entry.refusedCode,
        entry.flagged,
        entry.cleared,
        at,
      ],
    );
    return row !== undefined && row !== null;
  }

  async noticeApplied(sourceId: string, noticeId: string): Promise<boolean> {
    const row = await this.db.queryOne<{ n: number }>(
      `SELECT count(*)::int AS n FROM primary_source_notice WHERE source_id = $1 AND notice_id = $2 AND outcome = 'applied'`,
      [sourceId, noticeId],
    );
    return (row?.n ?? 0) > 0;
  }
}
