import { AuditRecomputation, recomputeFromAudit, type AuditedEntry } from './audit-recompute';

const actor = { kind: 'user', userId: 'u1' };
const entry = (seq: number, action: string, occurredAt: string, payload: Record<string, unknown>, targetId: string | null = null): AuditedEntry => ({
  seq,
  occurredAt,
  actor,
  action,
  targetId,
  payload,
});
const RULES = {
  agency: 'A',
  dailyRegularMinutes: 480,
  weeklyRegularMinutes: null,
  weekStartsOn: 0,
  breaks: [],
  rates: [{ position: null, regularCentsPerHour: 6000, overtimeCentsPerHour: 9000 }],
  volunteerCentsPerHour: null,
};

/** One deployment of 10 h on 2026-06-01 (UTC) at agency A: 480 regular + 120 overtime = 480.00 + 180.00. */
function chain(): AuditedEntry[] {
  return [
    entry(1, 'incident.created', '2026-06-01T00:00:00Z', { timeZone: 'UTC' }),
    entry(2, 'checkin.admitted', '2026-06-01T08:00:00Z', { deploymentId: 'd1', responderId: 'r1' }, 'd1'),
    entry(3, 'deployment.checked_out', '2026-06-01T18:00:00Z', { checkedOutAt: '2026-06-01T18:00:00Z' }, 'd1'),
    entry(4, 'time.rules_set', '2026-06-01T19:00:00Z', RULES, 'A'),
    entry(5, 'time.day_approved', '2026-06-02T09:00:00Z', {
      agency: 'A',
      date: '2026-06-01',
      deployments: [{ deploymentId: 'd1', responderId: 'r1', position: null }],
    }),
  ];
}

