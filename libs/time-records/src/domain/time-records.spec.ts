import {
  addTotals,
  deriveTimeEntries,
  emptyTotals,
  labourSummary,
  labourSummaryCsv,
  localDate,
  localDays,
  localDaysIn,
  startOfLocalDay,
  TimeLedger,
  TimeRecordError,
  type AgencyRules,
  type DeploymentTimeline,
  type IncidentCalendar,
  type ResponderProfile,
  type StatusChange,
  type TimeCorrection,
  TOTAL_FIGURES,
} from './index';

// June 2026 in New York is EDT (UTC-4); 2026-06-01 is a Monday.
const NY: IncidentCalendar = { timeZone: 'America/New_York', startDate: '2026-06-01', endDate: '2026-06-10' };
const at = (local: string): Date => new Date(`${local}-04:00`);
const ASOF = at('2026-06-11T00:00:00');

const FIRE: AgencyRules = {
  agency: 'State Fire',
  dailyRegularMinutes: 480,
  weeklyRegularMinutes: 2400,
  weekStartsOn: 0,
  breaks: [
    { kind: 'rest', afterMinutes: 240, minutes: 15, paid: true },
    { kind: 'meal', afterMinutes: 360, minutes: 30, paid: false },
  ],
  rates: [
    { position: 'Paramedic', regularCentsPerHour: 4000, overtimeCentsPerHour: 6000 },
    { position: null, regularCentsPerHour: 3000, overtimeCentsPerHour: 4500 },
  ],
  volunteerCentsPerHour: null,
};
const CERT: AgencyRules = { ...FIRE, agency: 'County CERT', rates: [], volunteerCentsPerHour: 3180 };
const RULES = new Map([
  [FIRE.agency, FIRE],
  [CERT.agency, CERT],
]);
const PROFILES = new Map<string, ResponderProfile>([
  ['a', { responderId: 'a', name: 'Ada Paramedic', position: 'Paramedic', employment: 'employee' }],
  ['b', { responderId: 'b', name: 'Ben Firefighter', position: 'Firefighter', employment: 'employee' }],
  ['c', { responderId: 'c', name: 'Cy Budgeted', position: 'Paramedic', employment: 'budgeted' }],
  ['d', { responderId: 'd', name: 'Dee Volunteer', position: 'Shelter aide', employment: 'volunteer' }],
]);

let seq = 0;
function deployment(
  responderId: string,
  agency: string,
  from: string,
  to: string | null,
  changes: Array<[string, StatusChange['status'], string | null]> = [],
): DeploymentTimeline {
  const checkedInAt = at(from);
  return {
    deploymentId: `dep-${++seq}`,
    responderId,
    agency,
    checkedInAt,
    checkedOutAt: to === null ? null : at(to),
    statusChanges: [{ at: checkedInAt, status: 'assigned', reason: null }, ...changes.map(([t, status, reason]) => ({ at: at(t), status, reason }))],
  };
}

function refused(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof TimeRecordError) return err.code;
    throw err;
  }
  throw new Error('expected a refusal');
}

/** The seeded incident: four responders of two agencies over one week. */
function seeded(): DeploymentTimeline[] {
  return [
    // Ada: 20:00 to 10:00 next day, out of service for rest 01:00-03:00.
    deployment('a', 'State Fire', '2026-06-01T20:00:00', '2026-06-02T10:00:00', [
      ['2026-06-02T01:00:00', 'out_of_service', 'rest'],
      ['2026-06-02T03:00:00', 'available', null],
    ]),
    // Ben: Monday to Saturday, 07:00-17:30 each day.
    ...['01', '02', '03', '04', '05', '06'].map((d) => deployment('b', 'State Fire', `2026-06-${d}T07:00:00`, `2026-06-${d}T17:30:00`)),
    // Cy (budgeted): one 12-hour day.
    deployment('c', 'State Fire', '2026-06-03T07:00:00', '2026-06-03T19:00:00'),
    // Dee (volunteer): 4 h and 7 h.
    deployment('d', 'County CERT', '2026-06-03T08:00:00', '2026-06-03T12:00:00'),
    deployment('d', 'County CERT', '2026-06-04T08:00:00', '2026-06-04T15:00:00'),
  ];
}

