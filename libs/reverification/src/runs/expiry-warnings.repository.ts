import { Injectable } from '@nestjs/common';
import { Database, type Transaction } from '@app/db';

/** credential_expiry_warning: the memory that a deployment's credential was announced as expiring (once per deployment). */
@Injectable()
export class ExpiryWarningsRepository {
  constructor(private readonly db: Database) {}

  /** Records the warning; false when the deployment was already warned about (nothing is recorded then). */
  async record(tx: Transaction, deploymentId: string, validUntil: Date, warnedAt: Date, runId: string): Promise<boolean> {
    const inserted = await tx.query<{ deployment_id: string }>(
      `INSERT INTO credential_expiry_warning (deployment_id, valid_until, warned_at, job_run_id) VALUES ($1, $2, $3, $4)
       ON CONFLICT (deployment_id) DO NOTHING RETURNING deployment_id`,
      [deploymentId, validUntil, warnedAt, runId],
    );
    return inserted.length > 0;
  }

  /** Which of these deployments were warned about already. */
  async warnedAmong(deploymentIds: string[]): Promise<Set<string>> {
    if (deploymentIds.length === 0) return new Set();
    const rows = await this.db.query<{ deployment_id: string }>(`SELECT deployment_id FROM credential_expiry_warning WHERE deployment_id = ANY($1::uuid[])`, [
      deploymentIds,
    ]);
    return new Set(rows.map((r) => r.deployment_id));
  }
}
