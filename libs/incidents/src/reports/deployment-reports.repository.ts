import { Injectable } from '@nestjs/common';
import { Database } from '@app/db';
import type { PracticeAuthorityView } from '@app/practice-authority';
import type { DeploymentDayHours, ReportedDeployment, ReportSelection } from './deployment-report';

interface ReportRow {
  id: string;
  incident_id: string;
  incident_name: string;
  incident_number: string;
  jurisdiction: string;
  time_zone: string;
  responder_id: string;
  responder_name: string;
  agency: string | null;
  home_unit: string | null;
  position: string | null;
  assignment: string | null;
  qualification: string | null;
  license_number: string | null;
  issuer_id: string | null;
  issuer_name: string | null;
  decision: string;
  practice_authority: PracticeAuthorityView | null;
  status: string;
  checked_in_at: Date;
  checked_out_at: Date | null;
  last_reverified_at: Date | null;
  attempt_reasons: unknown;
  check_in_verified_at: Date | null;
  check_in_verified: boolean | null;
  check_in_checks: unknown;
  /** json_agg output: timestamps are ISO text. */
  reverifications: Array<{ at: string; kind: string; verified: boolean; checks: unknown }> | null;
}

interface DayHoursRow {
  id: string;
  date: string;
  hours: string;
}

/**
 * The deployment reports' reads over the incident tables (deployment, incident, responder, presented_credential,
 * check_in_attempt, verification). Hours are split at midnight in the incident's time zone by PostgreSQL, so days of
 * 23 or 25 hours (daylight saving) come out right.
 */
@Injectable()
export class DeploymentReportsRepository {
  constructor(private readonly database: Database) {}

  /** In check-in order; `now` ends the reverifications of deployments still on scene. */
  async deployments(selection: ReportSelection, now: Date): Promise<ReportedDeployment[]> {
    const params: unknown[] = [now];
    let condition: string;
    if ('incidentId' in selection) {
      params.push(selection.incidentId);
      condition = `d.incident_id = $${params.length}`;
    } else {
      params.push(selection.responderId);
      condition = `d.responder_id = $${params.length}`;
      if (selection.jurisdictions !== 'all') {
        params.push(
          selection.jurisdictions,
          selection.jurisdictions.map((j) => `${j}-%`),
        );
        condition += ` AND (i.jurisdiction = ANY($${params.length - 1}::text[]) OR i.jurisdiction LIKE ANY($${params.length}::text[]))`;
      }
    }
    const rows = await this.database.query<ReportRow>(
      `SELECT d.id, d.incident_id, i.name AS incident_name, i.number AS incident_number, i.jurisdiction, i.time_zone,
              d.responder_id, r.name AS responder_name, d.ics211->>'agency' AS agency, d.ics211->>'homeUnit' AS home_unit,
              p.name AS position, d.assignment, c.qualification, c.license_number, c.issuer_id,
              c.summary->'issuer'->>'registryName' AS issuer_name,
              d.decision, d.practice_authority, d.status, d.checked_in_at, d.checked_out_at, d.last_reverified_at,
              a.reasons AS attempt_reasons, ci.performed_at AS check_in_verified_at, ci.verified AS check_in_verified, ci.checks AS check_in_checks,
              rv.list AS reverifications
         FROM deployment d
         JOIN incident i ON i.id = d.incident_id
         JOIN responder r ON r.id = d.responder_id
         JOIN presented_credential c ON c.id = d.credential_id
         LEFT JOIN incident_position p ON p.id = d.position_id
         LEFT JOIN LATERAL (
           SELECT x.reasons, x.verification_id FROM check_in_attempt x WHERE x.deployment_id = d.id ORDER BY x.performed_at LIMIT 1
         ) a ON TRUE
         LEFT JOIN verification ci ON ci.id = a.verification_id
         LEFT JOIN LATERAL (
           SELECT json_agg(json_build_object('at', v.performed_at, 'kind', v.kind, 'verified', v.verified, 'checks', v.checks) ORDER BY v.performed_at) AS list
             FROM verification v
            WHERE v.credential_id = d.credential_id AND v.kind <> 'check_in' AND (v.incident_id = d.incident_id OR v.incident_id IS NULL)
              AND v.performed_at >= d.checked_in_at AND v.performed_at <= COALESCE(d.checked_out_at, $1)
         ) rv ON TRUE
        WHERE ${condition}
        ORDER BY d.checked_in_at, r.name, d.id`,
      params,
    );
    return rows.map(toReportedDeployment);
  }

  /** Hours per local calendar day of each deployment (to `now` while on scene), by deployment and day. */
  async hoursByDay(deploymentIds: readonly string[], now: Date): Promise<DeploymentDayHours[]> {
    if (deploymentIds.length === 0) return [];
    const rows = await this.database.query<DayHoursRow>(
      `SELECT d.id, to_char(day, 'YYYY-MM-DD') AS date,
              EXTRACT(EPOCH FROM
                LEAST(COALESCE(d.checked_out_at, $1::timestamptz), (day + interval '1 day') AT TIME ZONE i.time_zone)
                - GREATEST(d.checked_in_at, day AT TIME ZONE i.time_zone)) / 3600.0 AS hours
         FROM deployment d
         JOIN incident i ON i.id = d.incident_id
        CROSS JOIN LATERAL generate_series(
              date_trunc('day', d.checked_in_at AT TIME ZONE i.time_zone),
              date_trunc('day', COALESCE(d.checked_out_at, $1::timestamptz) AT TIME ZONE i.time_zone),
              interval '1 day') AS day
        WHERE d.id = ANY($2::uuid[])
        ORDER BY d.id, day`,
      [now, deploymentIds],
    );
    return rows.map(toDayHours);
  }

  async responder(responderId: string): Promise<{ id: string; name: string } | undefined> {
    return this.database.queryOne<{ id: string; name: string }>(`SELECT id, name FROM responder WHERE id = $1`, [responderId]);
  }

  /** Whether the responder was ever deployed, at any incident. */
  async everDeployed(responderId: string): Promise<boolean> {
    const rows = await this.database.query<{ deployed: number }>(`SELECT 1 AS deployed FROM deployment WHERE responder_id = $1 LIMIT 1`, [responderId]);
    return rows.length > 0;
  }
}

function toReportedDeployment(r: ReportRow): ReportedDeployment {
  return {
    id: r.id,
    incident: { id: r.incident_id, name: r.incident_name, number: r.incident_number, jurisdiction: r.jurisdiction, timeZone: r.time_zone },
    responder: { id: r.responder_id, name: r.responder_name },
    agency: r.agency,
    homeUnit: r.home_unit,
    position: r.position,
    assignment: r.assignment,
    qualification: r.qualification,
    licenseNumber: r.license_number,
    issuer: { id: r.issuer_id, name: r.issuer_name },
    decision: r.decision,
    practiceAuthority: r.practice_authority,
    status: r.status,
    checkedInAt: r.checked_in_at,
    checkedOutAt: r.checked_out_at,
    lastReverifiedAt: r.last_reverified_at,
    attemptReasons: r.attempt_reasons,
    checkIn: r.check_in_verified_at ? { at: r.check_in_verified_at, verified: r.check_in_verified, checks: r.check_in_checks } : null,
    reverifications: (r.reverifications ?? []).map((v) => ({ at: new Date(v.at), kind: v.kind, verified: v.verified, checks: v.checks })),
  };
}

function toDayHours(r: DayHoursRow): DeploymentDayHours {
  return { deploymentId: r.id, date: r.date, hours: Number(r.hours) };
}
