import { Injectable } from '@nestjs/common';
import { Database, type Transaction } from '@app/db';

/** incident_supervisor: the assignments (divisions, groups) a supervisor answers for at an incident. */
@Injectable()
export class SupervisorsRepository {
  constructor(private readonly db: Database) {}

  async assignments(incidentId: string, userId: string): Promise<string[]> {
    const rows = await this.db.query<{ assignment: string }>(
      `SELECT assignment FROM incident_supervisor WHERE incident_id = $1 AND user_id = $2 ORDER BY assignment`,
      [incidentId, userId],
    );
    return rows.map((r) => r.assignment);
  }

  async list(incidentId: string): Promise<Array<{ userId: string; assignments: string[] }>> {
    const rows = await this.db.query<{ user_id: string; assignments: string[] }>(
      `SELECT user_id, array_agg(assignment ORDER BY assignment) AS assignments FROM incident_supervisor WHERE incident_id = $1 GROUP BY user_id ORDER BY user_id`,
      [incidentId],
    );
    return rows.map((r) => ({ userId: r.user_id, assignments: r.assignments }));
  }

  /** Replaces the supervisor's assignments at the incident; returns the ones before. */
  async replace(tx: Transaction, incidentId: string, userId: string, assignments: string[]): Promise<string[]> {
    const before = await tx.query<{ assignment: string }>(`DELETE FROM incident_supervisor WHERE incident_id = $1 AND user_id = $2 RETURNING assignment`, [
      incidentId,
      userId,
    ]);
    if (assignments.length > 0) {
      await tx.execute(`INSERT INTO incident_supervisor (incident_id, user_id, assignment) SELECT $1, $2, unnest($3::text[]) ON CONFLICT DO NOTHING`, [
        incidentId,
        userId,
        assignments,
      ]);
    }
    return before.map((r) => r.assignment).sort();
  }
}
