import { isUUID } from 'class-validator';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { Principal } from '@app/auth';
import { Clock, DomainError, forbidden, notFound } from '@app/common';
import { AuditScope } from '../access/audit-scope';
import { roundHours, summarizeChecks, type DeploymentReport, type DeploymentReportRow } from './deployment-report';

interface DeploymentRow {
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
  status: string;
  checked_in_at: Date;
  checked_out_at: Date | null;
  last_reverified_at: Date | null;
  attempt_reasons: unknown;
  check_in_verified_at: Date | null;
  check_in_verified: boolean | null;
  check_in_checks: unknown;
  reverifications: Array<{ at: string; kind: string; verified: boolean; checks: unknown }> | null;
}

/**
 * Deployment reports for state agencies, read from the incidents tables (deployment, responder,
 * presented_credential, check_in_attempt, verification). Hours on scene run from check-in to check-out (or to the
 * report time while still on scene) and are split at midnight in the incident's time zone by PostgreSQL, so days
 * of 23 or 25 hours (daylight saving) come out right.
 */
@Injectable()
export class ReportsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly scope: AuditScope,
    private readonly clock: Clock,
  ) {}

  async incidentDeployments(principal: Principal, incidentId: string): Promise<DeploymentReport> {
    await this.scope.assertIncident(principal, incidentId);
    return this.build((params) => {
      params.push(incidentId);
      return `d.incident_id = $${params.length}`;
    });
  }

  async responderDeployments(principal: Principal, responderId: string): Promise<DeploymentReport & { responder: { id: string; name: string } }> {
    if (!isUUID(responderId)) throw new DomainError('validation_failed', `responderId must be a UUID, got "${responderId}".`);
    const found = (await this.db.query(`SELECT id, name FROM responder WHERE id = $1`, [responderId])) as Array<{ id: string; name: string }>;
    if (!found[0]) throw notFound('Responder', responderId);
    const report = await this.build((params) => {
      params.push(responderId);
      return `d.responder_id = $${params.length} AND ${this.scope.incidentCondition(principal, 'd.incident_id', params)}`;
    });
    if (report.deployments.length === 0 && principal.role !== 'admin') {
      const anywhere = (await this.db.query(`SELECT 1 FROM deployment WHERE responder_id = $1 LIMIT 1`, [responderId])) as unknown[];
      if (anywhere.length > 0) throw forbidden('This responder was deployed only outside your audit jurisdictions.');
    }
    return { responder: found[0], ...report };
  }

  /** `where` pushes its parameters after $1 (the report time) and returns the SQL condition on deployment `d`. */
  private async build(where: (params: unknown[]) => string): Promise<DeploymentReport> {
    const now = this.clock.now();
    const params: unknown[] = [now];
    const condition = where(params);
    const rows = (await this.db.query(
      `SELECT d.id, d.incident_id, i.name AS incident_name, i.number AS incident_number, i.jurisdiction, i.time_zone,
              d.responder_id, r.name AS responder_name, d.ics211->>'agency' AS agency, d.ics211->>'homeUnit' AS home_unit,
              p.name AS position, d.assignment, c.qualification, c.license_number, c.issuer_id,
              c.summary->'issuer'->>'registryName' AS issuer_name,
              d.decision, d.status, d.checked_in_at, d.checked_out_at, d.last_reverified_at,
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
    )) as DeploymentRow[];
    const days = await this.hoursByDay(rows.map((r) => r.id), now);

    const deployments = rows.map((r): DeploymentReportRow => {
      const perDay = days.get(r.id) ?? [];
      const end = r.checked_out_at ?? now;
      return {
        deploymentId: r.id,
        incident: { id: r.incident_id, name: r.incident_name, number: r.incident_number, jurisdiction: r.jurisdiction, timeZone: r.time_zone },
        responder: { id: r.responder_id, name: r.responder_name },
        agency: r.agency,
        homeUnit: r.home_unit,
        position: r.position,
        assignment: r.assignment,
        qualification: r.qualification,
        licenseNumber: r.license_number,
        issuer: { id: r.issuer_id, name: r.issuer_name },
        verification: {
          atCheckIn: r.check_in_verified_at
            ? { method: 'online at check-in', at: r.check_in_verified_at.toISOString(), verified: r.check_in_verified === true, result: summarizeChecks(r.check_in_verified === true, r.check_in_checks) }
            : null,
          reverifications: (r.reverifications ?? []).map((v) => ({
            at: new Date(v.at).toISOString(), kind: v.kind, verified: v.verified, result: summarizeChecks(v.verified, v.checks),
          })),
          lastReverifiedAt: r.last_reverified_at?.toISOString() ?? null,
        },
        decision: r.decision,
        decisionReasons: reasonCodes(r.attempt_reasons),
        status: r.status,
        checkedInAt: r.checked_in_at.toISOString(),
        checkedOutAt: r.checked_out_at?.toISOString() ?? null,
        open: r.checked_out_at === null,
        hoursOnScene: roundHours(Math.max(0, end.getTime() - r.checked_in_at.getTime()) / 3_600_000),
        hoursByDay: perDay.map((d) => ({ date: d.date, hours: roundHours(d.hours) })),
      };
    });

    const perResponderDay = new Map<string, { responderId: string; name: string; date: string; hours: number }>();
    for (const r of rows) {
      for (const d of days.get(r.id) ?? []) {
        const key = `${r.responder_id}|${d.date}`;
        const acc = perResponderDay.get(key) ?? { responderId: r.responder_id, name: r.responder_name, date: d.date, hours: 0 };
        acc.hours += d.hours;
        perResponderDay.set(key, acc);
      }
    }
    const hoursByResponderDay = [...perResponderDay.values()]
      .map((v) => ({ ...v, hours: roundHours(v.hours) }))
      .sort((a, b) => a.name.localeCompare(b.name) || a.responderId.localeCompare(b.responderId) || a.date.localeCompare(b.date));
    return { reportedAt: now.toISOString(), deployments, hoursByResponderDay };
  }

  /** Unrounded hours per local calendar day of each deployment (days with no time on scene left out). */
  private async hoursByDay(deploymentIds: string[], now: Date): Promise<Map<string, Array<{ date: string; hours: number }>>> {
    const result = new Map<string, Array<{ date: string; hours: number }>>();
    if (deploymentIds.length === 0) return result;
    const rows = (await this.db.query(
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
    )) as Array<{ id: string; date: string; hours: string }>;
    for (const r of rows) {
      const hours = Number(r.hours);
      if (!(hours > 0)) continue;
      const list = result.get(r.id) ?? [];
      list.push({ date: r.date, hours });
      result.set(r.id, list);
    }
    return result;
  }
}

function reasonCodes(reasons: unknown): string[] {
  if (!Array.isArray(reasons)) return [];
  return reasons.map((r) => (typeof r === 'string' ? r : typeof r === 'object' && r !== null && 'code' in r ? String((r as { code: unknown }).code) : JSON.stringify(r)));
}