describe('recomputing from audit entries fed one at a time', () => {
  it('recomputes the approved days of an agency not certified from the facts its approvals recorded', () => {
    const r = new AuditRecomputation();
    for (const e of chain()) r.add(e);
    expect(r.results()).toEqual([]);
    expect(r.provisional(new Date('2026-06-03T00:00:00Z'))).toEqual([
      {
        agency: 'A',
        asOf: '2026-06-03T00:00:00.000Z',
        approvedDates: ['2026-06-01'],
        reapprovalDates: [],
        totals: { agency: 'A', travelMinutes: 0, regularMinutes: 480, overtimeMinutes: 120, claimCents: 66000, donatedMinutes: 0, donatedCents: 0 },
      },
    ]);
  });

  it('certifies as of the certification and leaves certified agencies out of the provisional ones', () => {
    const entries = [
      ...chain(),
      entry(6, 'time.package_certified', '2026-06-02T10:00:00Z', {
        agency: 'A',
        totals: { regularMinutes: 480, overtimeMinutes: 120, claimCents: 66000, donatedMinutes: 0, donatedCents: 0 },
        deployments: [{ deploymentId: 'd1', responderId: 'r1', position: null }],
      }),
    ];
    const r = new AuditRecomputation();
    for (const e of entries) r.add(e);
    expect(r.results()).toMatchObject([{ agency: 'A', matches: true }]);
    expect(r.provisional()).toEqual([]);
    // The function form sorts by seq first.
    expect(recomputeFromAudit([...entries].reverse())).toMatchObject([{ agency: 'A', matches: true }]);
  });

  it('replays travel: the departure at check-in and its ICS 211 correction, the ICS 221 ETA home', () => {
    // Departure 05:00 (corrected to 06:00), check-in 08:00, out 18:00, ETA home 19:30 (UTC): 120 + 600 + 90 = 810 worked,
    // 480 regular and 330 overtime: 480.00 + 495.00.
    const entries = [
      entry(1, 'incident.created', '2026-06-01T00:00:00Z', { timeZone: 'UTC' }),
      entry(2, 'checkin.admitted', '2026-06-01T08:00:00Z', { deploymentId: 'd1', responderId: 'r1', departureAt: '2026-06-01T05:00:00Z' }, 'd1'),
      entry(3, 'ics211.edited', '2026-06-01T09:00:00Z', { fields: ['departureAt'], before: {}, after: { departureAt: '2026-06-01T06:00' } }, 'd1'),
      entry(4, 'demob.travel_recorded', '2026-06-01T17:00:00Z', { responderId: 'r1', method: 'POV', etaHome: '2026-06-01T19:30:00.000Z' }, 'd1'),
      entry(5, 'deployment.checked_out', '2026-06-01T18:00:00Z', { checkedOutAt: '2026-06-01T18:00:00Z' }, 'd1'),
      entry(6, 'time.rules_set', '2026-06-01T19:00:00Z', RULES, 'A'),
      entry(7, 'time.day_approved', '2026-06-02T09:00:00Z', {
        agency: 'A',
        date: '2026-06-01',
        deployments: [{ deploymentId: 'd1', responderId: 'r1', position: null }],
      }),
      entry(8, 'time.package_certified', '2026-06-02T10:00:00Z', {
        agency: 'A',
        totals: { travelMinutes: 210, regularMinutes: 480, overtimeMinutes: 330, claimCents: 97500, donatedMinutes: 0, donatedCents: 0 },
        deployments: [{ deploymentId: 'd1', responderId: 'r1', position: null }],
      }),
    ];
    expect(recomputeFromAudit(entries)).toMatchObject([
      { agency: 'A', matches: true, totals: { travelMinutes: 210, regularMinutes: 480, overtimeMinutes: 330, claimCents: 97500 } },
    ]);
  });

  it('replays period approvals: a night period approves both partial days, a later correction waits for its re-approval', () => {
    // Night shift 19:00-07:00 (UTC) at agency A: 300 minutes on 2026-06-01 (300.00) and 420 on 2026-06-02 (420.00).
    const facts = [{ deploymentId: 'd1', responderId: 'r1', position: null }];
    const night = {
      agency: 'A',
      periodId: 'p2',
      label: 'Night 1',
      startsAt: '2026-06-01T19:00:00.000Z',
      endsAt: '2026-06-02T07:00:00.000Z',
      deployments: facts,
    };
    const r = new AuditRecomputation();
    for (const e of [
      entry(1, 'incident.created', '2026-06-01T00:00:00Z', { timeZone: 'UTC' }),
      entry(2, 'checkin.admitted', '2026-06-01T19:00:00Z', { deploymentId: 'd1', responderId: 'r1' }, 'd1'),
      entry(3, 'deployment.checked_out', '2026-06-02T07:00:00Z', { checkedOutAt: '2026-06-02T07:00:00Z' }, 'd1'),
      entry(4, 'time.rules_set', '2026-06-02T07:30:00Z', RULES, 'A'),
      entry(5, 'time.period_approved', '2026-06-02T08:00:00Z', night),
    ])
      r.add(e);
    const asOf = new Date('2026-06-03T00:00:00Z');
    expect(r.provisional(asOf)).toMatchObject([
      { agency: 'A', approvedDates: ['2026-06-01', '2026-06-02'], reapprovalDates: [], totals: { regularMinutes: 720, overtimeMinutes: 0, claimCents: 72000 } },
    ]);
    // Corrected to 00:00-06:00 after the approval: 2026-06-02 waits, only 2026-06-01 counts.
    r.add({
      ...entry(
        6,
        'time.correction_recorded',
        '2026-06-02T08:30:00Z',
        {
          responderId: 'r1',
          agency: 'A',
          date: '2026-06-02',
          onDuty: [{ start: '2026-06-02T00:00:00Z', end: '2026-06-02T06:00:00Z' }],
          reason: 'left at 06:00',
        },
        'c1',
      ),
      actor: { kind: 'user', userId: 'u2' },
    });
    r.add(entry(7, 'time.correction_approved', '2026-06-02T09:00:00Z', { responderId: 'r1', agency: 'A', date: '2026-06-02' }, 'c1'));
    expect(r.provisional(asOf)).toMatchObject([
      { approvedDates: ['2026-06-01'], reapprovalDates: ['2026-06-02'], totals: { regularMinutes: 300, claimCents: 30000 } },
    ]);
    // Approved again: 300 + 360 minutes, 660.00, and the certification recomputes equal.
    r.add(entry(8, 'time.period_reapproved', '2026-06-02T10:00:00Z', night));
    expect(r.provisional(asOf)).toMatchObject([
      { approvedDates: ['2026-06-01', '2026-06-02'], reapprovalDates: [], totals: { regularMinutes: 660, claimCents: 66000 } },
    ]);
    r.add(
      entry(9, 'time.package_certified', '2026-06-02T11:00:00Z', {
        agency: 'A',
        totals: { regularMinutes: 660, overtimeMinutes: 0, claimCents: 66000, donatedMinutes: 0, donatedCents: 0 },
        deployments: facts,
      }),
    );
    expect(r.results()).toMatchObject([{ agency: 'A', matches: true, totals: { regularMinutes: 660, claimCents: 66000 } }]);
  });

  it('refuses entries out of chain order (a reordered or repeated line)', () => {
    const r = new AuditRecomputation();
    const [first, second] = chain();
    r.add(first);
    r.add(second);
    expect(() => r.add(second)).toThrow(/out of chain order/);
  });
});
