import { Injectable } from '@nestjs/common';
import { Database } from '@app/db';
import type { CheckInResponse } from './check-in.types';

/** A scan as the check-in station's "last scans" list shows it. */
export interface RecentCheckIn {
  attemptId: string;
  decision: CheckInResponse['decision'];
  reasons: CheckInResponse['reasons'];
  performedAt: Date;
  /** The credential subject's name and the qualification, as the stored response gave them. */
  name: string | null;
  qualification: string | null;
}

interface RecentRow {
  id: string;
  decision: CheckInResponse['decision'];
  reasons: CheckInResponse['reasons'];
  performed_at: Date;
  name: string | null;
  qualification: string | null;
}

/** The latest check-in attempts at an incident. */
@Injectable()
export class RecentCheckInsRepository {
  constructor(private readonly database: Database) {}

  /** Newest first. */
  async latest(incidentId: string, limit: number): Promise<RecentCheckIn[]> {
    const rows = await this.database.query<RecentRow>(
      `SELECT id, decision, reasons, performed_at, r #>> '{verification,credential,subject,name}' AS name,
              r #>> '{verification,credential,qualification}' AS qualification
         FROM (SELECT id, decision, reasons, performed_at, response::jsonb AS r -- the stored text, parsed once per row
                 FROM check_in_attempt WHERE incident_id = $1 ORDER BY performed_at DESC LIMIT $2) AS latest
        ORDER BY performed_at DESC`,
      [incidentId, limit],
    );
    return rows.map(toRecentCheckIn);
  }
}

function toRecentCheckIn(r: RecentRow): RecentCheckIn {
  return { attemptId: r.id, decision: r.decision, reasons: r.reasons, performedAt: r.performed_at, name: r.name, qualification: r.qualification };
}