describe('local days in the incident time zone', () => {
  it('finds local midnight and the local date across a DST change', () => {
    expect(startOfLocalDay('2026-06-01', 'America/New_York').toISOString()).toBe('2026-06-01T04:00:00.000Z');
    expect(startOfLocalDay('2026-03-08', 'America/New_York').toISOString()).toBe('2026-03-08T05:00:00.000Z');
    expect(startOfLocalDay('2026-03-09', 'America/New_York').toISOString()).toBe('2026-03-09T04:00:00.000Z');
    expect(localDate(new Date('2026-06-02T03:59:00Z'), 'America/New_York')).toBe('2026-06-01');
  });

  it('splits at local midnight, the spring-forward day having 23 hours', () => {
    const march: IncidentCalendar = { timeZone: 'America/New_York', startDate: '2026-03-07', endDate: null };
    const d: DeploymentTimeline = {
      deploymentId: 'x',
      responderId: 'a',
      agency: 'State Fire',
      checkedInAt: new Date('2026-03-07T12:00:00-05:00'),
      checkedOutAt: new Date('2026-03-09T12:00:00-04:00'),
      statusChanges: [],
    };
    const days = deriveTimeEntries(march, [d], ASOF).map((e) => [e.date, (e.onDuty[0].end - e.onDuty[0].start) / 60_000]);
    expect(days).toEqual([
      ['2026-03-07', 720],
      ['2026-03-08', 1380],
      ['2026-03-09', 720],
    ]);
  });

  it('gives the same days for ranges in a row as for each range alone, across DST changes and at midnights', () => {
    let seed = 11;
    const next = (n: number): number => {
      seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0;
      return seed % n;
    };
    // Zones whose DST changes at midnight (Santiago), by half an hour (Lord Howe), or never (UTC).
    for (const zone of ['America/New_York', 'America/Santiago', 'Australia/Lord_Howe', 'UTC']) {
      const daysOf = localDaysIn(zone);
      const midnights = localDays(Date.parse('2026-03-01T00:00:00Z'), Date.parse('2026-12-01T00:00:00Z'), zone).map((d) => d.start);
      let t = midnights[0];
      for (let i = 0; i < 5_000; i++) {
        // Mostly short steps within a day, sometimes a jump, a midnight exactly, or an empty or backward range.
        const kind = next(10);
        const from = kind === 0 ? midnights[next(midnights.length - 3)] : kind === 1 ? t + 86_400_000 * (1 + next(40)) : t;
        const to = kind === 2 ? from : kind === 3 ? from - 60_000 : kind === 4 ? midnights[next(midnights.length - 3)] : from + 60_000 * (1 + next(900));
        expect(daysOf(from, to)).toEqual(localDays(from, to, zone));
        t = Math.min(to, midnights[midnights.length - 5]);
      }
    }
  });
});

