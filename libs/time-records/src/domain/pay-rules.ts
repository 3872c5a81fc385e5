import { weekStart } from './local-time';
import { collate, compareDates, minutesOf, type TimeEntry } from './time-entries';
import type { EffectiveEntry } from './ledger';
import { TimeRecordError } from './time-record-error';

/** A break a day's work requires once it runs longer than `afterMinutes`; an unpaid one is taken off the worked time. */
export interface BreakRule {
  kind: 'meal' | 'rest';
  afterMinutes: number;
  minutes: number;
  paid: boolean;
}

/** Hourly rates in cents for a position at an agency (`position` null: the agency's rate for any other position). */
export interface Rate {
  position: string | null;
  regularCentsPerHour: number;
  overtimeCentsPerHour: number;
}

/** One agency's rules: when hours become overtime, which breaks apply, what an hour costs. */
export interface AgencyRules {
  agency: string;
  /** Minutes a day beyond which time is overtime; null: no daily limit. */
  dailyRegularMinutes: number | null;
  /** Regular minutes a week beyond which time is overtime; null: no weekly limit. */
  weeklyRegularMinutes: number | null;
  /** 0 = Sunday ... 6 = Saturday, in the incident's calendar. */
  weekStartsOn: number;
  breaks: BreakRule[];
  rates: Rate[];
  /** The value of a donated volunteer hour, in cents; null when the agency has none configured. */
  volunteerCentsPerHour: number | null;
}

/**
 * How a responder is paid: an `employee` claims all hours; a `budgeted` employee's regular hours are paid by their
 * own budget anyway, so only overtime is claimed; a `volunteer`'s hours are donated (valued at the volunteer rate).
 */
export type Employment = 'employee' | 'budgeted' | 'volunteer';

export interface ResponderProfile {
  responderId: string;
  name: string;
  position: string | null;
  employment: Employment;
}

/** A responder's day worked out: minutes on duty, travel, unpaid break, regular and overtime. */
export interface WorkedDay {
  responderId: string;
  agency: string;
  date: string;
  onDutyMinutes: number;
  /** Travel to or from the incident: worked time, but no break rule counts it. */
  travelMinutes: number;
  restMinutes: number;
  unpaidBreakMinutes: number;
  workedMinutes: number;
  regularMinutes: number;
  overtimeMinutes: number;
}

export function rulesFor(rules: ReadonlyMap<string, AgencyRules>, agency: string): AgencyRules {
  const r = rules.get(agency);
  if (!r) throw new TimeRecordError('time_rate_missing', `No time rules or rates are configured for ${agency}`, { agency });
  return r;
}

/** The rate for a position at an agency: the position's own, else the agency's default; never a guess. */
export function rateFor(rules: AgencyRules, position: string | null): Rate {
  const rate = rules.rates.find((r) => r.position !== null && r.position === position) ?? rules.rates.find((r) => r.position === null);
  if (!rate)
    throw new TimeRecordError('time_rate_missing', `No rate for ${position ?? 'this position'} at ${rules.agency}`, {
      agency: rules.agency,
      position: position ?? '',
    });
  return rate;
}

/**
 * Unpaid break minutes for a day: the sum of the unpaid breaks whose threshold the day's on-duty time passes, less
 * rest already recorded that day (time out of service for rest is a break taken).
 */
export function unpaidBreakMinutes(onDutyMinutes: number, restMinutes: number, breaks: readonly BreakRule[]): number {
  const required = breaks.filter((b) => !b.paid && onDutyMinutes > b.afterMinutes).reduce((s, b) => s + b.minutes, 0);
  return Math.min(onDutyMinutes, Math.max(0, required - restMinutes));
}

/** The order the week's overtime is worked out in: per responder and agency, by date. */
export const byResponderAgencyDate = (a: TimeEntry, b: TimeEntry): number =>
  collate(a.responderId, b.responderId) || collate(a.agency, b.agency) || compareDates(a.date, b.date);

/**
 * Regular and overtime per responder day, worked time being on duty less unpaid breaks plus travel. Daily overtime first (beyond the daily limit), then the week: regular
 * minutes past the weekly limit become overtime, in date order, so no minute counts as overtime twice.
 */
export function workOut(entries: readonly EffectiveEntry[], rules: ReadonlyMap<string, AgencyRules>): WorkedDay[] {
  return workOutSorted(entries.map((e) => e.entry).sort(byResponderAgencyDate), rules);
}

/** `workOut` for entries already in `byResponderAgencyDate` order; the days come out in the same order. */
export function workOutSorted(days: readonly TimeEntry[], rules: ReadonlyMap<string, AgencyRules>): WorkedDay[] {
  const weekly = new Map<string, number>();
  return days.map((e) => {
    const r = rulesFor(rules, e.agency);
    const onDutyMinutes = minutesOf(e.onDuty);
    const unpaid = unpaidBreakMinutes(onDutyMinutes, e.restMinutes, r.breaks);
    const travelMinutes = minutesOf(e.travel);
    // Breaks are owed for time on scene; travel is paid and counts toward overtime like it.
    const worked = onDutyMinutes - unpaid + travelMinutes;
    const dailyOvertime = r.dailyRegularMinutes === null ? 0 : Math.max(0, worked - r.dailyRegularMinutes);
    let regular = worked - dailyOvertime;
    let overtime = dailyOvertime;
    if (r.weeklyRegularMinutes !== null) {
      const key = `${e.responderId}|${e.agency}|${weekStart(e.date, r.weekStartsOn)}`;
      const before = weekly.get(key) ?? 0;
      const over = Math.max(0, before + regular - r.weeklyRegularMinutes);
      regular -= over;
      overtime += over;
      weekly.set(key, before + regular);
    }
    return {
      responderId: e.responderId,
      agency: e.agency,
      date: e.date,
      onDutyMinutes,
      travelMinutes,
      restMinutes: e.restMinutes,
      unpaidBreakMinutes: unpaid,
      workedMinutes: worked,
      regularMinutes: regular,
      overtimeMinutes: overtime,
    };
  });
}
