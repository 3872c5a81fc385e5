import { Injectable } from '@nestjs/common';
import { Database, type Transaction } from '@app/db';
import type { LimitKind, LimitLevel } from './work-limits';

/** work_limit_warning: the memory that a limit was announced for a deployment (once per limit and level). */
@Injectable()
export class WorkLimitWarningsRepository {
  constructor(private readonly db: Database) {}

  /** The announcements already made for these deployments, as `deploymentId|limit|level`. */
  async announcedAmong(deploymentIds: string[]): Promise<Set<string>> {
    if (deploymentIds.length === 0) return new Set();
    const rows = await this.db.query<{ deployment_id: string; limit_kind: LimitKind; level: LimitLevel }>(
      `SELECT deployment_id, limit_kind, level FROM work_limit_warning WHERE deployment_id = ANY($1::uuid[])`,
      [deploymentIds],
    );
    return new Set(rows.map((r) => announcementKey(r.deployment_id, r.limit_kind, r.level)));
  }

  /** False when it was announced already (nothing is recorded then). */
  async record(tx: Transaction, deploymentId: string, limit: LimitKind, level: LimitLevel, at: Date): Promise<boolean> {
    const rows = await tx.query<{ deployment_id: string }>(
      `INSERT INTO work_limit_warning (deployment_id, limit_kind, level, raised_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING deployment_id`,
      [deploymentId, limit, level, at],
    );
    return rows.length > 0;
  }
}

export const announcementKey = (deploymentId: string, limit: LimitKind, level: LimitLevel): string => `${deploymentId}|${limit}|${level}`;
