import { Injectable } from '@nestjs/common';
import type { AuditActor } from '@app/audit';
import { Database, type SqlScope, type Transaction } from '@app/db';

export type ActivitySubjectKind = 'incident' | 'unit' | 'assignment' | 'person';
export type ActivityPriority = 'routine' | 'important' | 'urgent';

export interface WrittenEntry {
  id: string;
  incidentId: string;
  subjectKind: ActivitySubjectKind;
  subject: string | null;
  deploymentId: string | null;
  text: string;
  priority: ActivityPriority;
  author: AuditActor;
  occurredAt: Date;
}

interface EntryRow {
  id: string;
  incident_id: string;
  subject_kind: ActivitySubjectKind;
  subject: string | null;
  deployment_id: string | null;
  text: string;
  priority: ActivityPriority;
  author: AuditActor;
  occurred_at: Date;
}

const toEntry = (r: EntryRow): WrittenEntry => ({
  id: r.id,
  incidentId: r.incident_id,
  subjectKind: r.subject_kind,
  subject: r.subject,
  deploymentId: r.deployment_id,
  text: r.text,
  priority: r.priority,
  author: r.author,
  occurredAt: r.occurred_at,
});

/** activity_log_entry: what people wrote in the ICS 214 activity log (automatic entries come from the audit trail). */
@Injectable()
export class ActivityLogRepository {
  constructor(private readonly db: Database) {}

  async insert(tx: Transaction, e: Omit<WrittenEntry, 'id'>): Promise<WrittenEntry> {
    const row = await tx.queryOne<EntryRow>(
      `INSERT INTO activity_log_entry (incident_id, subject_kind, subject, deployment_id, text, priority, author, occurred_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       RETURNING id::text, incident_id, subject_kind, subject, deployment_id, text, priority, author, occurred_at`,
      [e.incidentId, e.subjectKind, e.subject, e.deploymentId, e.text, e.priority, JSON.stringify(e.author), e.occurredAt],
    );
    return toEntry(row!);
  }

  async between(incidentId: string, from: Date | undefined, to: Date | undefined): Promise<WrittenEntry[]> {
    const rows = await this.db.query<EntryRow>(
      `SELECT id::text, incident_id, subject_kind, subject, deployment_id, text, priority, author, occurred_at FROM activity_log_entry
       WHERE incident_id = $1 AND ($2::timestamptz IS NULL OR occurred_at >= $2) AND ($3::timestamptz IS NULL OR occurred_at < $3)
       ORDER BY occurred_at, id LIMIT 20000`,
      [incidentId, from ?? null, to ?? null],
    );
    return rows.map(toEntry);
  }

  /** Every written entry about a person (their deployment), oldest first: the work description of time records. */
  /** Entries about people at the incident (about these deployments only, when given), oldest first. */
  async aboutPeople(
    incidentId: string,
    scope: SqlScope = this.db,
    deploymentIds?: readonly string[],
  ): Promise<Array<{ deploymentId: string; text: string; occurredAt: Date }>> {
    const rows = await scope.query<{ deployment_id: string; text: string; occurred_at: Date }>(
      `SELECT deployment_id, text, occurred_at FROM activity_log_entry
        WHERE incident_id = $1 AND deployment_id IS NOT NULL ${deploymentIds ? 'AND deployment_id = ANY($2::uuid[])' : ''} ORDER BY occurred_at, id`,
      deploymentIds ? [incidentId, deploymentIds] : [incidentId],
    );
    return rows.map((r) => ({ deploymentId: r.deployment_id, text: r.text, occurredAt: r.occurred_at }));
  }
}
