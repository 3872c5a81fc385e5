import { csvText } from '@app/common';
import {
  addDays,
  dayOfWeek,
  deriveTimeEntries,
  labourCells,
  labourCsvLines,
  labourSummary,
  localMidnightMs,
  TimeLedger,
  weekStart,
  type AgencyRules,
  type DeploymentTimeline,
  type IncidentCalendar,
  type LabourRow,
  type ResponderProfile,
} from './index';

const NY: IncidentCalendar = { timeZone: 'America/New_York', startDate: '2026-03-01', endDate: '2026-03-31' };
const HOUR = 3_600_000;
const RULES: AgencyRules = {
  agency: 'State Fire',
  dailyRegularMinutes: 480,
  weeklyRegularMinutes: 2400,
  weekStartsOn: 0,
  breaks: [{ kind: 'meal', afterMinutes: 360, minutes: 30, paid: false }],
  rates: [{ position: null, regularCentsPerHour: 3001, overtimeCentsPerHour: 4502 }],
  volunteerCentsPerHour: 3180,
};
const rules = new Map([
  [RULES.agency, RULES],
  ['County, "CERT"', { ...RULES, agency: 'County, "CERT"' }],
]);

describe('calendar dates without formatting each one', () => {
  it('adds days, finds weekdays and week starts as the calendar does, across years and leap days', () => {
    for (let i = -400; i < 800; i += 7) {
      const date = new Date(Date.UTC(2027, 0, 1) + i * 86_400_000).toISOString().slice(0, 10);
      const plus = (n: number): string => new Date(Date.parse(`${date}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
      expect(addDays(date, 45)).toBe(plus(45));
      expect(addDays(date, -3)).toBe(plus(-3));
      const weekday = new Date(`${date}T00:00:00Z`).getUTCDay();
      expect(dayOfWeek(date)).toBe(weekday);
      for (const startsOn of [0, 1, 6]) expect(weekStart(date, startsOn)).toBe(plus(-((weekday - startsOn + 7) % 7)));
    }
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(dayOfWeek('1969-12-31')).toBe(3);
  });

  it('gives the local midnight of days around a DST change', () => {
    // 2026-03-08: clocks go forward in New York; midnight is 05:00Z before, 04:00Z after.
    expect(new Date(localMidnightMs('2026-03-08', 'America/New_York')).toISOString()).toBe('2026-03-08T05:00:00.000Z');
    expect(new Date(localMidnightMs('2026-03-09', 'America/New_York')).toISOString()).toBe('2026-03-09T04:00:00.000Z');
    expect(localMidnightMs('2026-03-09', 'America/New_York') - localMidnightMs('2026-03-08', 'America/New_York')).toBe(23 * HOUR);
  });
});

describe('a package built in batches of responders', () => {
  const responders = Array.from({ length: 12 }, (_, n) => `r${String(n).padStart(2, '0')}`);
  const profiles = new Map<string, ResponderProfile>(
    responders.map((id, n) => [
      id,
      {
        responderId: id,
        name: n === 3 ? '=Ortiz, "Ana"' : `Responder ${n}`,
        position: n % 4 === 0 ? '-Chief' : null,
        employment: n % 5 === 0 ? 'volunteer' : n % 5 === 1 ? 'budgeted' : 'employee',
      },
    ]),
  );
  const timelines: DeploymentTimeline[] = responders.flatMap((id, n) =>
    Array.from({ length: 10 }, (_, d) => {
      const start = localMidnightMs(addDays('2026-03-03', d), NY.timeZone) + (6 + (n % 3)) * HOUR;
      return {
        deploymentId: `${id}-${d}`,
        responderId: id,
        agency: n % 2 === 0 ? 'State Fire' : 'County, "CERT"',
        checkedInAt: new Date(start),
        checkedOutAt: new Date(start + (9 + (n % 5)) * HOUR + d * 60_000),
        statusChanges: [
          { at: new Date(start), status: 'assigned' as const, reason: null },
          { at: new Date(start + 4 * HOUR), status: 'out_of_service' as const, reason: n % 2 === 0 ? 'rest' : 'equipment' },
          { at: new Date(start + 4.5 * HOUR), status: 'available' as const, reason: null },
        ],
      };
    }),
  );

  function ledger(): TimeLedger {
    const l = new TimeLedger(NY);
    const approvedAt = new Date(Date.UTC(2026, 3, 1));
    // r02: corrected while open (in effect); r05: corrected after approval and approved again; r07: waiting.
    const correction = (id: string, responderId: string, agency: string, date: string, at: Date) => {
      const start = localMidnightMs(date, NY.timeZone) + 8 * HOUR;
      l.correct({ id, responderId, agency, date, onDuty: [{ start, end: start + 7 * HOUR }], reason: 'late scan', author: 'clerk', approver: 'lead', at });
    };
    correction('c1', 'r02', 'State Fire', '2026-03-05', new Date(approvedAt.getTime() - HOUR));
    for (let d = 0; d < 10; d++) {
      for (const agency of rules.keys()) l.approve({ id: `${agency}${d}`, agency, date: addDays('2026-03-03', d), approvedBy: 'leader', at: approvedAt });
    }
    correction('c2', 'r05', 'County, "CERT"', '2026-03-04', new Date(approvedAt.getTime() + HOUR));
    l.approve({ id: 'again', agency: 'County, "CERT"', date: '2026-03-04', approvedBy: 'leader2', at: new Date(approvedAt.getTime() + 2 * HOUR) });
    correction('c3', 'r07', 'County, "CERT"', '2026-03-09', new Date(approvedAt.getTime() + 3 * HOUR));
    return l;
  }

  const asOf = new Date(Date.UTC(2026, 3, 2));
  const whole = labourSummary(deriveTimeEntries(NY, timelines, asOf), ledger(), rules, profiles);

  it('gives the same rows and totals as the whole incident at once, whatever the batch size', () => {
    for (const size of [1, 5, 12]) {
      const l = ledger();
      const rows: LabourRow[] = [];
      for (let from = 0; from < responders.length; from += size) {
        const batch = new Set(responders.slice(from, from + size));
        const part = labourSummary(
          deriveTimeEntries(
            NY,
            timelines.filter((t) => batch.has(t.responderId)),
            asOf,
          ),
          l,
          rules,
          profiles,
          { responders: batch },
        );
        rows.push(...part.rows);
      }
      const key = (r: LabourRow): string => `${r.agency}|${r.responderId}|${r.date}`;
      expect(rows.map(key).sort()).toEqual(whole.rows.map(key).sort());
      const byKey = new Map(whole.rows.map((r) => [key(r), r]));
      for (const r of rows) expect(r).toEqual(byKey.get(key(r)));
    }
    expect(whole.rows.find((r) => r.responderId === 'r02' && r.date === '2026-03-05')).toMatchObject({ correctionId: 'c1', onDutyMinutes: 420 });
    expect(whole.rows.find((r) => r.responderId === 'r05' && r.date === '2026-03-04')).toMatchObject({ correctionId: 'c2', approvedBy: 'leader2' });
    expect(whole.rows.find((r) => r.responderId === 'r07' && r.date === '2026-03-09')).toMatchObject({
      status: 'reapproval_required',
      pendingCorrectionIds: ['c3'],
    });
  });

  it('writes CSV lines field by field with the same text as the cell-by-cell writer', () => {
    const odd: LabourRow = { ...whole.rows[0], name: '@risk\tname', regularMinutes: -15, claimCents: -1, pendingCorrectionIds: ['a', 'b'], approvedBy: null };
    const rows = [...whole.rows, odd];
    expect(labourCsvLines(rows)).toBe(csvText(rows.map(labourCells)));
    expect(labourCsvLines(rows)).toContain(`"'=Ortiz, ""Ana"""`);
    expect(labourCsvLines([odd])).toContain(`,'-0.25,`);
  });
});