describe('labour summary of the seeded incident (hand-computed)', () => {
  const derived = deriveTimeEntries(NY, seeded(), ASOF);
  const summary = labourSummary(derived, new TimeLedger(NY), RULES, PROFILES);
  const row = (responderId: string, date: string) => summary.rows.find((r) => r.responderId === responderId && r.date === date)!;

  it('splits a night shift at midnight and counts rest out of service as the meal break taken', () => {
    // June 1: 20:00-24:00 = 240 min, not over the 6 h meal threshold.
    expect(row('a', '2026-06-01')).toMatchObject({ onDutyMinutes: 240, unpaidBreakMinutes: 0, regularMinutes: 240, overtimeMinutes: 0, claimCents: 16000 });
    // June 2: 00:00-01:00 + 03:00-10:00 = 480 min; the 2 h rest covers the 30 min meal, so nothing is deducted.
    expect(row('a', '2026-06-02')).toMatchObject({ onDutyMinutes: 480, unpaidBreakMinutes: 0, regularMinutes: 480, overtimeMinutes: 0, claimCents: 32000 });
  });

  it('deducts the unpaid meal break, then applies daily and weekly overtime without counting a minute twice', () => {
    // 630 min on duty - 30 meal = 600 worked: 480 regular + 120 daily overtime; at the default rate 480*50 + 120*75 cents.
    for (const d of ['01', '02', '03', '04', '05']) {
      expect(row('b', `2026-06-${d}`)).toMatchObject({
        onDutyMinutes: 630,
        unpaidBreakMinutes: 30,
        regularMinutes: 480,
        overtimeMinutes: 120,
        claimCents: 33000,
      });
    }
    // Saturday: the week already has 5 x 480 = 2400 regular minutes (40 h), so all 600 worked minutes are overtime.
    expect(row('b', '2026-06-06')).toMatchObject({ regularMinutes: 0, overtimeMinutes: 600, claimCents: 45000 });
  });

  it("claims only a budgeted employee's overtime", () => {
    // 720 - 30 = 690 worked: 480 regular (paid by their own budget) + 210 overtime at 60.00/h.
    expect(row('c', '2026-06-03')).toMatchObject({
      regularMinutes: 480,
      overtimeMinutes: 210,
      claimedRegularMinutes: 0,
      claimedOvertimeMinutes: 210,
      claimCents: 21000,
    });
  });

  it('values donated volunteer hours at the configured volunteer rate', () => {
    expect(row('d', '2026-06-03')).toMatchObject({ donatedMinutes: 240, donatedCents: 12720, claimCents: 0 });
    expect(row('d', '2026-06-04')).toMatchObject({ donatedMinutes: 390, donatedCents: 20670, claimCents: 0 });
  });

  it('totals per agency', () => {
    // State Fire: Ada 240 + 480; Ben 5*480 regular, 5*120 + 600 overtime; Cy 480 + 210.
    expect(summary.totals).toEqual([
      { agency: 'County CERT', travelMinutes: 0, regularMinutes: 240 + 390, overtimeMinutes: 0, claimCents: 0, donatedMinutes: 630, donatedCents: 33390 },
      {
        agency: 'State Fire',
        travelMinutes: 0,
        regularMinutes: 720 + 2400 + 480,
        overtimeMinutes: 1200 + 210,
        claimCents: 48000 + 210000 + 21000,
        donatedMinutes: 0,
        donatedCents: 0,
      },
    ]);
  });

  it('writes the summary as CSV with a total row per agency', () => {
    const lines = labourSummaryCsv(summary).split('\r\n');
    expect(lines[0]).toBe(
      'agency,responder_id,name,position,employment,date,on_duty_hours,travel_hours,unpaid_break_hours,regular_hours,overtime_hours,claimed_regular_hours,claimed_overtime_hours,regular_rate,overtime_rate,claim_amount,donated_hours,donated_amount,day_status,approved_by,correction_id,pending_corrections',
    );
    expect(lines).toContain('State Fire,c,Cy Budgeted,Paramedic,budgeted,2026-06-03,12.00,0.00,0.50,8.00,3.50,0.00,3.50,40.00,60.00,210.00,0.00,0.00,open,,,');
    expect(lines).toContain('County CERT,,TOTAL,,,,,0.00,,10.50,0.00,,,,,0.00,10.50,333.90,,,,');
    expect(lines).toContain('State Fire,,TOTAL,,,,,0.00,,60.00,23.50,,,,,2790.00,0.00,0.00,,,,');
  });
});

describe('agency totals', () => {
  it('adds every figure of the totals, each to its own', () => {
    TOTAL_FIGURES.forEach((figure, i) => {
      const totals = emptyTotals('A');
      addTotals(totals, { ...emptyTotals('A'), [figure]: i + 1 });
      addTotals(totals, { ...emptyTotals('A'), [figure]: 10 });
      expect(totals).toEqual({ ...emptyTotals('A'), [figure]: i + 11 });
    });
  });
});

