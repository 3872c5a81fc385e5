import { addDays, localMidnightMs } from './local-time';
import { checkNoOverlap, checkWithinIncident, collate, compareDates, type IncidentCalendar, type Interval, type TimeEntry } from './time-entries';
import { TimeRecordError } from './time-record-error';

/** A new entry that supersedes a responder's time on one agency day; what it supersedes stays in the record. */
export interface TimeCorrection {
  id: string;
  responderId: string;
  agency: string;
  date: string;
  onDuty: Interval[];
  reason: string;
  author: string;
  approver: string;
  at: Date;
}

/** A time unit leader's approval of one agency's day: it locks the day. */
export interface DayApproval {
  id: string;
  agency: string;
  date: string;
  approvedBy: string;
  at: Date;
}

/**
 * A time unit leader's approval of one agency's operational period (bounds as the incident had them when approved):
 * it approves every responder day of the agency whose time in effect lies within approved periods.
 */
export interface PeriodApproval {
  id: string;
  agency: string;
  periodId: string;
  start: number;
  end: number;
  approvedBy: string;
  at: Date;
}

export type DayStatus = 'open' | 'approved' | 'reapproval_required';

/** A responder's day as the summary uses it: the entry in effect, and every version it had. */
export interface EffectiveEntry {
  entry: TimeEntry;
  /** The correction in effect, null for the entry derived from check-in, check-out and status changes. */
  correction: TimeCorrection | null;
  /** Corrections made after the day was approved, waiting for its re-approval (not yet in the figures). */
  pending: TimeCorrection[];
  /** Every correction of the day, oldest first (superseded ones included). */
  history: TimeCorrection[];
  /**
   * Per correction (only at an agency with period approvals): when it was approved and the time it touched (the day's
   * time in effect before it and its own on-duty time), which decides the periods it changed.
   */
  touched?: Array<{ at: number; intervals: Interval[] }>;
}

/** Sorted, merged union of intervals (adjacent ones joined: 07:00-19:00 and 19:00-07:00 make one stretch). */
function union(intervals: readonly Interval[]): Interval[] {
  const sorted = [...intervals].sort((a, b) => a.start - b.start);
  const out: Interval[] = [];
  for (const i of sorted) {
    const last = out.at(-1);
    if (last && i.start <= last.end) last.end = Math.max(last.end, i.end);
    else out.push({ start: i.start, end: i.end });
  }
  return out;
}

/** Whether some time is given and all of it lies within the union (sorted, merged). */
function coveredBy(intervals: readonly Interval[], merged: readonly Interval[]): boolean {
  return intervals.length > 0 && intervals.every((i) => i.end <= i.start || merged.some((u) => u.start <= i.start && i.end <= u.end));
}

const overlaps = (a: readonly Interval[], b: Interval): boolean => a.some((i) => i.start < b.end && b.start < i.end);

/** The time of a day in effect that period approvals must cover: on duty and travel. */
const timeOf = (entry: TimeEntry): Interval[] => [...entry.onDuty, ...entry.travel];

const dayKey = (agency: string, date: string): string => `${agency}|${date}`;
const entryKey = (responderId: string, agency: string, date: string): string => `${responderId}|${agency}|${date}`;

/** The approval in force when `at` happened, if any (the latest one not after it). */
function approvalBefore(approvals: readonly DayApproval[], at: number): DayApproval | undefined {
  return approvals.filter((a) => a.at.getTime() <= at).at(-1);
}

/** Refuses correction times that run backwards, overlap, leave the corrected day or lie outside the incident's dates. */
export function checkCorrectionTimes(incident: IncidentCalendar, correction: Pick<TimeCorrection, 'id' | 'responderId' | 'date' | 'onDuty'>): void {
  const day = {
    start: localMidnightMs(correction.date, incident.timeZone),
    end: localMidnightMs(addDays(correction.date, 1), incident.timeZone),
  };
  for (const i of correction.onDuty) {
    checkWithinIncident(i, incident, correction.responderId);
    if (i.start < day.start || i.end > day.end) {
      throw new TimeRecordError('time_entry_outside_incident', `A correction of ${correction.date} must lie within that day`, { correctionId: correction.id });
    }
  }
  checkNoOverlap(correction.onDuty, correction.responderId);
}

