import {
  deriveTimeEntries,
  labourSummary,
  TimeLedger,
  TimeRecordError,
  type AgencyRules,
  type DeploymentTimeline,
  type IncidentCalendar,
  type LabourRow,
  type ResponderProfile,
} from './index';

// June 2026 in New York is EDT (UTC-4).
const NY: IncidentCalendar = { timeZone: 'America/New_York', startDate: '2026-06-01', endDate: '2026-06-10' };
const at = (local: string): Date => new Date(`${local}-04:00`);
const ASOF = at('2026-06-03T00:00:00');

// 8 h a day, 30 minutes unpaid meal after 6 h on duty.
const FIRE: AgencyRules = {
  agency: 'State Fire',
  dailyRegularMinutes: 480,
  weeklyRegularMinutes: 2400,
  weekStartsOn: 0,
  breaks: [{ kind: 'meal', afterMinutes: 360, minutes: 30, paid: false }],
  rates: [
    { position: 'Paramedic', regularCentsPerHour: 4000, overtimeCentsPerHour: 6000 },
    { position: null, regularCentsPerHour: 3000, overtimeCentsPerHour: 4500 },
  ],
  volunteerCentsPerHour: null,
};
const RULES = new Map([[FIRE.agency, FIRE]]);
const PROFILES = new Map<string, ResponderProfile>([
  ['night', { responderId: 'night', name: 'Nia Night', position: 'Paramedic', employment: 'employee' }],
  ['day', { responderId: 'day', name: 'Dan Day', position: 'Firefighter', employment: 'employee' }],
]);

function shift(responderId: string, from: string, to: string): DeploymentTimeline {
  const checkedInAt = at(from);
  return {
    deploymentId: `dep-${responderId}`,
    responderId,
    agency: FIRE.agency,
    checkedInAt,
    checkedOutAt: at(to),
    statusChanges: [{ at: checkedInAt, status: 'assigned', reason: null }],
  };
}

// The night shift straddles midnight (two partial days); the day shift is one day.
const DERIVED = deriveTimeEntries(
  NY,
  [shift('night', '2026-06-01T19:00:00', '2026-06-02T07:00:00'), shift('day', '2026-06-01T07:00:00', '2026-06-01T19:00:00')],
  ASOF,
);
const DAY_PERIOD = { id: 'op-1', start: at('2026-06-01T07:00:00').getTime(), end: at('2026-06-01T19:00:00').getTime() };
const NIGHT_PERIOD = { id: 'op-2', start: at('2026-06-01T19:00:00').getTime(), end: at('2026-06-02T07:00:00').getTime() };

const approvePeriod = (ledger: TimeLedger, period: typeof NIGHT_PERIOD, when: string, approvedBy = 'leader') =>
  ledger.approvePeriod({
    id: `${period.id}@${when}`,
    agency: FIRE.agency,
    periodId: period.id,
    start: period.start,
    end: period.end,
    approvedBy,
    at: at(when),
  });

const summary = (ledger: TimeLedger, settledOnly = false) => labourSummary(DERIVED, ledger, RULES, PROFILES, { agency: FIRE.agency, settledOnly });
const row = (rows: readonly LabourRow[], responderId: string, date: string): LabourRow => {
  const r = rows.find((x) => x.responderId === responderId && x.date === date);
  if (!r) throw new Error(`no row ${responderId} ${date}`);
  return r;
};

