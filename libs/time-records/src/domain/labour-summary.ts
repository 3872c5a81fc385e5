import type { DayStatus, TimeLedger } from './ledger';
import { rateFor, rulesFor, workOut, type AgencyRules, type Employment, type ResponderProfile } from './pay-rules';
import type { TimeEntry } from './time-entries';
import { TimeRecordError } from './time-record-error';

/** One responder day of an agency's labour summary. Minutes are whole; money is in cents. */
export interface LabourRow {
  agency: string;
  responderId: string;
  name: string;
  position: string | null;
  employment: Employment;
  date: string;
  onDutyMinutes: number;
  unpaidBreakMinutes: number;
  regularMinutes: number;
  overtimeMinutes: number;
  /** Regular minutes claimed for reimbursement: none for budgeted employees and volunteers. */
  claimedRegularMinutes: number;
  /** Overtime minutes claimed: none for volunteers. */
  claimedOvertimeMinutes: number;
  regularCentsPerHour: number | null;
  overtimeCentsPerHour: number | null;
  claimCents: number;
  /** Volunteers: worked minutes valued at the agency's volunteer rate. */
  donatedMinutes: number;
  donatedCents: number;
  status: DayStatus;
  approvedBy: string | null;
  /** The correction in effect, and corrections waiting for re-approval (not in the figures). */
  correctionId: string | null;
  pendingCorrectionIds: string[];
}

export interface AgencyTotals {
  agency: string;
  regularMinutes: number;
  overtimeMinutes: number;
  claimCents: number;
  donatedMinutes: number;
  donatedCents: number;
}

export interface LabourSummary {
  rows: LabourRow[];
  totals: AgencyTotals[];
}

/** Cents for minutes at an hourly rate, rounded to the cent per row (rows are summed after rounding). */
export const centsFor = (minutes: number, centsPerHour: number): number => Math.round((minutes * centsPerHour) / 60);

export interface SummaryOptions {
  /** Only this agency's rows (other agencies' missing rates do not refuse it). */
  agency?: string;
  /** For a certified package: refuse while any day has a correction waiting for re-approval. */
  settledOnly?: boolean;
}

/**
 * The per-agency labour summary from derived entries, the ledger's corrections and approvals, the agencies' rules and
 * the responders' profiles. A missing rule set, rate or volunteer rate is refused, never summed as zero.
 */
export function labourSummary(
  derived: readonly TimeEntry[],
  ledger: TimeLedger,
  rules: ReadonlyMap<string, AgencyRules>,
  profiles: ReadonlyMap<string, ResponderProfile>,
  options: SummaryOptions = {},
): LabourSummary {
  const effective = ledger.effective(derived).filter((e) => options.agency === undefined || e.entry.agency === options.agency);
  const byKey = new Map(effective.map((e) => [`${e.entry.responderId}|${e.entry.agency}|${e.entry.date}`, e]));
  const rows = workOut(effective, rules).map((day): LabourRow => {
    const e = byKey.get(`${day.responderId}|${day.agency}|${day.date}`);
    const profile = profiles.get(day.responderId) ?? { responderId: day.responderId, name: day.responderId, position: null, employment: 'employee' as const };
    const agencyRules = rulesFor(rules, day.agency);
    if (options.settledOnly) ledger.assertSettled(day.agency, day.date);
    const volunteer = profile.employment === 'volunteer';
    let rate: { regularCentsPerHour: number; overtimeCentsPerHour: number } | null = null;
    let donatedCents = 0;
    if (volunteer) {
      if (agencyRules.volunteerCentsPerHour === null) {
        throw new TimeRecordError('time_rate_missing', `No volunteer rate is configured for ${day.agency}`, { agency: day.agency });
      }
      donatedCents = centsFor(day.workedMinutes, agencyRules.volunteerCentsPerHour);
    } else {
      rate = rateFor(agencyRules, profile.position);
    }
    const claimedRegularMinutes = profile.employment === 'employee' ? day.regularMinutes : 0;
    const claimedOvertimeMinutes = volunteer ? 0 : day.overtimeMinutes;
    const claimCents = rate ? centsFor(claimedRegularMinutes, rate.regularCentsPerHour) + centsFor(claimedOvertimeMinutes, rate.overtimeCentsPerHour) : 0;
    return {
      agency: day.agency,
      responderId: day.responderId,
      name: profile.name,
      position: profile.position,
      employment: profile.employment,
      date: day.date,
      onDutyMinutes: day.onDutyMinutes,
      unpaidBreakMinutes: day.unpaidBreakMinutes,
      regularMinutes: day.regularMinutes,
      overtimeMinutes: day.overtimeMinutes,
      claimedRegularMinutes,
      claimedOvertimeMinutes,
      regularCentsPerHour: rate?.regularCentsPerHour ?? null,
      overtimeCentsPerHour: rate?.overtimeCentsPerHour ?? null,
      claimCents,
      donatedMinutes: volunteer ? day.workedMinutes : 0,
      donatedCents,
      status: ledger.status(day.agency, day.date),
      approvedBy: ledger.approvalOf(day.agency, day.date)?.approvedBy ?? null,
      correctionId: e?.correction?.id ?? null,
      pendingCorrectionIds: e?.pending.map((c) => c.id) ?? [],
    };
  });
  rows.sort(
    (a, b) => a.agency.localeCompare(b.agency) || a.name.localeCompare(b.name) || a.responderId.localeCompare(b.responderId) || a.date.localeCompare(b.date),
  );
  const totals = new Map<string, AgencyTotals>();
  for (const r of rows) {
    const t = totals.get(r.agency) ?? { agency: r.agency, regularMinutes: 0, overtimeMinutes: 0, claimCents: 0, donatedMinutes: 0, donatedCents: 0 };
    t.regularMinutes += r.regularMinutes;
    t.overtimeMinutes += r.overtimeMinutes;
    t.claimCents += r.claimCents;
    t.donatedMinutes += r.donatedMinutes;
    t.donatedCents += r.donatedCents;
    totals.set(r.agency, t);
  }
  return { rows, totals: [...totals.values()] };
}
