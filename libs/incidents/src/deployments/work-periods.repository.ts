import { Injectable } from '@nestjs/common';
import { Database, type SqlScope } from '@app/db';
import type { OutOfServiceReason, ResourceStatus } from '@app/realtime';

/** What work and rest limits are judged on, per active deployment (docs/accountability.md). */
export interface WorkFacts {
  deploymentId: string;
  incidentId: string;
  responderId: string;
  name: string;
  status: ResourceStatus;
  statusReason: OutOfServiceReason | null;
  checkedInAt: Date;
  /** When the current work period began: check-in, or the last change out of rest. */
  workStartedAt: Date;
  /** When the current rest began, if the responder is out of service for rest. */
  restStartedAt: Date | null;
}

interface WorkFactsRow {
  id: string;
  incident_id: string;
  responder_id: string;
  name: string;
  status: ResourceStatus;
  status_reason: OutOfServiceReason | null;
  checked_in_at: Date;
  rest_started_at: Date | null;
  rest_ended_at: Date | null;
}

/** Reads work periods from the status history (deployment_status_event): rest is Out-of-Service with reason rest. */
@Injectable()
export class WorkPeriodsRepository {
  constructor(private readonly db: Database) {}

  async active(incidentIds: string[] | 'all', deploymentId?: string, scope: SqlScope = this.db): Promise<WorkFacts[]> {
    const rows = await scope.query<WorkFactsRow>(
      `SELECT d.id, d.incident_id, d.responder_id, r.name, d.status, d.status_reason, d.checked_in_at,
         (SELECT max(e.changed_at) FROM deployment_status_event e WHERE e.deployment_id = d.id AND e.to_status = 'out_of_service' AND e.to_reason = 'rest') AS rest_started_at,
         (SELECT max(e.changed_at) FROM deployment_status_event e WHERE e.deployment_id = d.id AND e.from_status = 'out_of_service' AND e.from_reason = 'rest') AS rest_ended_at
       FROM deployment d JOIN responder r ON r.id = d.responder_id
       WHERE d.checked_out_at IS NULL AND ($1::uuid[] IS NULL OR d.incident_id = ANY($1::uuid[])) AND ($2::uuid IS NULL OR d.id = $2)
       ORDER BY d.incident_id, d.id`,
      [incidentIds === 'all' ? null : incidentIds, deploymentId ?? null],
    );
    return rows.map((r) => {
      const resting = r.status === 'out_of_service' && r.status_reason === 'rest';
      const workStartedAt = r.rest_ended_at && r.rest_ended_at > r.checked_in_at ? r.rest_ended_at : r.checked_in_at;
      return {
        deploymentId: r.id,
        incidentId: r.incident_id,
        responderId: r.responder_id,
        name: r.name,
        status: r.status,
        statusReason: r.status_reason,
        checkedInAt: r.checked_in_at,
        workStartedAt,
        restStartedAt: resting ? r.rest_started_at : null,
      };
    });
  }
}
