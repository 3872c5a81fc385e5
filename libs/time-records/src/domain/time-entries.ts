import { addDays, localDateOfMs, localMidnightMs } from './local-time';
import { TimeRecordError } from './time-record-error';

/** `localeCompare` with the default locale, as one collator (the same order, without a collator per call). */
export const collate: (a: string, b: string) => number = new Intl.Collator().compare;
/** "YYYY-MM-DD" dates sort as text. */
export const compareDates = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Half-open [start, end) in epoch milliseconds. */
export interface Interval {
  start: number;
  end: number;
}

/** The incident as time records need it: its zone and its dates (local, inclusive; `endDate` null while open). */
export interface IncidentCalendar {
  timeZone: string;
  startDate: string;
  endDate: string | null;
}

/** A status as recorded in `deployment_status_event` (ICS resource status). */
export interface StatusChange {
  at: Date;
  status: 'assigned' | 'available' | 'out_of_service' | 'demobilized';
  reason: string | null;
}

/** One deployment: check-in, check-out and its status history (oldest first; the first change is the check-in status). */
export interface DeploymentTimeline {
  deploymentId: string;
  responderId: string;
  agency: string;
  checkedInAt: Date;
  checkedOutAt: Date | null;
  statusChanges: StatusChange[];
}

/** A responder's time on one local day for one agency: on-duty intervals and recorded rest. */
export interface TimeEntry {
  responderId: string;
  agency: string;
  date: string;
  onDuty: Interval[];
  restMinutes: number;
}

export const minutesOf = (intervals: readonly Interval[]): number => Math.round(intervals.reduce((s, i) => s + (i.end - i.start), 0) / 60_000);

/** Assigned and available are paid time on scene; out of service for rest is rest; other out-of-service time is not worked. */
function dutyOf(change: StatusChange | undefined): 'on_duty' | 'rest' | 'off' {
  if (!change || change.status === 'assigned' || change.status === 'available') return 'on_duty';
  if (change.status === 'out_of_service') return change.reason === 'rest' ? 'rest' : 'off';
  return 'off';
}

/** The status in force at `t`: the latest change not after it (changes are oldest first, equal instants: the last one). */
function inForce(changes: readonly StatusChange[], t: number): StatusChange | undefined {
  for (let i = changes.length - 1; i >= 0; i--) if (changes[i].at.getTime() <= t) return changes[i];
  return undefined;
}

/** The local days an instant range touches, each with its [midnight, next midnight) bounds. */
export function localDays(from: number, to: number, timeZone: string): Array<{ date: string; start: number; end: number }> {
  const days: Array<{ date: string; start: number; end: number }> = [];
  let date = localDateOfMs(from, timeZone);
  let start = localMidnightMs(date, timeZone);
  while (start < to) {
    const next = addDays(date, 1);
    const end = localMidnightMs(next, timeZone);
    days.push({ date, start, end });
    date = next;
    start = end;
  }
  return days;
}

/** Refuses an interval that runs backwards or lies outside the incident's dates. */
export function checkWithinIncident(interval: Interval, incident: IncidentCalendar, responderId: string): void {
  if (interval.end < interval.start) {
    throw new TimeRecordError('time_entry_negative', 'A time entry ends before it starts', { responderId, start: new Date(interval.start).toISOString() });
  }
  const first = localMidnightMs(incident.startDate, incident.timeZone);
  const last = incident.endDate === null ? Infinity : localMidnightMs(addDays(incident.endDate, 1), incident.timeZone);
  if (interval.start < first || interval.end > last) {
    throw new TimeRecordError('time_entry_outside_incident', "A time entry lies outside the incident's dates", {
      responderId,
      start: new Date(interval.start).toISOString(),
      end: new Date(interval.end).toISOString(),
    });
  }
}

/** Refuses overlapping intervals of one responder (they would count the same hour twice). */
export function checkNoOverlap(intervals: readonly Interval[], responderId: string): void {
  const sorted = [...intervals].sort((a, b) => a.start - b.start);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i].start < sorted[i - 1].end) {
      throw new TimeRecordError('time_entry_overlap', 'Two time entries of one responder overlap', {
        responderId,
        at: new Date(sorted[i].start).toISOString(),
      });
    }
  }
}

/**
 * Time entries per responder, agency and local day from deployments: on duty from check-in to check-out (open ones
 * to `asOf`) except while out of service, split at midnight in the incident's zone. Refuses a deployment that ends
 * before it starts, status changes out of order, time outside the incident's dates and overlapping deployments.
 */
export function deriveTimeEntries(incident: IncidentCalendar, deployments: readonly DeploymentTimeline[], asOf: Date): TimeEntry[] {
  const byResponder = new Map<string, Interval[]>();
  const entries = new Map<string, TimeEntry>();
  for (const d of deployments) {
    const start = d.checkedInAt.getTime();
    const end = (d.checkedOutAt ?? asOf).getTime();
    const whole = { start, end };
    checkWithinIncident(whole, incident, d.responderId);
    const spans = byResponder.get(d.responderId) ?? [];
    spans.push(whole);
    byResponder.set(d.responderId, spans);

    // Segments between status changes, each with the duty of the status in force at its start.
    const changes = d.statusChanges;
    const bounds: number[] = [start];
    let prev = start;
    for (const c of changes) {
      const t = c.at.getTime();
      if (t <= start || t >= end) continue;
      if (t < prev) {
        throw new TimeRecordError('time_entry_negative', 'Status changes are out of time order', { responderId: d.responderId, at: c.at.toISOString() });
      }
      prev = t;
      bounds.push(t);
    }
    bounds.push(end);
    for (let i = 0; i + 1 < bounds.length; i++) {
      const duty = dutyOf(inForce(changes, bounds[i]));
      if (duty === 'off') continue;
      for (const day of localDays(bounds[i], bounds[i + 1], incident.timeZone)) {
        const piece = { start: Math.max(bounds[i], day.start), end: Math.min(bounds[i + 1], day.end) };
        if (piece.end <= piece.start) continue;
        const key = `${d.responderId}|${d.agency}|${day.date}`;
        let entry = entries.get(key);
        if (!entry) entries.set(key, (entry = { responderId: d.responderId, agency: d.agency, date: day.date, onDuty: [], restMinutes: 0 }));
        if (duty === 'on_duty') entry.onDuty.push(piece);
        else entry.restMinutes += Math.round((piece.end - piece.start) / 60_000);
      }
    }
  }
  for (const [responderId, spans] of byResponder) checkNoOverlap(spans, responderId);
  return [...entries.values()].sort((a, b) => collate(a.responderId, b.responderId) || compareDates(a.date, b.date) || collate(a.agency, b.agency));
}
