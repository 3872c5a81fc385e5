import { isUUID } from 'class-validator';
import { Injectable } from '@nestjs/common';
import { AuditScope } from '@app/audit';
import type { Principal } from '@app/auth';
import { Clock, DomainError, forbidden, notFound } from '@app/common';
import {
  reportedPracticeAuthority,
  roundHours,
  summarizeChecks,
  type DeploymentReport,
  type DeploymentReportRow,
  type ReportSelection,
} from './deployment-report';
import { DeploymentReportsRepository } from './deployment-reports.repository';

/**
 * Deployment reports for state agencies. Hours on scene run from check-in to check-out (or to the report time while
 * still on scene). Who may read which incident is the audit scope's rule (admins: all; auditors: their jurisdictions).
 */
@Injectable()
export class ReportsService {
  constructor(
    private readonly reports: DeploymentReportsRepository,
    private readonly scope: AuditScope,
    private readonly clock: Clock,
  ) {}

  async incidentDeployments(principal: Principal, incidentId: string): Promise<DeploymentReport> {
    await this.scope.assertIncident(principal, incidentId);
    return this.build({ incidentId });
  }

  async responderDeployments(principal: Principal, responderId: string): Promise<DeploymentReport & { responder: { id: string; name: string } }> {
    if (!isUUID(responderId)) throw new DomainError('validation_failed', `responderId must be a UUID, got "${responderId}".`);
    const found = await this.reports.responder(responderId);
    if (!found) throw notFound('Responder', responderId);
    const jurisdictions = principal.role === 'admin' ? 'all' : principal.role === 'auditor' ? principal.jurisdictions : [];
    const report = await this.build({ responderId, jurisdictions });
    if (report.deployments.length === 0 && principal.role !== 'admin' && (await this.reports.everDeployed(responderId))) {
      throw forbidden('This responder was deployed only outside your audit jurisdictions.');
    }
    return { responder: found, ...report };
  }

  private async build(selection: ReportSelection): Promise<DeploymentReport> {
    const now = this.clock.now();
    const found = await this.reports.deployments(selection, now);
    const days = new Map<string, Array<{ date: string; hours: number }>>();
    for (const d of await this.reports.hoursByDay(
      found.map((r) => r.id),
      now,
    )) {
      if (!(d.hours > 0)) continue;
      const list = days.get(d.deploymentId) ?? [];
      list.push({ date: d.date, hours: d.hours });
      days.set(d.deploymentId, list);
    }

    const deployments = found.map((r): DeploymentReportRow => {
      const perDay = days.get(r.id) ?? [];
      const end = r.checkedOutAt ?? now;
      return {
        deploymentId: r.id,
        incident: r.incident,
        responder: r.responder,
        agency: r.agency,
        homeUnit: r.homeUnit,
        position: r.position,
        assignment: r.assignment,
        qualification: r.qualification,
        licenseNumber: r.licenseNumber,
        issuer: r.issuer,
        verification: {
          atCheckIn: r.checkIn
            ? {
                method: 'online at check-in',
                at: r.checkIn.at.toISOString(),
                verified: r.checkIn.verified === true,
                result: summarizeChecks(r.checkIn.verified === true, r.checkIn.checks),
              }
            : null,
          reverifications: r.reverifications.map((v) => ({
            at: v.at.toISOString(),
            kind: v.kind,
            verified: v.verified,
            result: summarizeChecks(v.verified, v.checks),
          })),
          lastReverifiedAt: r.lastReverifiedAt?.toISOString() ?? null,
        },
        decision: r.decision,
        decisionReasons: reasonCodes(r.attemptReasons),
        practiceAuthority: reportedPracticeAuthority(r.practiceAuthority),
        status: r.status,
        checkedInAt: r.checkedInAt.toISOString(),
        checkedOutAt: r.checkedOutAt?.toISOString() ?? null,
        open: r.checkedOutAt === null,
        hoursOnScene: roundHours(Math.max(0, end.getTime() - r.checkedInAt.getTime()) / 3_600_000),
        hoursByDay: perDay.map((d) => ({ date: d.date, hours: roundHours(d.hours) })),
      };
    });

    const perResponderDay = new Map<string, { responderId: string; name: string; date: string; hours: number }>();
    for (const r of found) {
      for (const d of days.get(r.id) ?? []) {
        const key = `${r.responder.id}|${d.date}`;
        const acc = perResponderDay.get(key) ?? { responderId: r.responder.id, name: r.responder.name, date: d.date, hours: 0 };
        acc.hours += d.hours;
        perResponderDay.set(key, acc);
      }
    }
    const hoursByResponderDay = [...perResponderDay.values()]
      .map((v) => ({ ...v, hours: roundHours(v.hours) }))
      .sort((a, b) => a.name.localeCompare(b.name) || a.responderId.localeCompare(b.responderId) || a.date.localeCompare(b.date));
    return { reportedAt: now.toISOString(), deployments, hoursByResponderDay };
  }
}

function reasonCodes(reasons: unknown): string[] {
  if (!Array.isArray(reasons)) return [];
  return reasons.map((r) =>
    typeof r === 'string' ? r : typeof r === 'object' && r !== null && 'code' in r ? String((r as { code: unknown }).code) : JSON.stringify(r),
  );
}
