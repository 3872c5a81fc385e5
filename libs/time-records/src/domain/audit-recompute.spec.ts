import {
  ACTOR_ACTIONS,
  AuditRecomputation,
  joinShares,
  REPLAYED_ACTIONS,
  recomputeFromAudit,
  FACT_ACTIONS,
  shareOf,
  shareOfBytes,
  type AuditedEntry,
  type ShareResults,
} from './audit-recompute';

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

/**
 * 205 responders of agency A checked in 08:00-18:00 (UTC) on 2026-06-01, those for whom `departureAt(n)` gives a time
 * having travelled from it; agency A's rules; r-x with no deployment but an approved correction 09:00-13:00. More
 * responders than one batch of a certified package.
 */
function largeAgency(departureAt: (n: number) => string | undefined = () => undefined): {
  entries: AuditedEntry[];
  facts: Array<{ deploymentId: string; responderId: string; position: null }>;
} {
  const entries: AuditedEntry[] = [entry(1, 'incident.created', '2026-06-01T00:00:00Z', { timeZone: 'UTC' })];
  const facts: Array<{ deploymentId: string; responderId: string; position: null }> = [];
  for (let n = 0; n < 205; n++) {
    const id = `d${n}`;
    const departure = departureAt(n);
    facts.push({ deploymentId: id, responderId: `r${n}`, position: null });
    const payload = departure === undefined ? { deploymentId: id, responderId: `r${n}` } : { deploymentId: id, responderId: `r${n}`, departureAt: departure };
    entries.push(entry(entries.length + 1, 'checkin.admitted', '2026-06-01T08:00:00Z', payload, id));
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
  return { entries, facts };
}

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

  it('keeps the first check-in of a deployment checked in twice', () => {
    const [created, checkIn, ...rest] = chain();
    const again = entry(2.5, 'checkin.admitted', '2026-06-01T12:00:00Z', { deploymentId: 'd1', responderId: 'r1' }, 'd1');
    const r = new AuditRecomputation();
    for (const e of [created, checkIn, again, ...rest]) r.add(e);
    // 08:00 to 18:00 as before: 480 regular and 120 overtime minutes, not the 6 h from the second check-in.
    expect(r.provisional(new Date('2026-06-03T00:00:00Z'))[0]?.totals).toMatchObject({ regularMinutes: 480, overtimeMinutes: 120 });
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
    const { entries, facts } = largeAgency();
    entries.push(entry(entries.length + 1, 'time.day_approved', '2026-06-02T09:00:00Z', { agency: 'A', date: '2026-06-01', deployments: facts }));
    const totals = {
      agency: 'A',
      travelMinutes: 0,
      regularMinutes: 98_640,
      overtimeMinutes: 24_600,
      claimCents: 13_554_000,
      donatedMinutes: 0,
      donatedCents: 0,
    };
    const r = new AuditRecomputation();
    for (const e of entries) r.add(e);
    // The whole agency at once (the approved days, before certification) gives the same totals.
    expect(r.provisional(new Date('2026-06-02T10:00:00Z'))).toMatchObject([{ agency: 'A', totals }]);
    r.add(entry(entries.length + 1, 'time.package_certified', '2026-06-02T10:00:00Z', { agency: 'A', totals, deployments: facts }));
    expect(r.results()).toEqual([{ agency: 'A', certifiedAt: '2026-06-02T10:00:00Z', totals, certified: totals, matches: true }]);
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

  it('certifies an agency approved by an operational period in batches of responders, equal to the whole agency', () => {
    // 205 responders 08:00-18:00 (UTC); the 103 with an even number left home at 07:00 (60 min travel: 660 worked,
    // 480 regular + 180 overtime, 480.00 + 270.00), the 102 others 600 worked (480 + 120, 660.00); r-x has only an
    // approved correction 09:00-13:00 (240 regular, 240.00). Period 06:00-20:00 approved: every day lies within it.
    // 6,180 travel, 98,640 regular, 30,780 overtime minutes; 103 x 750.00 + 102 x 660.00 + 240.00 = 144,810.00.
    const { entries, facts } = largeAgency((n) => (n % 2 === 0 ? '2026-06-01T07:00' : undefined));
    const period = {
      agency: 'A',
      periodId: 'p1',
      label: 'Day 1',
      startsAt: '2026-06-01T06:00:00.000Z',
      endsAt: '2026-06-01T20:00:00.000Z',
      deployments: facts,
    };
    entries.push(entry(entries.length + 1, 'time.period_approved', '2026-06-02T09:00:00Z', period));
    const totals = {
      agency: 'A',
      travelMinutes: 6_180,
      regularMinutes: 98_640,
      overtimeMinutes: 30_780,
      claimCents: 14_481_000,
      donatedMinutes: 0,
      donatedCents: 0,
    };
    const certification = (seq: number): AuditedEntry =>
      entry(seq, 'time.package_certified', '2026-06-02T10:00:00Z', { agency: 'A', totals, deployments: facts });
    const r = new AuditRecomputation();
    for (const e of entries) r.add(e);
    // The whole agency at once (every responder day approved by the period) gives the same totals.
    expect(r.provisional(new Date('2026-06-02T10:00:00Z'))).toMatchObject([{ agency: 'A', approvedDates: ['2026-06-01'], reapprovalDates: [], totals }]);
    r.add(certification(entries.length + 1));
    expect(r.results()).toEqual([{ agency: 'A', certifiedAt: '2026-06-02T10:00:00Z', totals, certified: totals, matches: true }]);

    // r204 (in the last batch) corrected after the period approval: the day waits, and the certification is refused.
    const waiting = new AuditRecomputation();
    for (const e of entries) waiting.add(e);
    let seq = entries.length;
    const onDuty = [{ start: '2026-06-01T08:00:00Z', end: '2026-06-01T17:00:00Z' }];
    waiting.add(
      entry(
        ++seq,
        'time.correction_recorded',
        '2026-06-02T09:10:00Z',
        { responderId: 'r204', agency: 'A', date: '2026-06-01', onDuty, reason: 'left at 17:00' },
        'c2',
      ),
    );
    waiting.add({ ...entry(++seq, 'time.correction_approved', '2026-06-02T09:20:00Z', {}, 'c2'), actor: { kind: 'user', userId: 'u2' } });
    expect(waiting.provisional(new Date('2026-06-02T10:00:00Z'))).toMatchObject([{ reapprovalDates: ['2026-06-01'] }]);
    expect(() => waiting.add(certification(++seq))).toThrow(expect.objectContaining({ code: 'time_day_reapproval_required' }));
  });

  it('reads every action its replay handles: the lists are the handler table', () => {
    const handled = [
      'incident.created',
      'incident.updated',
      'incident.closed',
      'checkin.admitted',
      'checkin.admitted_with_warnings',
      'ics211.edited',
      'demob.travel_recorded',
      'deployment.status_changed',
      'deployment.checked_out',
      'time.rules_set',
      'time.employment_set',
      'time.correction_recorded',
      'time.correction_approved',
      'time.day_approved',
      'time.day_reapproved',
      'time.period_approved',
      'time.period_reapproved',
      'time.package_certified',
    ];
    expect([...REPLAYED_ACTIONS].sort()).toEqual([...handled].sort());
    expect([...ACTOR_ACTIONS].sort()).toEqual([
      'time.correction_approved',
      'time.correction_recorded',
      'time.day_approved',
      'time.day_reapproved',
      'time.period_approved',
      'time.period_reapproved',
    ]);
    // An action outside the lists changes nothing: fed with an empty payload and no actor, it leaves no trace.
    const r = new AuditRecomputation();
    for (const e of chain()) r.add(e);
    const before = r.provisional(new Date('2026-06-02T10:00:00Z'));
    r.add({ ...entry(6, 'time.something_else', '2026-06-02T09:30:00Z', {}), actor: {} });
    expect(r.provisional(new Date('2026-06-02T10:00:00Z'))).toEqual(before);
  });

  it('refuses entries out of chain order (a reordered or repeated line)', () => {
    const r = new AuditRecomputation();
    const [first, second] = chain();
    r.add(first);
    r.add(second);
    expect(() => r.add(second)).toThrow(/out of chain order/);
  });
});

describe('shares of the responders (an export recomputed on several threads)', () => {
  /** largeAgency with a seventh of the responders travelling, approved, then certified at the figures `certified`. */
  function certifiedAgency(): { entries: AuditedEntry[]; approvedAt: number } {
    const { entries, facts } = largeAgency((n) => (n % 7 === 0 ? '2026-06-01T06:30:00Z' : undefined));
    entries.push(entry(entries.length + 1, 'time.day_approved', '2026-06-02T09:00:00Z', { agency: 'A', date: '2026-06-01', deployments: facts }));
    const approvedAt = entries.length;
    const whole = new AuditRecomputation();
    for (const e of entries) whole.add(e);
    const [{ totals }] = whole.provisional(new Date('2026-06-02T10:00:00Z'));
    entries.push(entry(entries.length + 1, 'time.package_certified', '2026-06-02T10:00:00Z', { agency: 'A', totals, deployments: facts }));
    return { entries, approvedAt };
  }

  /** Each share fed every entry, passing over those `replays` declines, as the export reader does. */
  function shares(entries: readonly AuditedEntry[], count: number, asOf: Date): ShareResults[] {
    return Array.from({ length: count }, (_, index) => {
      const r = new AuditRecomputation({ index, count });
      for (const e of entries) {
        const responderHint = typeof e.payload.responderId === 'string' ? e.payload.responderId : null;
        if (r.replays({ action: e.action, seq: e.seq, targetId: e.targetId, responderHint })) r.add(e);
        else r.skip(e.seq);
      }
      return { certified: r.results(), provisional: r.provisional(asOf) };
    });
  }

  it('adds up to the whole incident: each responder, the one with only a correction too, counted by one share', () => {
    const { entries, approvedAt } = certifiedAgency();
    const asOf = new Date('2026-06-02T09:30:00Z');
    const whole = new AuditRecomputation();
    for (const e of entries) whole.add(e);
    expect(whole.results()).toMatchObject([{ agency: 'A', matches: true }]);
    // 205 responders of 10 h, 30 of them with 90 min of travel first, and r-x's 4 h correction.
    expect(whole.results()[0].totals).toMatchObject({ travelMinutes: 30 * 90, regularMinutes: 98_640 });
    for (const count of [2, 3, 5]) {
      const parts = shares(entries, count, asOf);
      expect(joinShares(parts)).toEqual({ certified: whole.results(), provisional: [] });
      // The split is real: every share holds some of the responders, none all of them.
      for (const p of parts) {
        expect(p.certified[0].totals.regularMinutes).toBeGreaterThan(0);
        expect(p.certified[0].totals.regularMinutes).toBeLessThan(98_640);
      }
    }
    // Before the certification: the provisional figures of the approved day add up the same way.
    const approved = entries.slice(0, approvedAt);
    const before = new AuditRecomputation();
    for (const e of approved) before.add(e);
    expect(joinShares(shares(approved, 3, asOf))).toEqual({ certified: [], provisional: before.provisional(asOf) });
  });

  it('assigns every responder to one share, spread over all of them', () => {
    const counts = [0, 0, 0];
    for (let n = 0; n < 3000; n++) counts[shareOf(`00000001-0000-4000-8000-${n.toString(16).padStart(12, '0')}`, 3)]++;
    for (const c of counts) expect(c).toBeGreaterThan(900);
    expect(shareOf('r1', 3)).toBe(shareOf('r1', 3));
  });

  it("tells a responder's share from the UTF-8 bytes of its id as from its text, any characters in it", () => {
    const ids = ['r1', '', '00000001-0000-4000-8000-00000000c31e', 'répondant-7', 'équipe ☂ 𝟘', 'Z'.repeat(300)];
    for (let n = 0; n < 500; n++) ids.push(`${n}-${String.fromCodePoint(0x20 + ((n * 7919) % 0x2fff))}-${n * 31}`);
    for (const id of ids) {
      const bytes = Buffer.from(`"${id}"`);
      for (const count of [1, 2, 3, 4]) expect(shareOfBytes(bytes, 1, bytes.length - 1, count)).toBe(shareOf(id, count));
    }
  });

  it('lists as fact actions only actions the replay handles', () => {
    for (const action of FACT_ACTIONS) expect(REPLAYED_ACTIONS.has(action)).toBe(true);
  });

  it('fails a recomputation rather than count a check-in no share kept (a wrong responder hint)', () => {
    const { entries } = certifiedAgency();
    const lost = entries.find((e) => e.action === 'checkin.admitted' && shareOf(String(e.payload.responderId), 2) === 1)!;
    // Both shares are told the check-in is share 0's responder's; its own responder is share 1's. Share 0 replays it and
    // keeps nothing, share 1 passes over it and cannot recompute the certification that lists the deployment.
    const wrongHint = (index: number): AuditRecomputation => {
      const r = new AuditRecomputation({ index, count: 2 });
      for (const e of entries) {
        const hint = e === lost ? 'r-share-0' : typeof e.payload.responderId === 'string' ? e.payload.responderId : null;
        if (r.replays({ action: e.action, seq: e.seq, targetId: e.targetId, responderHint: hint })) r.add(e);
        else r.skip(e.seq);
      }
      return r;
    };
    expect(shareOf('r-share-0', 2)).toBe(0);
    expect(() => wrongHint(1)).toThrow(new RegExp(`deployment ${lost.targetId} is recorded for A but its check-in is not in the export`));
    expect(() => wrongHint(0)).not.toThrow();
  });

  it('refuses a recorded fact that names another responder than its check-in, or none', () => {
    const entries = chain();
    const approval = entries[4];
    approval.payload = { ...approval.payload, deployments: [{ deploymentId: 'd1', responderId: 'r2', position: null }] };
    expect(() => recomputeFromAudit(entries)).toThrow('deployment d1 is recorded for A with responder r2 but was checked in for r1');
    approval.payload = { ...approval.payload, deployments: [{ deploymentId: 'd1', position: null }] };
    expect(() => recomputeFromAudit(entries)).toThrow('deployment d1 is recorded for A without its responder');
  });

  it('refuses shares that do not fit together, and a share that is not one', () => {
    const { entries } = certifiedAgency();
    const [a, b] = shares(entries, 2, new Date('2026-06-02T10:00:00Z'));
    expect(() => joinShares([a, { ...b, certified: [] }])).toThrow('different certifications');
    expect(() => new AuditRecomputation({ index: 2, count: 2 })).toThrow('share 2 of 2 is not a share');
    expect(joinShares([a])).toEqual(a);
  });
});
