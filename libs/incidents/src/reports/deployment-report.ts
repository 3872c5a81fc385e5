import { csvText } from '@app/common';
import type { PracticeAuthorityView } from '@app/practice-authority';

/** One responder's deployment at one incident, as a state agency needs it for reimbursement and audit. */
export interface DeploymentReportRow {
  deploymentId: string;
  incident: { id: string; name: string; number: string; jurisdiction: string; timeZone: string };
  responder: { id: string; name: string };
  agency: string | null;
  homeUnit: string | null;
  position: string | null;
  assignment: string | null;
  qualification: string | null;
  licenseNumber: string | null;
  issuer: { id: string | null; name: string | null };
  /** How and when the credential was verified. */
  verification: {
    atCheckIn: { method: 'online at check-in'; at: string; verified: boolean; result: string } | null;
    reverifications: Array<{ at: string; kind: string; verified: boolean; result: string }>;
    lastReverifiedAt: string | null;
  };
  /** The check-in decision: admitted, or admitted_with_warnings (and why). */
  decision: string;
  decisionReasons: string[];
  /** The legal basis to practise in the incident's state and the ESAR-VHP level the check-in admitted on (null: not recorded). */
  practiceAuthority: ReportedPracticeAuthority | null;
  status: string;
  checkedInAt: string;
  checkedOutAt: string | null;
  /** Still on scene when the report was made: hours run to `reportedAt`. */
  open: boolean;
  hoursOnScene: number;
  /** Split at midnight in the incident's time zone (`incident.timeZone`, UTC by default). */
  hoursByDay: Array<{ date: string; hours: number }>;
}

export interface ReportedPracticeAuthority {
  basis: string | null;
  kind: string | null;
  ruleId: string | null;
  until: string | null;
  conditions: string[];
  level: number | null;
  levelRule: string;
  ruleSetVersion: number;
}

export function reportedPracticeAuthority(p: PracticeAuthorityView | null): ReportedPracticeAuthority | null {
  if (!p) return null;
  return {
    basis: p.basis?.text ?? null,
    kind: p.basis?.kind ?? null,
    ruleId: p.basis?.ruleId ?? null,
    until: p.basis?.until ?? null,
    conditions: p.basis?.conditions ?? [],
    level: p.level.level,
    levelRule: p.level.rule,
    ruleSetVersion: p.ruleSetVersion,
  };
}

/** A deployment with what a report says of it, as stored (before hours and summaries are worked out). */
export interface ReportedDeployment {
  id: string;
  incident: { id: string; name: string; number: string; jurisdiction: string; timeZone: string };
  responder: { id: string; name: string };
  agency: string | null;
  homeUnit: string | null;
  position: string | null;
  assignment: string | null;
  qualification: string | null;
  licenseNumber: string | null;
  issuer: { id: string | null; name: string | null };
  decision: string;
  practiceAuthority: PracticeAuthorityView | null;
  status: string;
  checkedInAt: Date;
  checkedOutAt: Date | null;
  lastReverifiedAt: Date | null;
  /** The reasons stored with the check-in attempt that made the deployment (JSON as stored). */
  attemptReasons: unknown;
  /** The verification made at check-in, if the attempt recorded one. */
  checkIn: { at: Date; verified: boolean | null; checks: unknown } | null;
  /** Other verifications of the credential while on scene (for this incident or none), oldest first. */
  reverifications: Array<{ at: Date; kind: string; verified: boolean; checks: unknown }>;
}

/** Unrounded hours of one deployment on one local calendar day. */
export interface DeploymentDayHours {
  deploymentId: string;
  date: string;
  hours: number;
}

/** Which deployments a report covers: an incident's, or one responder's at the incidents of some jurisdictions (or all). */
export type ReportSelection = { incidentId: string } | { responderId: string; jurisdictions: 'all' | readonly string[] };

export interface DeploymentReport {
  reportedAt: string;
  deployments: DeploymentReportRow[];
  /** Total hours per responder per local day, over every deployment in the report. */
  hoursByResponderDay: Array<{ responderId: string; name: string; date: string; hours: number }>;
}