function refused(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof TimeRecordError) return err.code;
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('approval by operational period', () => {
  it("approves both partial days of a night shift with the night period, not a day-shift responder's day", () => {
    const ledger = new TimeLedger(NY);
    approvePeriod(ledger, NIGHT_PERIOD, '2026-06-02T08:00:00');
    const { rows } = summary(ledger);
    // Night: 19:00-24:00 is 300 min (no meal, 300 is not over 360), 40.00 an hour = 200.00;
    // 00:00-07:00 is 420 min less the 30-minute meal = 390 worked, 260.00.
    expect(row(rows, 'night', '2026-06-01')).toMatchObject({
      onDutyMinutes: 300,
      regularMinutes: 300,
      claimCents: 20000,
      status: 'approved',
      approvedBy: 'leader',
    });
    expect(row(rows, 'night', '2026-06-02')).toMatchObject({
      onDutyMinutes: 420,
      regularMinutes: 390,
      claimCents: 26000,
      status: 'approved',
      approvedBy: 'leader',
    });
    // Day: 07:00-19:00 is 720 min less 30 = 690 worked: 480 regular (240.00) and 210 overtime (157.50) = 397.50, open.
    expect(row(rows, 'day', '2026-06-01')).toMatchObject({ regularMinutes: 480, overtimeMinutes: 210, claimCents: 39750, status: 'open', approvedBy: null });
  });

  it('keeps a correction recorded after the period approval pending until the period is approved again', () => {
    const ledger = new TimeLedger(NY);
    approvePeriod(ledger, NIGHT_PERIOD, '2026-06-02T08:00:00');
    // 00:00-06:00: 360 minutes, no meal (360 is not over 360): 360 worked, 240.00.
    ledger.correct({
      id: 'c1',
      responderId: 'night',
      agency: FIRE.agency,
      date: '2026-06-02',
      onDuty: [{ start: at('2026-06-02T00:00:00').getTime(), end: at('2026-06-02T06:00:00').getTime() }],
      reason: 'left at 06:00',
      author: 'clerk',
      approver: 'leader',
      at: at('2026-06-02T09:00:00'),
    });
    const waiting = summary(ledger).rows;
    expect(row(waiting, 'night', '2026-06-02')).toMatchObject({
      regularMinutes: 390,
      claimCents: 26000,
      status: 'reapproval_required',
      pendingCorrectionIds: ['c1'],
      correctionId: null,
    });
    expect(row(waiting, 'night', '2026-06-01').status).toBe('approved');
    expect(refused(() => summary(ledger, true))).toBe('time_day_reapproval_required');
    const effective = ledger.effective(DERIVED);
    expect(ledger.periodChanged(FIRE.agency, NIGHT_PERIOD, effective)).toBe(true);
    // The day period was never approved; the correction does not touch it either.
    expect(ledger.periodChanged(FIRE.agency, DAY_PERIOD, effective)).toBe(true);
    expect(ledger.periodApprovalOf(FIRE.agency, DAY_PERIOD.id)).toBeNull();

    // Approving another period does not release it; approving the night period again does.
    approvePeriod(ledger, DAY_PERIOD, '2026-06-02T09:30:00');
    expect(row(summary(ledger).rows, 'night', '2026-06-02').status).toBe('reapproval_required');
    approvePeriod(ledger, NIGHT_PERIOD, '2026-06-02T10:00:00', 'chief');
    const after = summary(ledger, true).rows;
    expect(row(after, 'night', '2026-06-02')).toMatchObject({
      onDutyMinutes: 360,
      regularMinutes: 360,
      claimCents: 24000,
      status: 'approved',
      approvedBy: 'chief',
      correctionId: 'c1',
      pendingCorrectionIds: [],
    });
    expect(ledger.periodChanged(FIRE.agency, NIGHT_PERIOD, ledger.effective(DERIVED))).toBe(false);
  });

  it('a correction of a day approved by its periods is released by approving the day again', () => {
    const ledger = new TimeLedger(NY);
    approvePeriod(ledger, NIGHT_PERIOD, '2026-06-02T08:00:00');
    ledger.correct({
      id: 'c2',
      responderId: 'night',
      agency: FIRE.agency,
      date: '2026-06-01',
      onDuty: [{ start: at('2026-06-01T20:00:00').getTime(), end: at('2026-06-02T00:00:00').getTime() }],
      reason: 'arrived at 20:00',
      author: 'clerk',
      approver: 'leader',
      at: at('2026-06-02T09:00:00'),
    });
    expect(row(summary(ledger).rows, 'night', '2026-06-01').status).toBe('reapproval_required');
    ledger.approve({ id: 'd1', agency: FIRE.agency, date: '2026-06-01', approvedBy: 'chief', at: at('2026-06-02T10:00:00') });
    // 240 minutes at 40.00 = 160.00, approved by the day.
    expect(row(summary(ledger).rows, 'night', '2026-06-01')).toMatchObject({
      regularMinutes: 240,
      claimCents: 16000,
      status: 'approved',
      approvedBy: 'chief',
      correctionId: 'c2',
    });
  });

  it('a correction moving time outside the approved periods waits for the day; a period it did not touch stays unchanged', () => {
    const ledger = new TimeLedger(NY);
    approvePeriod(ledger, DAY_PERIOD, '2026-06-01T19:30:00');
    approvePeriod(ledger, NIGHT_PERIOD, '2026-06-02T08:00:00');
    // The day shift corrected to 05:00-13:00: 05:00-07:00 lies in no period of the incident.
    ledger.correct({
      id: 'c3',
      responderId: 'day',
      agency: FIRE.agency,
      date: '2026-06-01',
      onDuty: [{ start: at('2026-06-01T05:00:00').getTime(), end: at('2026-06-01T13:00:00').getTime() }],
      reason: 'came in early',
      author: 'clerk',
      approver: 'leader',
      at: at('2026-06-02T09:00:00'),
    });
    const effective = ledger.effective(DERIVED);
    expect(ledger.periodChanged(FIRE.agency, DAY_PERIOD, effective)).toBe(true);
    expect(ledger.periodChanged(FIRE.agency, NIGHT_PERIOD, effective)).toBe(false);
    approvePeriod(ledger, DAY_PERIOD, '2026-06-02T10:00:00');
    expect(row(summary(ledger).rows, 'day', '2026-06-01')).toMatchObject({ status: 'reapproval_required', pendingCorrectionIds: ['c3'] });
    // Approving the day brings it in: 480 on duty - 30 meal = 450 regular at 30.00 = 225.00.
    ledger.approve({ id: 'd1', agency: FIRE.agency, date: '2026-06-01', approvedBy: 'chief', at: at('2026-06-02T11:00:00') });
    expect(row(summary(ledger).rows, 'day', '2026-06-01')).toMatchObject({ regularMinutes: 450, claimCents: 22500, status: 'approved', correctionId: 'c3' });
  });

  it('mixes day and period approvals; certification needs every responder day approved by either', () => {
    const ledger = new TimeLedger(NY);
    approvePeriod(ledger, NIGHT_PERIOD, '2026-06-02T08:00:00');
    // The night period leaves the day shift open: not every row is approved.
    expect(
      summary(ledger, true)
        .rows.filter((r) => r.status !== 'approved')
        .map((r) => `${r.responderId} ${r.date}`),
    ).toEqual(['day 2026-06-01']);
    // Approving 2026-06-01 by day approves the day shift; the night shift's 2026-06-02 stays approved by the period.
    ledger.approve({ id: 'd1', agency: FIRE.agency, date: '2026-06-01', approvedBy: 'chief', at: at('2026-06-02T08:30:00') });
    const { rows, totals } = summary(ledger, true);
    expect(rows.map((r) => [r.responderId, r.date, r.status, r.approvedBy])).toEqual([
      ['day', '2026-06-01', 'approved', 'chief'],
      ['night', '2026-06-01', 'approved', 'chief'],
      ['night', '2026-06-02', 'approved', 'leader'],
    ]);
    // 397.50 + 200.00 + 260.00 = 857.50; regular 480 + 300 + 390 = 1170, overtime 210.
    expect(totals).toEqual([expect.objectContaining({ regularMinutes: 1170, overtimeMinutes: 210, claimCents: 85750 })]);
  });

  it('the day and night periods together approve both responders; an agency without period approvals keeps per-day status', () => {
    const ledger = new TimeLedger(NY);
    approvePeriod(ledger, DAY_PERIOD, '2026-06-01T19:30:00');
    approvePeriod(ledger, NIGHT_PERIOD, '2026-06-02T08:00:00');
    expect(summary(ledger).rows.every((r) => r.status === 'approved')).toBe(true);
    expect(ledger.hasPeriodApprovals(FIRE.agency)).toBe(true);
    expect(ledger.hasPeriodApprovals('County CERT')).toBe(false);
  });
});
