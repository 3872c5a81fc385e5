import { addDays, localDateOfMs, localMidnightMs, recordedInstantMs } from './local-time';
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

/** A journey to or from the incident: paid as worked time. */
export interface TravelLeg {
  start: Date;
  end: Date;
}

/**
 * One deployment: check-in, check-out, its status history (oldest first; the first change is the check-in status)
 * and the travel around it: to the incident (ICS 211 departure to check-in), home (check-out to the ICS 221 ETA).
 */
export interface DeploymentTimeline {
  deploymentId: string;
  responderId: string;
  agency: string;
  checkedInAt: Date;
  checkedOutAt: Date | null;
  statusChanges: StatusChange[];
  travelTo?: TravelLeg | null;
  travelHome?: TravelLeg | null;
}

/** A responder's time on one local day for one agency: on-duty intervals, recorded rest and travel. */
export interface TimeEntry {
  responderId: string;
  agency: string;
  date: string;
  onDuty: Interval[];
  restMinutes: number;
  travel: Interval[];
}

/** The longest journey accepted as travel time: anything longer is a mistyped date, not a trip. */
export const MAX_TRAVEL_MS = 72 * 3_600_000;

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

/**
 * localDays in one zone, for many ranges in a row: a deployment's segments mostly fall within one local day, so the
 * last single day found serves again while the ranges stay within it. The days given are read only.
 */
export function localDaysIn(timeZone: string): (from: number, to: number) => ReadonlyArray<{ date: string; start: number; end: number }> {
  let oneDay: Array<{ date: string; start: number; end: number }> = [];
  return (from, to) => {
    const day = oneDay[0];
    if (day !== undefined && from >= day.start && from < day.end && to > day.start && to <= day.end) return oneDay;
    const days = localDays(from, to, timeZone);
    if (days.length === 1) oneDay = days;
    return days;
  };
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

/**
 * A travel leg as counted up to `asOf` (null when it has not started by then). Refuses a leg that runs backwards,
 * one longer than 72 hours, and one ending after the incident's last day; a leg may start before the incident's first
 * day (responders pre-position before a storm).
 */
export function travelInterval(leg: TravelLeg, incident: IncidentCalendar, responderId: string, asOf: number): Interval | null {
  const start = leg.start.getTime();
  const end = leg.end.getTime();
  if (Number.isNaN(start) || Number.isNaN(end)) {
    throw new TimeRecordError('time_travel_implausible', `A journey of ${responderId} has a time that cannot be read`, { responderId });
  }
  if (end < start) {
    throw new TimeRecordError('time_entry_negative', 'A journey ends before it starts', {
      responderId,
      start: leg.start.toISOString(),
      end: leg.end.toISOString(),
    });
  }
  if (end - start > MAX_TRAVEL_MS) {
    throw new TimeRecordError('time_travel_implausible', `A journey of ${responderId} lasts more than 72 hours`, {
      responderId,
      start: leg.start.toISOString(),
      end: leg.end.toISOString(),
    });
  }
  const last = incident.endDate === null ? Infinity : localMidnightMs(addDays(incident.endDate, 1), incident.timeZone);
  if (end > last) {
    throw new TimeRecordError('time_entry_outside_incident', "A journey ends after the incident's dates", { responderId, end: leg.end.toISOString() });
  }
  const clipped = Math.min(end, asOf);
  return clipped > start ? { start, end: clipped } : null;
}

/** What a deployment's travel is derived from: the ICS 211 departure (text as recorded) and the ICS 221 ETA home. */
export interface TravelFacts {
  checkedInAt: Date;
  checkedOutAt: Date | null;
  departureAt: string | null;
  etaHome: Date | null;
}

/**
 * Travel to the incident runs from the recorded departure to check-in; travel home from check-out to the ETA home,
 * once checked out. A departure without an offset is read as wall-clock time in the incident's zone.
 */
export function travelLegs(facts: TravelFacts, timeZone: string): { travelTo: TravelLeg | null; travelHome: TravelLeg | null } {
  return {
    travelTo: facts.departureAt === null ? null : { start: new Date(recordedInstantMs(facts.departureAt, timeZone)), end: facts.checkedInAt },
    travelHome: facts.checkedOutAt === null || facts.etaHome === null ? null : { start: facts.checkedOutAt, end: facts.etaHome },
  };
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
 * to `asOf`) except while out of service, and travel to and from the incident (up to `asOf`), split at midnight in
 * the incident's zone. Refuses a deployment that ends before it starts, status changes out of order, time outside
 * the incident's dates, implausible journeys and overlapping deployments (their travel included).
 */
export function deriveTimeEntries(incident: IncidentCalendar, deployments: readonly DeploymentTimeline[], asOf: Date): TimeEntry[] {
  const byResponder = new Map<string, Interval[]>();
  const entries = new Map<string, TimeEntry>();
  const daysOf = localDaysIn(incident.timeZone);
  for (const d of deployments) {
    const start = d.checkedInAt.getTime();
    const end = (d.checkedOutAt ?? asOf).getTime();
    const whole = { start, end };
    checkWithinIncident(whole, incident, d.responderId);
    const spans = byResponder.get(d.responderId) ?? [];
    spans.push(whole);
    byResponder.set(d.responderId, spans);
    // A deployment's pieces mostly fall on one day: the entry of the last day asked for is kept.
    let dayEntry: TimeEntry | undefined;
    const entryOf = (date: string): TimeEntry => {
      if (dayEntry?.date === date) return dayEntry;
      const key = `${d.responderId}|${d.agency}|${date}`;
      let entry = entries.get(key);
      if (!entry) entries.set(key, (entry = { responderId: d.responderId, agency: d.agency, date, onDuty: [], restMinutes: 0, travel: [] }));
      dayEntry = entry;
      return entry;
    };

    for (const leg of [d.travelTo, d.travelHome]) {
      if (!leg) continue;
      const travel = travelInterval(leg, incident, d.responderId, asOf.getTime());
      if (!travel) continue;
      spans.push(travel);
      for (const day of daysOf(travel.start, travel.end)) {
        const piece = { start: Math.max(travel.start, day.start), end: Math.min(travel.end, day.end) };
        if (piece.end > piece.start) entryOf(day.date).travel.push(piece);
      }
    }

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
      for (const day of daysOf(bounds[i], bounds[i + 1])) {
        const piece = { start: Math.max(bounds[i], day.start), end: Math.min(bounds[i + 1], day.end) };
        if (piece.end <= piece.start) continue;
        const entry = entryOf(day.date);
        if (duty === 'on_duty') entry.onDuty.push(piece);
        else entry.restMinutes += Math.round((piece.end - piece.start) / 60_000);
      }
    }
  }
  for (const [responderId, spans] of byResponder) checkNoOverlap(spans, responderId);
  return [...entries.values()].sort((a, b) => collate(a.responderId, b.responderId) || compareDates(a.date, b.date) || collate(a.agency, b.agency));
}
