import {
  deriveTimeEntries,
  labourSummary,
  labourSummaryCsv,
  minutesOf,
  recordedInstantMs,
  TimeLedger,
  TimeRecordError,
  travelLegs,
  type AgencyRules,
  type DeploymentTimeline,
  type IncidentCalendar,
  type ResponderProfile,
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
  rates: [{ position: null, regularCentsPerHour: 3000, overtimeCentsPerHour: 4500 }],
  volunteerCentsPerHour: null,
};
const CERT: AgencyRules = { ...FIRE, agency: 'County CERT', rates: [], volunteerCentsPerHour: 3180 };
const RULES = new Map([
  [FIRE.agency, FIRE],
  [CERT.agency, CERT],
]);
const PROFILES = new Map<string, ResponderProfile>([
  ['b', { responderId: 'b', name: 'Ben Firefighter', position: 'Firefighter', employment: 'employee' }],
  ['d', { responderId: 'd', name: 'Dee Volunteer', position: 'Shelter aide', employment: 'volunteer' }],
]);

let seq = 0;
function deployment(
  responderId: string,
  agency: string,
  from: string,
  to: string | null,
  travel: { departure?: string; etaHome?: string } = {},
  offDuty: [string, string] | null = null,
): DeploymentTimeline {
  const checkedInAt = at(from);
  const checkedOutAt = to === null ? null : at(to);
  return {
    deploymentId: `dep-${++seq}`,
    responderId,
    agency,
    checkedInAt,
    checkedOutAt,
    statusChanges: [
      { at: checkedInAt, status: 'assigned', reason: null },
      ...(offDuty
        ? [
            { at: at(offDuty[0]), status: 'out_of_service' as const, reason: 'maintenance' },
            { at: at(offDuty[1]), status: 'available' as const, reason: null },
          ]
        : []),
    ],
    travelTo: travel.departure ? { start: at(travel.departure), end: checkedInAt } : null,
    travelHome: travel.etaHome && checkedOutAt ? { start: checkedOutAt, end: at(travel.etaHome) } : null,
  };
}