/** Hours rounded to the hundredth (36 seconds) for display; sums are made before rounding. */
export const roundHours = (h: number): number => Math.round(h * 100) / 100;

/** "pass" or the codes of the checks that did not pass, e.g. "fail: revoked; indeterminate: status_unavailable". */
export function summarizeChecks(verified: boolean, checks: unknown): string {
  if (!Array.isArray(checks)) return verified ? 'verified' : 'not verified';
  const notPassed = (checks as Array<{ id?: unknown; status?: unknown; code?: unknown }>)
    .filter((c) => c && c.status !== 'pass' && c.status !== 'skipped')
    .map((c) => `${String(c.status)}: ${String(c.code ?? c.id)}`);
  if (verified && notPassed.length === 0) return 'verified';
  return `${verified ? 'verified' : 'not verified'}${notPassed.length ? ` (${notPassed.join('; ')})` : ''}`;
}

export const CSV_COLUMNS = [
  'incident_number',
  'incident_name',
  'jurisdiction',
  'time_zone',
  'responder_id',
  'responder_name',
  'agency',
  'home_unit',
  'position',
  'assignment',
  'qualification',
  'license_number',
  'issuer',
  'issuer_id',
  'check_in_verification',
  'check_in_verified_at',
  'reverifications',
  'last_reverified_at',
  'last_reverification_result',
  'decision',
  'status',
  'checked_in_at',
  'checked_out_at',
  'date',
  'hours_on_date',
  'total_hours',
  'deployment_id',
  'practice_basis',
  'practice_rule',
  'practice_rule_set_version',
  'esar_vhp_level',
] as const;

/** One CSV row per deployment and local day (RFC 4180), so the hours per responder per day can be summed in a spreadsheet. */
export function toCsv(report: DeploymentReport): string {
  const rows: Array<Array<string | number | null>> = [[...CSV_COLUMNS]];
  for (const d of report.deployments) {
    const last = d.verification.reverifications[d.verification.reverifications.length - 1];
    const common = {
      incident_number: d.incident.number,
      incident_name: d.incident.name,
      jurisdiction: d.incident.jurisdiction,
      time_zone: d.incident.timeZone,
      responder_id: d.responder.id,
      responder_name: d.responder.name,
      agency: d.agency,
      home_unit: d.homeUnit,
      position: d.position,
      assignment: d.assignment,
      qualification: d.qualification,
      license_number: d.licenseNumber,
      issuer: d.issuer.name,
      issuer_id: d.issuer.id,
      check_in_verification: d.verification.atCheckIn ? `${d.verification.atCheckIn.method}: ${d.verification.atCheckIn.result}` : null,
      check_in_verified_at: d.verification.atCheckIn?.at ?? null,
      reverifications: d.verification.reverifications.length,
      last_reverified_at: d.verification.lastReverifiedAt,
      last_reverification_result: last?.result ?? null,
      decision: d.decisionReasons.length ? `${d.decision} (${d.decisionReasons.join('; ')})` : d.decision,
      status: d.status,
      checked_in_at: d.checkedInAt,
      checked_out_at: d.checkedOutAt ?? (d.open ? 'still on scene' : null),
      total_hours: d.hoursOnScene,
      deployment_id: d.deploymentId,
      practice_basis: d.practiceAuthority?.basis ?? null,
      practice_rule: d.practiceAuthority?.ruleId ?? null,
      practice_rule_set_version: d.practiceAuthority?.ruleSetVersion ?? null,
      esar_vhp_level: d.practiceAuthority?.level ?? null,
    };
    const days = d.hoursByDay.length > 0 ? d.hoursByDay : [{ date: d.checkedInAt.slice(0, 10), hours: 0 }];
    for (const day of days) {
      const row: Record<(typeof CSV_COLUMNS)[number], string | number | null> = { ...common, date: day.date, hours_on_date: day.hours };
      rows.push(CSV_COLUMNS.map((c) => row[c]));
    }
  }
  return csvText(rows);
}