describe('corrections and approvals', () => {
  const correction = (id: string, from: string, to: string, when: string, approver = 'lead'): TimeCorrection => ({
    id,
    responderId: 'a',
    agency: 'State Fire',
    date: '2026-06-01',
    onDuty: [{ start: at(from).getTime(), end: at(to).getTime() }],
    reason: 'check-out scanned late',
    author: 'clerk',
    approver,
    at: at(when),
  });
  const ada = (ledger: TimeLedger) => {
    const s = labourSummary(deriveTimeEntries(NY, seeded(), ASOF), ledger, RULES, PROFILES);
    return s.rows.find((r) => r.responderId === 'a' && r.date === '2026-06-01')!;
  };

  it('applies a correction of an open day as a new entry and keeps the original', () => {
    const ledger = new TimeLedger(NY);
    ledger.correct(correction('c1', '2026-06-01T20:00:00', '2026-06-01T23:00:00', '2026-06-05T09:00:00'));
    expect(ada(ledger)).toMatchObject({ onDutyMinutes: 180, claimCents: 12000, correctionId: 'c1', status: 'open' });
    const [eff] = ledger.effective(deriveTimeEntries(NY, seeded(), ASOF)).filter((e) => e.entry.responderId === 'a' && e.entry.date === '2026-06-01');
    expect(eff.history.map((c) => c.id)).toEqual(['c1']);
    // The derived entry is untouched: the summary without the ledger still shows 240.
    expect(ada(new TimeLedger(NY)).onDutyMinutes).toBe(240);
  });

  it('locks an approved day: a later correction waits for re-approval and a certified package is refused meanwhile', () => {
    const ledger = new TimeLedger(NY);
    ledger.correct(correction('c1', '2026-06-01T20:00:00', '2026-06-01T23:00:00', '2026-06-05T09:00:00'));
    ledger.approve({ id: 'ap1', agency: 'State Fire', date: '2026-06-01', approvedBy: 'leader', at: at('2026-06-05T10:00:00') });
    expect(ada(ledger)).toMatchObject({ status: 'approved', approvedBy: 'leader', onDutyMinutes: 180 });
    expect(refused(() => ledger.approve({ id: 'ap1b', agency: 'State Fire', date: '2026-06-01', approvedBy: 'leader', at: at('2026-06-05T10:30:00') }))).toBe(
      'time_day_already_approved',
    );

    ledger.correct(correction('c2', '2026-06-01T20:00:00', '2026-06-01T23:30:00', '2026-06-05T11:00:00'));
    expect(ada(ledger)).toMatchObject({ status: 'reapproval_required', onDutyMinutes: 180, correctionId: 'c1', pendingCorrectionIds: ['c2'] });
    expect(refused(() => labourSummary(deriveTimeEntries(NY, seeded(), ASOF), ledger, RULES, PROFILES, { settledOnly: true }))).toBe(
      'time_day_reapproval_required',
    );

    ledger.approve({ id: 'ap2', agency: 'State Fire', date: '2026-06-01', approvedBy: 'leader2', at: at('2026-06-05T12:00:00') });
    // 210 min at 40.00/h.
    expect(ada(ledger)).toMatchObject({
      status: 'approved',
      approvedBy: 'leader2',
      onDutyMinutes: 210,
      claimCents: 14000,
      correctionId: 'c2',
      pendingCorrectionIds: [],
    });
    expect(labourSummary(deriveTimeEntries(NY, seeded(), ASOF), ledger, RULES, PROFILES, { settledOnly: true }).rows.length).toBeGreaterThan(0);
  });

  it('refuses a correction approved by its own author, running backwards, outside its day or the incident, or overlapping itself', () => {
    const ledger = new TimeLedger(NY);
    expect(refused(() => ledger.correct(correction('x', '2026-06-01T20:00:00', '2026-06-01T21:00:00', '2026-06-05T09:00:00', 'clerk')))).toBe(
      'time_correction_self_approved',
    );
    expect(refused(() => ledger.correct(correction('x', '2026-06-01T21:00:00', '2026-06-01T20:00:00', '2026-06-05T09:00:00')))).toBe('time_entry_negative');
    expect(refused(() => ledger.correct(correction('x', '2026-06-01T20:00:00', '2026-06-02T01:00:00', '2026-06-05T09:00:00')))).toBe(
      'time_entry_outside_incident',
    );
    expect(refused(() => ledger.correct({ ...correction('x', '2026-05-31T20:00:00', '2026-05-31T21:00:00', '2026-06-05T09:00:00'), date: '2026-05-31' }))).toBe(
      'time_entry_outside_incident',
    );
    const twice = correction('x', '2026-06-01T20:00:00', '2026-06-01T22:00:00', '2026-06-05T09:00:00');
    twice.onDuty.push({ start: at('2026-06-01T21:00:00').getTime(), end: at('2026-06-01T23:00:00').getTime() });
    expect(refused(() => ledger.correct(twice))).toBe('time_entry_overlap');
  });
});