/**
 * Corrections and approvals of an incident's time, append-only: nothing is overwritten. A correction of an open day
 * takes effect at once; a correction of an approved day waits for a later approval of that day.
 */
export class TimeLedger {
  private readonly corrections: TimeCorrection[] = [];
  /** Per responder, in the order recorded: a package built in batches asks for a few responders at a time. */
  private readonly correctionsOf = new Map<string, TimeCorrection[]>();
  /** The latest correction time per agency day: a package asks for the status of every row. */
  private readonly lastCorrectedAt = new Map<string, number>();
  private readonly approvals = new Map<string, DayApproval[]>();
  /** Per agency, in the order approved. */
  private readonly periodApprovals = new Map<string, PeriodApproval[]>();
  /** Per agency: the union of its approved periods, made once per approval rather than once per row. */
  private readonly approvedTime = new Map<string, Interval[]>();

  constructor(private readonly incident: IncidentCalendar) {}

  status(agency: string, date: string): DayStatus {
    const approvals = this.approvals.get(dayKey(agency, date)) ?? [];
    const last = approvals.at(-1);
    if (!last) return 'open';
    const corrected = this.lastCorrectedAt.get(dayKey(agency, date));
    return corrected !== undefined && corrected > last.at.getTime() ? 'reapproval_required' : 'approved';
  }

  /** Records a correction after checking it: a second person approving it, sane times inside its day. */
  correct(correction: TimeCorrection): void {
    if (correction.approver === correction.author) {
      throw new TimeRecordError('time_correction_self_approved', 'A correction must be approved by someone other than its author', {
        correctionId: correction.id,
      });
    }
    checkCorrectionTimes(this.incident, correction);
    this.corrections.push(correction);
    const own = this.correctionsOf.get(correction.responderId);
    if (own) own.push(correction);
    else this.correctionsOf.set(correction.responderId, [correction]);
    const key = dayKey(correction.agency, correction.date);
    this.lastCorrectedAt.set(key, Math.max(this.lastCorrectedAt.get(key) ?? -Infinity, correction.at.getTime()));
  }

  /** Approves (or re-approves) an agency's day; approving a day that is already approved and unchanged is refused. */
  approve(approval: DayApproval): void {
    if (this.status(approval.agency, approval.date) === 'approved') {
      throw new TimeRecordError('time_day_already_approved', `${approval.agency}'s ${approval.date} is already approved`, {
        agency: approval.agency,
        date: approval.date,
      });
    }
    const key = dayKey(approval.agency, approval.date);
    this.approvals.set(key, [...(this.approvals.get(key) ?? []), approval]);
  }

  /** Approves (or re-approves) an agency's operational period; whether it changed since is decided by the caller (`periodChanged`). */
  approvePeriod(approval: PeriodApproval): void {
    const own = this.periodApprovals.get(approval.agency);
    if (own) own.push(approval);
    else this.periodApprovals.set(approval.agency, [approval]);
    this.approvedTime.delete(approval.agency);
  }

  /** Whether the agency has any period approval: without one, status stays per agency day (one lookup per day). */
  hasPeriodApprovals(agency: string): boolean {
    return this.periodApprovals.has(agency);
  }

  /** The latest approval of an agency's period, if any. */
  periodApprovalOf(agency: string, periodId: string): PeriodApproval | null {
    return (this.periodApprovals.get(agency) ?? []).filter((a) => a.periodId === periodId).at(-1) ?? null;
  }

  /**
   * Whether the agency's period was corrected since its latest approval: a correction approved after it touched time
   * within the period. `effective` is `effective(...)` of the agency's entries. Never approved: true.
   */
  periodChanged(agency: string, period: Interval & { id: string }, effective: readonly EffectiveEntry[]): boolean {
    const last = this.periodApprovalOf(agency, period.id);
    if (!last) return true;
    return effective.some((e) => e.entry.agency === agency && (e.touched ?? []).some((t) => t.at > last.at.getTime() && overlaps(t.intervals, period)));
  }

