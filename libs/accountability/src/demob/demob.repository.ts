import { Injectable } from '@nestjs/common';
import type { AuditActor } from '@app/audit';
import { Database, type SqlScope, type Transaction } from '@app/db';

export interface Signoff {
  unit: string;
  note: string | null;
  signedBy: AuditActor;
  signedAt: Date;
}

export interface Travel {
  method: string;
  etaHome: Date;
  recordedBy: AuditActor;
  recordedAt: Date;
}

/** demob_signoff and demob_travel: the ICS 221 release of one deployment. */
@Injectable()
export class DemobRepository {
  constructor(private readonly db: Database) {}

  /** False when that unit had signed already (nothing changes then). */
  async sign(tx: Transaction, deploymentId: string, unit: string, note: string | null, by: AuditActor, at: Date): Promise<boolean> {
    const rows = await tx.query<{ unit: string }>(
      `INSERT INTO demob_signoff (deployment_id, unit, note, signed_by, signed_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING unit`,
      [deploymentId, unit, note, JSON.stringify(by), at],
    );
    return rows.length > 0;
  }

  async setTravel(tx: Transaction, deploymentId: string, t: Travel): Promise<void> {
    await tx.execute(
      `INSERT INTO demob_travel (deployment_id, method, eta_home, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (deployment_id) DO UPDATE SET method = $2, eta_home = $3, recorded_by = $4, recorded_at = $5`,
      [deploymentId, t.method, t.etaHome, JSON.stringify(t.recordedBy), t.recordedAt],
    );
  }

  async of(deploymentId: string, scope: SqlScope = this.db): Promise<{ signoffs: Signoff[]; travel: Travel | null }> {
    const signoffs = await scope.query<{ unit: string; note: string | null; signed_by: AuditActor; signed_at: Date }>(
      `SELECT unit, note, signed_by, signed_at FROM demob_signoff WHERE deployment_id = $1 ORDER BY signed_at`,
      [deploymentId],
    );
    const travel = await scope.queryOne<{ method: string; eta_home: Date; recorded_by: AuditActor; recorded_at: Date }>(
      `SELECT method, eta_home, recorded_by, recorded_at FROM demob_travel WHERE deployment_id = $1`,
      [deploymentId],
    );
    return {
      signoffs: signoffs.map((s) => ({ unit: s.unit, note: s.note, signedBy: s.signed_by, signedAt: s.signed_at })),
      travel: travel ? { method: travel.method, etaHome: travel.eta_home, recordedBy: travel.recorded_by, recordedAt: travel.recorded_at } : null,
    };
  }

  /** The ETA home of each of these deployments that has a travel record. */
  async etasHome(deploymentIds: readonly string[], scope: SqlScope = this.db): Promise<Map<string, Date>> {
    if (deploymentIds.length === 0) return new Map();
    const rows = await scope.query<{ deployment_id: string; eta_home: Date }>(
      `SELECT deployment_id, eta_home FROM demob_travel WHERE deployment_id = ANY($1::uuid[])`,
      [deploymentIds],
    );
    return new Map(rows.map((r) => [r.deployment_id, r.eta_home]));
  }
}