describe('bad input is refused, never summed', () => {
  it('refuses overlapping deployments of one responder', () => {
    const overlapping = [
      deployment('a', 'State Fire', '2026-06-01T08:00:00', '2026-06-01T12:00:00'),
      deployment('a', 'State Fire', '2026-06-01T11:00:00', '2026-06-01T15:00:00'),
    ];
    expect(refused(() => deriveTimeEntries(NY, overlapping, ASOF))).toBe('time_entry_overlap');
  });

  it('refuses a check-out before the check-in', () => {
    expect(refused(() => deriveTimeEntries(NY, [deployment('a', 'State Fire', '2026-06-01T12:00:00', '2026-06-01T08:00:00')], ASOF))).toBe(
      'time_entry_negative',
    );
  });

  it("refuses time outside the incident's dates", () => {
    expect(refused(() => deriveTimeEntries(NY, [deployment('a', 'State Fire', '2026-05-31T22:00:00', '2026-06-01T08:00:00')], ASOF))).toBe(
      'time_entry_outside_incident',
    );
    expect(refused(() => deriveTimeEntries(NY, [deployment('a', 'State Fire', '2026-06-10T20:00:00', '2026-06-11T02:00:00')], ASOF))).toBe(
      'time_entry_outside_incident',
    );
  });

  it('refuses an agency without rules, a position without a rate and a volunteer without a volunteer rate', () => {
    const ledger = new TimeLedger(NY);
    const one = (responderId: string, agency: string) =>
      deriveTimeEntries(NY, [deployment(responderId, agency, '2026-06-01T08:00:00', '2026-06-01T12:00:00')], ASOF);
    expect(refused(() => labourSummary(one('a', 'Unknown Agency'), ledger, RULES, PROFILES))).toBe('time_rate_missing');
    // County CERT has no rates for paid staff at all.
    expect(refused(() => labourSummary(one('a', 'County CERT'), ledger, RULES, PROFILES))).toBe('time_rate_missing');
    // State Fire has no volunteer rate.
    expect(refused(() => labourSummary(one('d', 'State Fire'), ledger, RULES, PROFILES))).toBe('time_rate_missing');
  });

  it("summarises one agency without being refused for another agency's missing rates", () => {
    const entries = deriveTimeEntries(
      NY,
      [
        deployment('a', 'Unknown Agency', '2026-06-01T08:00:00', '2026-06-01T12:00:00'),
        deployment('b', 'State Fire', '2026-06-02T08:00:00', '2026-06-02T12:00:00'),
      ],
      ASOF,
    );
    const summary = labourSummary(entries, new TimeLedger(NY), RULES, PROFILES, { agency: 'State Fire' });
    // Ben: 240 min at the default 30.00/h.
    expect(summary.totals).toEqual([
      { agency: 'State Fire', travelMinutes: 0, regularMinutes: 240, overtimeMinutes: 0, claimCents: 12000, donatedMinutes: 0, donatedCents: 0 },
    ]);
  });
});

describe('local dates with the offset kept per quarter hour', () => {
  it.each(['America/New_York', 'Europe/London', 'Asia/Kathmandu', 'Australia/Lord_Howe', 'Pacific/Chatham'])(
    'equal the runtime formatter every 7 minutes and 13 seconds through a year in %s',
    (timeZone) => {
      const reference = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
      const from = Date.parse('2026-01-01T00:00:00Z');
      for (let ms = from; ms < from + 366 * 86_400_000; ms += 433_000) {
        expect(localDate(new Date(ms), timeZone)).toBe(reference.format(new Date(ms)));
      }
    },
  );
});