  /**
   * The status of one responder day at an agency with period approvals: approved when its day is approved or all of
   * its time in effect lies within the agency's approved periods; waiting while a correction is pending.
   */
  entryStatus(e: EffectiveEntry): { status: DayStatus; approvedBy: string | null } {
    const { agency, date } = e.entry;
    const day = this.status(agency, date);
    if (e.pending.length > 0) return { status: 'reapproval_required', approvedBy: this.approvalOf(agency, date)?.approvedBy ?? null };
    if (day === 'approved') return { status: day, approvedBy: this.approvalOf(agency, date)?.approvedBy ?? null };
    const periods = this.periodApprovals.get(agency) ?? [];
    const time = timeOf(e.entry);
    let approvedTime = this.approvedTime.get(agency);
    if (!approvedTime) this.approvedTime.set(agency, (approvedTime = union(periods)));
    if (coveredBy(time, approvedTime)) {
      const latest = periods.filter((p) => overlaps(time, p)).at(-1);
      return { status: 'approved', approvedBy: latest?.approvedBy ?? null };
    }
    return { status: day, approvedBy: this.approvalOf(agency, date)?.approvedBy ?? null };
  }

  /** Refuses while a correction of an approved day waits for re-approval (for certifying a package). */
  assertSettled(agency: string, date: string, waiting = false): void {
    if (waiting || this.status(agency, date) === 'reapproval_required') {
      throw new TimeRecordError('time_day_reapproval_required', `${agency}'s ${date} was corrected after approval and must be approved again`, {
        agency,
        date,
      });
    }
  }

  approvalOf(agency: string, date: string): DayApproval | null {
    return this.approvals.get(dayKey(agency, date))?.at(-1) ?? null;
  }

  /**
   * The entries in effect: derived ones overlaid by the latest correction in effect per responder day (a correction
   * also creates a day nobody derived, e.g. time not scanned). A correction is in effect when the day was open when it
   * was made, or approved again after it. With `responders`, only their corrections (a package built in batches of
   * responders). Refuses a correction whose on-duty time overlaps the day's travel.
   */
  effective(derived: readonly TimeEntry[], responders?: ReadonlySet<string>): EffectiveEntry[] {
    const out = new Map<string, EffectiveEntry>();
    for (const entry of derived) out.set(entryKey(entry.responderId, entry.agency, entry.date), { entry, correction: null, pending: [], history: [] });
    const corrections = responders ? [...responders].flatMap((r) => this.correctionsOf.get(r) ?? []) : this.corrections;
    for (const c of corrections) {
      const key = entryKey(c.responderId, c.agency, c.date);
      const current = out.get(key) ?? {
        entry: { responderId: c.responderId, agency: c.agency, date: c.date, onDuty: [], restMinutes: 0, travel: [] },
        correction: null,
        pending: [],
        history: [],
      };
      current.history.push(c);
      const approvals = this.approvals.get(dayKey(c.agency, c.date)) ?? [];
      let locked = approvalBefore(approvals, c.at.getTime()) !== undefined;
      let reapproved = approvals.some((a) => a.at.getTime() > c.at.getTime());
      const periods = this.periodApprovals.get(c.agency);
      if (periods) {
        // A day approved by covering periods is locked too; the correction waits until the day is approved again or
        // all the time it touched (before and after it) lies within periods approved again after it.
        const at = c.at.getTime();
        const touched = [...timeOf(current.entry), ...c.onDuty];
        (current.touched ??= []).push({ at, intervals: touched });
        locked ||= coveredBy(timeOf(current.entry), union(periods.filter((p) => p.at.getTime() <= at)));
        reapproved ||= coveredBy(touched, union(periods.filter((p) => p.at.getTime() > at)));
      }
      if (!locked || reapproved) {
        // A correction replaces the day's on-duty time; travel stays as recorded (corrected where it is recorded),
        // so the two must not count the same minutes.
        checkNoOverlap([...c.onDuty, ...current.entry.travel], c.responderId);
        current.entry = { ...current.entry, onDuty: c.onDuty, restMinutes: 0 };
        current.correction = c;
      } else {
        current.pending.push(c);
      }
      out.set(key, current);
    }
    return [...out.values()].sort(
      (a, b) => collate(a.entry.responderId, b.entry.responderId) || compareDates(a.entry.date, b.entry.date) || collate(a.entry.agency, b.entry.agency),
    );
  }
}