function refusal(fn: () => unknown): TimeRecordError {
  try {
    fn();
  } catch (err) {
    if (err instanceof TimeRecordError) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('travel to and from the incident (hand-computed)', () => {
  // Ben departs Monday 05:00, checks in 09:00, is out of service (not for rest) 14:00 to Tuesday 07:00, checks out
  // Tuesday 17:00 and is expected home at 21:00.
  const ben = deployment(
    'b',
    'State Fire',
    '2026-06-01T09:00:00',
    '2026-06-02T17:00:00',
    { departure: '2026-06-01T05:00:00', etaHome: '2026-06-02T21:00:00' },
    ['2026-06-01T14:00:00', '2026-06-02T07:00:00'],
  );
  const derived = deriveTimeEntries(NY, [ben], ASOF);
  const summary = labourSummary(derived, new TimeLedger(NY), RULES, PROFILES);
  const row = (date: string) => summary.rows.find((r) => r.date === date)!;

  it('keeps travel apart from on-duty time, per local day', () => {
    expect(derived.map((e) => [e.date, minutesOf(e.onDuty), minutesOf(e.travel)])).toEqual([
      ['2026-06-01', 300, 240],
      ['2026-06-02', 600, 240],
    ]);
  });

  it('counts travel as worked time toward overtime, the break rules looking at on-duty minutes only', () => {
    // Monday: 300 on duty (not over the 6 h meal threshold, though 540 with travel) + 240 travel = 540 worked:
    // 480 regular + 60 overtime = 240.00 + 45.00.
    expect(row('2026-06-01')).toMatchObject({
      onDutyMinutes: 300,
      travelMinutes: 240,
      unpaidBreakMinutes: 0,
      regularMinutes: 480,
      overtimeMinutes: 60,
      claimCents: 28500,
    });
    // Tuesday: 600 on duty - 30 meal + 240 travel = 810 worked: 480 regular + 330 overtime = 240.00 + 247.50.
    // Without travel it would be 570: 480 regular + 90 overtime.
    expect(row('2026-06-02')).toMatchObject({
      onDutyMinutes: 600,
      travelMinutes: 240,
      unpaidBreakMinutes: 30,
      regularMinutes: 480,
      overtimeMinutes: 330,
      claimCents: 48750,
    });
    expect(summary.totals).toEqual([
      { agency: 'State Fire', travelMinutes: 480, regularMinutes: 960, overtimeMinutes: 390, claimCents: 77250, donatedMinutes: 0, donatedCents: 0 },
    ]);
  });

  it('writes travel_hours next to on_duty_hours, and the total travel on the TOTAL row', () => {
    const lines = labourSummaryCsv(summary).split('\r\n');
    expect(lines[0].split(',').slice(6, 9)).toEqual(['on_duty_hours', 'travel_hours', 'unpaid_break_hours']);
    expect(lines).toContain(
      'State Fire,b,Ben Firefighter,Firefighter,employee,2026-06-02,10.00,4.00,0.50,8.00,5.50,8.00,5.50,30.00,45.00,487.50,0.00,0.00,open,,,',
    );
    expect(lines).toContain('State Fire,,TOTAL,,,,,8.00,,16.00,6.50,,,,,772.50,0.00,0.00,,,,');
  });

  it("splits travel home at local midnight and counts a volunteer's travel as donated time", () => {
    // Out 22:00, home 01:30: 120 minutes on Wednesday, 90 on Thursday.
    const dee = deployment('d', 'County CERT', '2026-06-03T18:00:00', '2026-06-03T22:00:00', { etaHome: '2026-06-04T01:30:00' });
    const rows = labourSummary(deriveTimeEntries(NY, [dee], ASOF), new TimeLedger(NY), RULES, PROFILES).rows;
    // 240 on duty + 120 travel = 360 worked = 6 h x 31.80; then 90 min = 1.5 h x 31.80.
    expect(rows.map((r) => [r.date, r.onDutyMinutes, r.travelMinutes, r.donatedMinutes, r.donatedCents, r.claimCents])).toEqual([
      ['2026-06-03', 240, 120, 360, 19080, 0],
      ['2026-06-04', 0, 90, 90, 4770, 0],
    ]);
  });

  it("accepts travel before the incident's first date (pre-positioning)", () => {
    const later: IncidentCalendar = { ...NY, startDate: '2026-06-02' };
    const d = deployment('b', 'State Fire', '2026-06-02T08:00:00', '2026-06-02T12:00:00', { departure: '2026-06-01T20:00:00' });
    expect(deriveTimeEntries(later, [d], ASOF).map((e) => [e.date, minutesOf(e.onDuty), minutesOf(e.travel)])).toEqual([
      ['2026-06-01', 0, 240],
      ['2026-06-02', 240, 480],
    ]);
  });

  it('counts travel home only up to the moment of the summary', () => {
    const d = deployment('b', 'State Fire', '2026-06-03T08:00:00', '2026-06-03T16:00:00', { etaHome: '2026-06-03T20:00:00' });
    const entries = deriveTimeEntries(NY, [d], at('2026-06-03T18:15:00'));
    expect(entries.map((e) => minutesOf(e.travel))).toEqual([135]);
  });

  it('keeps the recorded travel on a day whose on-duty time was corrected', () => {
    const ledger = new TimeLedger(NY);
    ledger.correct({
      id: 'c1',
      responderId: 'b',
      agency: 'State Fire',
      date: '2026-06-01',
      onDuty: [{ start: at('2026-06-01T09:00:00').getTime(), end: at('2026-06-01T15:00:00').getTime() }],
      reason: 'left at 15:00',
      author: 'u1',
      approver: 'u2',
      at: at('2026-06-05T09:00:00'),
    });
    // 360 on duty (the meal applies only beyond 360) + 240 travel = 600: 480 regular + 120 overtime.
    expect(labourSummary(derived, ledger, RULES, PROFILES).rows[0]).toMatchObject({
      onDutyMinutes: 360,
      travelMinutes: 240,
      regularMinutes: 480,
      overtimeMinutes: 120,
      correctionId: 'c1',
    });
  });
});

describe('travel that cannot be right is refused', () => {
  it("refuses a correction whose on-duty time overlaps the day's travel (the same minutes twice)", () => {
    const d = deployment('b', 'State Fire', '2026-06-03T09:00:00', '2026-06-03T17:00:00', { departure: '2026-06-03T05:00:00' });
    const ledger = new TimeLedger(NY);
    ledger.correct({
      id: 'c2',
      responderId: 'b',
      agency: 'State Fire',
      date: '2026-06-03',
      onDuty: [{ start: at('2026-06-03T08:00:00').getTime(), end: at('2026-06-03T17:00:00').getTime() }],
      reason: 'arrived at 08:00',
      author: 'u1',
      approver: 'u2',
      at: at('2026-06-04T09:00:00'),
    });
    expect(refusal(() => labourSummary(deriveTimeEntries(NY, [d], ASOF), ledger, RULES, PROFILES)).code).toBe('time_entry_overlap');
  });

  it('refuses a leg that runs backwards', () => {
    const departsAfterCheckIn = deployment('b', 'State Fire', '2026-06-03T08:00:00', '2026-06-03T16:00:00', { departure: '2026-06-03T09:00:00' });
    expect(refusal(() => deriveTimeEntries(NY, [departsAfterCheckIn], ASOF)).code).toBe('time_entry_negative');
    const homeBeforeCheckOut = deployment('b', 'State Fire', '2026-06-03T08:00:00', '2026-06-03T16:00:00', { etaHome: '2026-06-03T15:00:00' });
    expect(refusal(() => deriveTimeEntries(NY, [homeBeforeCheckOut], ASOF)).code).toBe('time_entry_negative');
  });

  it('refuses a leg of more than 72 hours, naming the responder, and accepts one of exactly 72', () => {
    const long = deployment('b', 'State Fire', '2026-06-05T08:00:00', '2026-06-05T16:00:00', { departure: '2026-06-02T07:00:00' });
    const err = refusal(() => deriveTimeEntries(NY, [long], ASOF));
    expect(err.code).toBe('time_travel_implausible');
    expect(err.details.responderId).toBe('b');
    expect(err.message).toContain('b');
    const longest = deployment('b', 'State Fire', '2026-06-05T08:00:00', '2026-06-05T16:00:00', { departure: '2026-06-02T08:00:00' });
    const travel = deriveTimeEntries(NY, [longest], ASOF).reduce((s, e) => s + minutesOf(e.travel), 0);
    expect(travel).toBe(72 * 60);
  });

  it("refuses travel home ending after the incident's last day", () => {
    const d = deployment('b', 'State Fire', '2026-06-10T08:00:00', '2026-06-10T20:00:00', { etaHome: '2026-06-11T02:00:00' });
    expect(refusal(() => deriveTimeEntries(NY, [d], at('2026-06-12T00:00:00'))).code).toBe('time_entry_outside_incident');
  });

  it('refuses travel overlapping another deployment of the same responder', () => {
    // Checked out 17:00, home at 21:00, but checked in elsewhere at 19:00.
    const first = deployment('b', 'State Fire', '2026-06-03T08:00:00', '2026-06-03T17:00:00', { etaHome: '2026-06-03T21:00:00' });
    const second = deployment('b', 'County CERT', '2026-06-03T19:00:00', '2026-06-03T23:00:00');
    expect(refusal(() => deriveTimeEntries(NY, [first, second], ASOF)).code).toBe('time_entry_overlap');
    // Departing for the second before the first ended.
    const third = deployment('b', 'County CERT', '2026-06-04T10:00:00', '2026-06-04T12:00:00', { departure: '2026-06-03T16:00:00' });
    expect(refusal(() => deriveTimeEntries(NY, [{ ...first, travelHome: null }, third], ASOF)).code).toBe('time_entry_overlap');
    // Back to back is not an overlap.
    const fourth = deployment('b', 'County CERT', '2026-06-03T23:00:00', '2026-06-04T02:00:00', { departure: '2026-06-03T21:00:00' });
    expect(deriveTimeEntries(NY, [first, fourth], ASOF)).toHaveLength(3);
  });
});

describe('reading the recorded departure', () => {
  it('takes an offset as given and reads a time without one in the incident zone', () => {
    expect(new Date(recordedInstantMs('2026-06-01T05:00:00Z', 'America/New_York')).toISOString()).toBe('2026-06-01T05:00:00.000Z');
    expect(new Date(recordedInstantMs('2026-06-01T05:00:00+02:00', 'America/New_York')).toISOString()).toBe('2026-06-01T03:00:00.000Z');
    expect(new Date(recordedInstantMs('2026-06-01T05:00', 'America/New_York')).toISOString()).toBe('2026-06-01T09:00:00.000Z');
    // 2026-03-08 03:30 New York is just after the spring-forward change: EDT.
    expect(new Date(recordedInstantMs('2026-03-08T03:30', 'America/New_York')).toISOString()).toBe('2026-03-08T07:30:00.000Z');
    expect(new Date(recordedInstantMs('2026-03-08T01:30', 'America/New_York')).toISOString()).toBe('2026-03-08T06:30:00.000Z');
    expect(recordedInstantMs('tomorrow', 'UTC')).toBeNaN();
  });

  it('makes travel legs from the recorded facts: travel home only once checked out', () => {
    const checkedInAt = new Date('2026-06-01T13:00:00Z');
    const legs = travelLegs(
      { checkedInAt, checkedOutAt: null, departureAt: '2026-06-01T05:00', etaHome: new Date('2026-06-02T01:00:00Z') },
      'America/New_York',
    );
    expect(legs.travelTo).toEqual({ start: new Date('2026-06-01T09:00:00Z'), end: checkedInAt });
    expect(legs.travelHome).toBeNull();
    const unreadable = { ...NY, startDate: '2026-06-01' };
    const d: DeploymentTimeline = {
      deploymentId: 'x',
      responderId: 'b',
      agency: 'State Fire',
      checkedInAt,
      checkedOutAt: null,
      statusChanges: [],
      ...travelLegs({ checkedInAt, checkedOutAt: null, departureAt: 'soon', etaHome: null }, NY.timeZone),
    };
    expect(refusal(() => deriveTimeEntries(unreadable, [d], ASOF)).code).toBe('time_travel_implausible');
  });
});
