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
        totals: { agency: 'A', regularMinutes: 480, overtimeMinutes: 120, claimCents: 66000, donatedMinutes: 0, donatedCents: 0 },
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

  it('certifies an agency larger than one batch of responders, with a responder who has only a correction', () => {
    // 205 responders of 10 h each (480 + 120 min, 480.00 + 180.00 = 660.00), and r-x with no deployment but an
    // approved correction of 4 h (240 min regular, 240.00): 98,640 regular and 24,600 overtime minutes, 135,540.00.
    const entries: AuditedEntry[] = [entry(1, 'incident.created', '2026-06-01T00:00:00Z', { timeZone: 'UTC' })];
    const facts: Array<{ deploymentId: string; responderId: string; position: null }> = [];
    for (let n = 0; n < 205; n++) {
      const id = `d${n}`;
      facts.push({ deploymentId: id, responderId: `r${n}`, position: null });
      entries.push(entry(entries.length + 1, 'checkin.admitted', '2026-06-01T08:00:00Z', { deploymentId: id, responderId: `r${n}` }, id));
      entries.push(entry(entries.length + 1, 'deployment.checked_out', '2026-06-01T18:00:00Z', { checkedOutAt: '2026-06-01T18:00:00Z' }, id));
    }
    const onDuty = [{ start: '2026-06-01T09:00:00Z', end: '2026-06-01T13:00:00Z' }];
    entries.push(entry(entries.length + 1, 'time.rules_set', '2026-06-01T19:00:00Z', RULES, 'A'));
    entries.push(
      entry(
        entries.length + 1,
        'time.correction_recorded',
        '2026-06-01T20:00:00Z',
        { responderId: 'r-x', agency: 'A', date: '2026-06-01', onDuty, reason: 'paper log' },
        'c1',
      ),
    );
    entries.push({ ...entry(entries.length + 1, 'time.correction_approved', '2026-06-01T21:00:00Z', {}, 'c1'), actor: { kind: 'user', userId: 'u2' } });
    entries.push(entry(entries.length + 1, 'time.day_approved', '2026-06-02T09:00:00Z', { agency: 'A', date: '2026-06-01', deployments: facts }));
    const totals = { agency: 'A', regularMinutes: 98_640, overtimeMinutes: 24_600, claimCents: 13_554_000, donatedMinutes: 0, donatedCents: 0 };
    const r = new AuditRecomputation();
    for (const e of entries) r.add(e);
    // The whole agency at once (the approved days, before certification) gives the same totals.
    expect(r.provisional(new Date('2026-06-02T10:00:00Z'))).toMatchObject([{ agency: 'A', totals }]);
    r.add(entry(entries.length + 1, 'time.package_certified', '2026-06-02T10:00:00Z', { agency: 'A', totals, deployments: facts }));
    expect(r.results()).toEqual([{ agency: 'A', certifiedAt: '2026-06-02T10:00:00Z', totals, certified: totals, matches: true }]);
  });

  it('refuses entries out of chain order (a reordered or repeated line)', () => {
    const r = new AuditRecomputation();
    const [first, second] = chain();
    r.add(first);
    r.add(second);
    expect(() => r.add(second)).toThrow(/out of chain order/);
  });
});
