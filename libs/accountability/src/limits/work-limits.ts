import type { WorkFacts } from '@app/incidents';
import type { AccountabilitySettings } from '../settings/accountability-settings.repository';

export type LimitKind = 'days_on_incident' | 'hours_in_period' | 'rest_between_periods';
export type LimitLevel = 'approaching' | 'breached';

/** One limit someone approaches (amber) or has reached (red); for rest: still in mandatory rest (amber). */
export interface LimitStanding {
  limit: LimitKind;
  level: LimitLevel;
  /** Days on incident, hours in the period, or hours rested so far. */
  value: number;
  max: number;
}

/** Amber this long before a limit: one day of a deployment, one hour of a period. */
const DAYS_WARNING = 1;
const HOURS_WARNING = 1;

const round2 = (n: number): number => Math.round(n * 100) / 100;

/** Where a responder stands against the incident's limits (none set: nothing to say). Pure, for the board and the sweep. */
export function standings(f: WorkFacts, s: AccountabilitySettings, now: Date): LimitStanding[] {
  const out: LimitStanding[] = [];
  if (s.maxDaysOnIncident !== null) {
    const days = round2((now.getTime() - f.checkedInAt.getTime()) / 86_400_000);
    if (days >= s.maxDaysOnIncident) out.push({ limit: 'days_on_incident', level: 'breached', value: days, max: s.maxDaysOnIncident });
    else if (days >= s.maxDaysOnIncident - DAYS_WARNING) out.push({ limit: 'days_on_incident', level: 'approaching', value: days, max: s.maxDaysOnIncident });
  }
  if (f.restStartedAt === null && s.maxHoursPerPeriod !== null) {
    const hours = round2((now.getTime() - f.workStartedAt.getTime()) / 3_600_000);
    if (hours >= s.maxHoursPerPeriod) out.push({ limit: 'hours_in_period', level: 'breached', value: hours, max: s.maxHoursPerPeriod });
    else if (hours >= s.maxHoursPerPeriod - HOURS_WARNING) out.push({ limit: 'hours_in_period', level: 'approaching', value: hours, max: s.maxHoursPerPeriod });
  }
  const rest = mandatoryRest(f, s, now);
  if (rest) out.push({ limit: 'rest_between_periods', level: 'approaching', value: rest.restedHours, max: rest.minRestHours });
  return out;
}

/** Someone out of service for rest who has rested less than the minimum: Assigned needs a commander's override. */
export function mandatoryRest(f: WorkFacts, s: AccountabilitySettings, now: Date): { restedHours: number; minRestHours: number } | undefined {
  if (f.restStartedAt === null || s.minRestHours === null) return undefined;
  const rested = round2((now.getTime() - f.restStartedAt.getTime()) / 3_600_000);
  return rested < s.minRestHours ? { restedHours: rested, minRestHours: s.minRestHours } : undefined;
}
