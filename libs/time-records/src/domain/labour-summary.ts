import type { DayStatus, TimeLedger } from './ledger';
import { byResponderAgencyDate, rateFor, rulesFor, workOutSorted, type AgencyRules, type Employment, type ResponderProfile, type Rate } from './pay-rules';
import { collate, compareDates, type TimeEntry } from './time-entries';
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
  /** Travel to or from the incident that day (worked time, in regular and overtime). */
  travelMinutes: number;
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
  travelMinutes: number;
  regularMinutes: number;
  overtimeMinutes: number;
  claimCents: number;
  donatedMinutes: number;
  donatedCents: number;
}

/** The figures an agency's totals add up (a row carries each of them too). */
export const TOTAL_FIGURES = ['travelMinutes', 'regularMinutes', 'overtimeMinutes', 'claimCents', 'donatedMinutes', 'donatedCents'] as const;

export const emptyTotals = (agency: string): AgencyTotals => ({
  agency,
  travelMinutes: 0,
  regularMinutes: 0,
  overtimeMinutes: 0,
  claimCents: 0,
  donatedMinutes: 0,
  donatedCents: 0,
});

/** Adds a row's or another total's figures to `into`: each of TOTAL_FIGURES, named one by one (it runs once per row). */
export function addTotals(into: AgencyTotals, from: Pick<AgencyTotals, (typeof TOTAL_FIGURES)[number]>): void {
  into.travelMinutes += from.travelMinutes;
  into.regularMinutes += from.regularMinutes;
  into.overtimeMinutes += from.overtimeMinutes;
  into.claimCents += from.claimCents;
  into.donatedMinutes += from.donatedMinutes;
  into.donatedCents += from.donatedCents;
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
  /** Only these responders' corrections (a package built in batches of responders, `derived` holding theirs). */
  responders?: ReadonlySet<string>;
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
  const effective = ledger
    .effective(derived, options.responders)
    .filter((e) => options.agency === undefined || e.entry.agency === options.agency)
    .sort((a, b) => byResponderAgencyDate(a.entry, b.entry));
  const worked = workOutSorted(
    effective.map((e) => e.entry),
    rules,
  );
  // Per agency day and per agency position, asked once: a package has thousands of rows for each.
  const days = new Map<string, { status: DayStatus; approvedBy: string | null }>();
  const rates = new Map<string, Rate>();
  const rows = worked.map((day, i): LabourRow => {
    const e = effective[i];
    const profile = profiles.get(day.responderId) ?? { responderId: day.responderId, name: day.responderId, position: null, employment: 'employee' as const };
    const agencyRules = rulesFor(rules, day.agency);
    const dayKey = `${day.agency}|${day.date}`;
    let ledgerDay = days.get(dayKey);
    if (e && ledger.hasPeriodApprovals(day.agency)) {
      // Approved periods approve responder days, not agency days: one status per row.
      ledgerDay = ledger.entryStatus(e);
      if (options.settledOnly && ledgerDay.status === 'reapproval_required') ledger.assertSettled(day.agency, day.date, true);
    } else if (!ledgerDay) {
      if (options.settledOnly) ledger.assertSettled(day.agency, day.date);
      ledgerDay = { status: ledger.status(day.agency, day.date), approvedBy: ledger.approvalOf(day.agency, day.date)?.approvedBy ?? null };
      days.set(dayKey, ledgerDay);
    }
    const volunteer = profile.employment === 'volunteer';
    let rate: Rate | null = null;
    let donatedCents = 0;
    if (volunteer) {
      if (agencyRules.volunteerCentsPerHour === null) {
        throw new TimeRecordError('time_rate_missing', `No volunteer rate is configured for ${day.agency}`, { agency: day.agency });
      }
      donatedCents = centsFor(day.workedMinutes, agencyRules.volunteerCentsPerHour);
    } else {
      const rateKey = `${day.agency}|${profile.position ?? ''}|${profile.position === null ? 'default' : 'position'}`;
      rate = rates.get(rateKey) ?? null;
      if (!rate) rates.set(rateKey, (rate = rateFor(agencyRules, profile.position)));
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
      travelMinutes: day.travelMinutes,
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
      status: ledgerDay.status,
      approvedBy: ledgerDay.approvedBy,
      correctionId: e?.correction?.id ?? null,
      pendingCorrectionIds: e?.pending.map((c) => c.id) ?? [],
    };
  });
  rows.sort((a, b) => collate(a.agency, b.agency) || collate(a.name, b.name) || collate(a.responderId, b.responderId) || compareDates(a.date, b.date));
  const totals = new Map<string, AgencyTotals>();
  for (const r of rows) {
    let t = totals.get(r.agency);
    if (!t) totals.set(r.agency, (t = emptyTotals(r.agency)));
    addTotals(t, r);
  }
  return { rows, totals: [...totals.values()] };
}
