import { Injectable } from '@nestjs/common';
import type { Transaction } from '@app/db';
import type { LimitKind, LimitLevel } from './work-limits';

/** work_limit_warning: the memory that a limit was announced for a deployment (once per limit and level). */
@Injectable()
export class WorkLimitWarningsRepository {
  /** False when it was announced already (nothing is recorded then). */
  async record(tx: Transaction, deploymentId: string, limit: LimitKind, level: LimitLevel, at: Date): Promise<boolean> {
    const rows = await tx.query<{ deployment_id: string }>(
      `INSERT INTO work_limit_warning (deployment_id, limit_kind, level, raised_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING deployment_id`,
      [deploymentId, limit, level, at],
    );
    return rows.length > 0;
  }
}
