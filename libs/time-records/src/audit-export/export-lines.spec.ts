import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canonicalJson } from '@app/audit';
import {
  ACTOR_ACTIONS,
  AuditRecomputation,
  FACT_ACTIONS,
  REPLAYED_ACTIONS,
  shareOf,
  type AuditedEntry,
  type CertifiedDeployment,
} from '../domain/audit-recompute';
import { auditedEntry, entryOfLine, forEachLine, isClosing, peekLine, targetIdOf, trimmedLine, type LineSubject } from './export-lines';

const reading = { replayed: REPLAYED_ACTIONS, withActor: ACTOR_ACTIONS };
const actor = { kind: 'user', userId: 'u-7', role: 'time_leader', email: 'lead@agency.example' };
const record = (seq: number, action: string, payload: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  id: String(seq),
  chainId: 'incident:i-1',
  seq,
  occurredAt: `2026-06-01T12:00:0${seq % 10}.000Z`,
  actor,
  action,
  incidentId: 'i-1',
  targetType: 'deployment',
  targetId: `d-${seq}`,
  payload,
  prevHash: 'a'.repeat(64),
  hash: 'b'.repeat(64),
  ...extra,
});
const line = (value: unknown): Buffer => Buffer.from(canonicalJson(value));
const whole = (value: unknown): ReturnType<typeof auditedEntry> => auditedEntry(JSON.parse(JSON.stringify(value)));
/** entryOfLine without the milliseconds it may have read, checked against Date.parse of the time, as a whole parse gives it. */
const readAsWhole = (l: Buffer, subject?: LineSubject): AuditedEntry | null => {
  const read = entryOfLine(l, reading, subject);
  if (!read) return read;
  const { occurredMs, ...rest } = read;
  if (occurredMs !== undefined) expect(occurredMs).toBe(Date.parse(read.occurredAt));
  return rest;
};

describe('entryOfLine', () => {
  it('reads a canonical check-in without its verification evidence and without the actor', () => {
    const payload = {
      attemptId: 'at-1',
      decision: 'admitted',
      deploymentId: 'd-3',
      responderId: 'r-9',
      reasons: [],
      verification: { checks: [{ id: 'status' }], verified: true },
    };
    expect(entryOfLine(line(record(3, 'checkin.admitted', payload)), reading)).toEqual({
      seq: 3,
      occurredAt: '2026-06-01T12:00:03.000Z',
      occurredMs: Date.UTC(2026, 5, 1, 12, 0, 3),
      actor: {},
      action: 'checkin.admitted',
      targetId: 'd-3',
      payload: { attemptId: 'at-1', decision: 'admitted', deploymentId: 'd-3', responderId: 'r-9', reasons: [] },
    });
  });

  it('reads the actor of an entry that names its author, and the whole payload', () => {
    const payload = { agency: 'Agency 01', date: '2026-06-01', deployments: [{ deploymentId: 'd-1', responderId: 'r-1', position: null }] };
    expect(readAsWhole(line(record(12, 'time.day_approved', payload)))).toEqual(whole(record(12, 'time.day_approved', payload)));
  });

  it('reads only the new status of a canonical status change', () => {
    const payload = { from: { status: 'assigned' }, note: null, responderId: 'r-1', to: { reason: 'rest', status: 'out_of_service' } };
    expect(entryOfLine(line(record(6, 'deployment.status_changed', payload)), reading)).toEqual({
      seq: 6,
      occurredAt: '2026-06-01T12:00:06.000Z',
      occurredMs: Date.UTC(2026, 5, 1, 12, 0, 6),
      actor: {},
      action: 'deployment.status_changed',
      targetId: 'd-6',
      payload: { to: { reason: 'rest', status: 'out_of_service' } },
    });
  });

  it('reads only checkedOutAt of a canonical check-out, and a check-out in any other shape whole', () => {
    const payload = { checkedInAt: '2026-06-01T08:00:00.000Z', checkedOutAt: '2026-06-01T18:00:00.000Z', hoursOnScene: 10, note: null, responderId: 'r-1' };
    expect(entryOfLine(line(record(6, 'deployment.checked_out', payload)), reading)?.payload).toEqual({ checkedOutAt: '2026-06-01T18:00:00.000Z' });
    const first = { checkedOutAt: '2026-06-01T17:00:00.000Z', note: 'left early' };
    expect(entryOfLine(line(record(7, 'deployment.checked_out', first)), reading)?.payload).toEqual({ checkedOutAt: '2026-06-01T17:00:00.000Z' });
    // No checkedOutAt, a null one, a nested one, one named twice: the payload as JSON reads it.
    const others = [
      { checkedInAt: '2026-06-01T08:00:00.000Z', note: null },
      { checkedInAt: null, checkedOutAt: null },
      { checkedInAt: '2026-06-01T08:00:00.000Z', note: { checkedOutAt: '1999-01-01T00:00:00.000Z' } },
    ];
    for (const [n, other] of others.entries()) {
      expect(entryOfLine(line(record(8 + n, 'deployment.checked_out', other)), reading)?.payload).toEqual(other);
    }
    const twice = Buffer.from(
      line(record(11, 'deployment.checked_out', { checkedOutAt: '2026-06-01T17:00:00.000Z', note: null }))
        .toString()
        .replace('"note":null', '"checkedOutAt":"2026-06-01T19:00:00.000Z"'),
    );
    expect(entryOfLine(twice, reading)?.payload).toEqual({ checkedOutAt: '2026-06-01T19:00:00.000Z' });
  });

  it('reads a tail it cannot read by hand (an escaped target id, no target) as JSON', () => {
    const payload = { checkedOutAt: '2026-06-01T19:00:00.000Z' };
    const escaped = record(7, 'deployment.checked_out', payload, { targetId: 'd-"7"' });
    expect(entryOfLine(line(escaped), reading)).toMatchObject({ seq: 7, targetId: 'd-"7"', payload });
    const none = record(10, 'deployment.checked_out', payload, { targetId: null, targetType: null });
    expect(entryOfLine(line(none), reading)).toMatchObject({ seq: 10, targetId: null, payload });
  });

  it('keeps only the place in the chain of an entry the recomputation does not read', () => {
    expect(entryOfLine(line(record(5, 'trust.issuer_updated', { any: { thing: 1 } })), reading)).toEqual({
      seq: 5,
      occurredAt: '2026-06-01T12:00:05.000Z',
      occurredMs: Date.UTC(2026, 5, 1, 12, 0, 5),
      actor: {},
      action: 'trust.issuer_updated',
      targetId: 'd-5',
      payload: {},
    });
  });

  it('reads a line in another member order, with blanks, as JSON does', () => {
    const value = record(4, 'deployment.status_changed', { to: { status: 'out_of_service', reason: 'rest' }, responderId: 'r-1' });
    const text = Buffer.from(JSON.stringify(value, null, 1).replace(/\n/g, ' '));
    expect(entryOfLine(text, reading)).toEqual(whole(value));
  });

  it('is not misled by nested members named like the ones it cuts at', () => {
    // The actor holds a "payload" after an "occurredAt", the payload holds a "prevHash" and a "verification".
    const tricky = { kind: 'user', occurredAt: '1999-01-01T00:00:00.000Z', payload: { x: 1 }, userId: 'u-1' };
    const payload = {
      deploymentId: 'd-8',
      offline: { prevHash: 'c'.repeat(64), seq: 99, verification: { nested: true } },
      responderId: 'r-8',
      verification: { verified: true },
    };
    const value = record(8, 'checkin.admitted', payload, { actor: tricky });
    const read = entryOfLine(line(value), reading);
    expect(read).toMatchObject({ seq: 8, occurredAt: '2026-06-01T12:00:08.000Z', targetId: 'd-8', action: 'checkin.admitted' });
    expect(read?.payload).toMatchObject({ deploymentId: 'd-8', responderId: 'r-8', offline: payload.offline });
    const nestedTail = record(9, 'deployment.checked_out', { checkedOutAt: '2026-06-01T19:00:00.000Z', note: { prevHash: 'x', seq: 1 } });
    expect(entryOfLine(line(nestedTail), reading)).toMatchObject({ seq: 9, targetId: 'd-9', payload: { checkedOutAt: '2026-06-01T19:00:00.000Z' } });
  });

  it('reads the time in milliseconds as Date.parse does, and leaves any other form to Date.parse', () => {
    const at = (occurredAt: string): number | undefined => entryOfLine(line(record(3, 'deployment.checked_out', {}, { occurredAt })), reading)?.occurredMs;
    const instants = [Date.UTC(1999, 11, 31, 23, 59, 59, 999), Date.UTC(2000, 1, 28), Date.UTC(2026, 0, 1), Date.UTC(2100, 1, 28, 12, 30)];
    for (let i = 0; i < 500; i++) instants.push(Date.UTC(2026, 0, 1) + Math.floor(Math.random() * 4e10));
    for (const ms of instants) {
      const text = new Date(ms).toISOString();
      expect(at(text)).toBe(new Date(text).getUTCDate() > 28 ? undefined : ms);
    }
    // Days past the 28th, hour 24, offsets, other precisions, years before 1000: Date.parse's own reading.
    for (const text of [
      '2024-02-29T10:00:00.000Z',
      '2026-02-30T00:00:00.000Z',
      '2026-06-01T24:00:00.000Z',
      '2026-06-01T12:00:00.000+02:00',
      '2026-06-01T12:00:00Z',
      '0999-06-01T12:00:00.000Z',
      '2026-13-01T12:00:00.000Z',
    ]) {
      expect(at(text)).toBeUndefined();
      expect(readAsWhole(line(record(3, 'deployment.checked_out', {}, { occurredAt: text })))?.occurredAt).toBe(text);
    }
  });

  it("reads of an approval's or certification's deployment facts only the share's, in their order, and the rest of the payload", () => {
    const facts: CertifiedDeployment[] = Array.from({ length: 60 }, (_, n) => ({
      deploymentId: `00000002-0000-4000-8000-${n.toString(16).padStart(12, '0')}`,
      position: n % 3 === 0 ? null : ['EMT', 'RN, ICU [night]', 'Équipe {A}'][n % 3],
      responderId: n % 7 === 0 ? `répondant-${n}` : `00000001-0000-4000-8000-${(n >> 1).toString(16).padStart(12, '0')}`,
    }));
    const payloads = [
      { agency: 'A', date: '2026-06-01', deployments: facts },
      { agency: 'A', deployments: facts, statement: 'I certify', totals: { agency: 'A', regularMinutes: 480 } },
      { agency: 'A', deployments: facts.slice(0, 1), endsAt: '2026-06-01T20:00:00.000Z', periodId: 'p-1', startsAt: '2026-06-01T06:00:00.000Z' },
      { agency: 'A', date: '2026-06-02', deployments: [] },
    ];
    for (const action of FACT_ACTIONS) {
      for (const payload of payloads) {
        const l = line(record(40, action, payload));
        for (const count of [2, 3]) {
          for (let index = 0; index < count; index++) {
            const read = entryOfLine(l, { ...reading, share: { index, count } });
            const own = payload.deployments.filter((f) => shareOf(f.responderId, count) === index);
            expect(read?.payload).toEqual({ ...payload, deployments: own });
          }
        }
        // The whole incident, or no share given: every fact.
        expect(entryOfLine(l, { ...reading, share: { index: 0, count: 1 } })?.payload).toEqual(payload);
        expect(entryOfLine(l, reading)?.payload).toEqual(payload);
      }
    }
  });

  it("reads whole, with every fact, a deployment list in any other form or not the payload's own", () => {
    const fact = { deploymentId: 'd-1', position: null, responderId: 'r-1' };
    const others = [
      { agency: 'A', deployments: [{ ...fact, note: 'x' }] },
      { agency: 'A', deployments: [{ deploymentId: 'd-1', responderId: 'r-1' }] },
      { agency: 'A', deployments: [{ ...fact, responderId: 7 }] },
      { agency: 'A', deployments: [{ ...fact, position: 3 }] },
      { agency: 'A', deployments: [fact, 'd-2'] },
      { agency: 'A', deployments: [[fact]] },
      { agency: 'A', deployments: { 0: fact } },
      { agency: 'A', after: { deployments: [fact] } },
      { agency: 'A', after: { deployments: [fact] }, deployments: [{ ...fact, responderId: 'r-2' }] },
    ];
    for (const payload of others) {
      for (let index = 0; index < 2; index++) {
        expect(entryOfLine(line(record(41, 'time.package_certified', payload)), { ...reading, share: { index, count: 2 } })?.payload).toEqual(payload);
      }
    }
    // Named twice, JSON keeps the last list: both orders of the lists read whole.
    const list = (id: string): string => `[{"deploymentId":"${id}","position":null,"responderId":"r-1"}]`;
    const twice = line(record(42, 'time.day_approved', { agency: 'A' }))
      .toString()
      .replace('"agency":"A"', `"agency":"A","deployments":${list('d-1')},"deployments":${list('d-2')}`);
    for (let index = 0; index < 2; index++) {
      expect(entryOfLine(Buffer.from(twice), { ...reading, share: { index, count: 2 } })?.payload).toEqual(JSON.parse(twice).payload);
    }
  });

  it('reads every action and status change as written, however many different ones an export holds', () => {
    // More than the readers keep (256 actions, 1,024 status changes), each read twice, in two rounds.
    for (let round = 0; round < 2; round++) {
      for (let n = 0; n < 400; n++) {
        const action = `custom.action_${n % 2 === 0 ? n : 'x'.repeat(n % 40)}.${n}`;
        expect(peekLine(line(record(n + 1, action, { n })))?.action).toBe(action);
      }
      for (let n = 0; n < 1_200; n++) {
        const to = { assignment: `Division ${n}`, reason: n % 3 === 0 ? null : `reason ${n % 7}`, status: n % 2 === 0 ? 'assigned' : 'out_of_service' };
        const read = entryOfLine(line(record(n + 1, 'deployment.status_changed', { from: { status: 'available' }, to })), reading);
        expect(read?.payload).toEqual({ to });
      }
    }
  });

  it('refuses a line that is not an audit entry', () => {
    expect(entryOfLine(Buffer.from('{"action":"checkin.admitted","seq":"one"}'), reading)).toBeNull();
    expect(entryOfLine(Buffer.from('not json'), reading)).toBeNull();
    expect(entryOfLine(line(record(2, 'deployment.checked_out', { a: 1 })).subarray(0, 200), reading)).toBeNull();
  });
});

/**
 * One payload per action the recomputation replays, as the server records it. A handler added to the replay without
 * a payload here fails the first test below, so every replayed action's line is checked read in parts.
 */
const REPLAYED_PAYLOADS: Record<string, Record<string, unknown>> = {
  'incident.created': { name: 'Flood', timeZone: 'America/Chicago' },
  'incident.updated': { changes: { timeZone: 'America/Denver' } },
  'incident.closed': { reason: 'contained' },
  'checkin.admitted': { decision: 'admitted', departureAt: '2026-06-01T06:00', deploymentId: 'd-1', responderId: 'r-1', verification: { verified: true } },
  'checkin.admitted_with_warnings': {
    decision: 'admitted_with_warnings',
    departureAt: null,
    deploymentId: 'd-2',
    responderId: 'r-2',
    verification: { verified: true },
  },
  'ics211.edited': { after: { departureAt: '2026-06-01T05:30' }, before: { departureAt: '2026-06-01T06:00' }, fields: ['departureAt'] },
  'demob.travel_recorded': { etaHome: '2026-06-01T19:30:00.000Z', method: 'POV', responderId: 'r-1' },
  'deployment.status_changed': { from: { status: 'available' }, to: { reason: 'rest', status: 'out_of_service' } },
  'deployment.checked_out': { checkedOutAt: '2026-06-01T18:00:00.000Z' },
  'time.rules_set': { agency: 'A', dailyRegularMinutes: 480, rates: [] },
  'time.employment_set': { employment: 'volunteer' },
  'time.correction_recorded': { agency: 'A', date: '2026-06-01', onDuty: [], reason: 'paper log', responderId: 'r-1' },
  'time.correction_approved': { agency: 'A', date: '2026-06-01', responderId: 'r-1' },
  'time.day_approved': { agency: 'A', date: '2026-06-01', deployments: [{ deploymentId: 'd-1', position: null, responderId: 'r-1' }] },
  'time.day_reapproved': { agency: 'A', date: '2026-06-01', deployments: [] },
  'time.period_approved': {
    agency: 'A',
    deployments: [{ deploymentId: 'd-1', position: 'EMT', responderId: 'r-1' }],
    endsAt: '2026-06-01T20:00:00.000Z',
    label: 'Day 1',
    periodId: 'p-1',
    startsAt: '2026-06-01T06:00:00.000Z',
  },
  'time.period_reapproved': {
    agency: 'A',
    deployments: [],
    endsAt: '2026-06-01T20:00:00.000Z',
    label: 'Day 1',
    periodId: 'p-1',
    startsAt: '2026-06-01T06:00:00.000Z',
  },
  'time.package_certified': { agency: 'A', deployments: [], totals: { travelMinutes: 0, regularMinutes: 0 } },
};

describe('peekLine', () => {
  const hintOf = (subject: LineSubject | null): string | null | undefined =>
    subject?.responderHint && subject.responderHint.bytes.toString('utf8', subject.responderHint.from, subject.responderHint.to);

  it("reads what an entry is about without its payload: action, seq, target and a check-in's responder", () => {
    const checkIn = record(12, 'checkin.admitted', { deploymentId: 'd-12', reasons: [], responderId: 'r-4', verification: { responderId: 'x' } });
    const peeked = peekLine(line(checkIn));
    expect(peeked).toMatchObject({ action: 'checkin.admitted', seq: 12 });
    expect(hintOf(peeked)).toBe('r-4');
    expect(peeked && targetIdOf(peeked)).toBe('d-12');
    const statusChange = peekLine(line(record(13, 'deployment.status_changed', { to: { status: 'rest' } })));
    expect(statusChange).toMatchObject({ action: 'deployment.status_changed', seq: 13, responderHint: null });
    // The target as the bytes of the line, read only when needed.
    expect(statusChange?.targetId).toMatchObject({ from: expect.any(Number), to: expect.any(Number) });
    expect(statusChange && targetIdOf(statusChange)).toBe('d-13');
    // A line with an escape anywhere is not peeked: it is read whole, as JSON reads it.
    const escapedLine = line(record(19, 'deployment.checked_out', {}, { targetId: 'd-\\"19"' }));
    expect(peekLine(escapedLine)).toBeNull();
    expect(entryOfLine(escapedLine, reading)?.targetId).toBe('d-\\"19"');
    const escapedNote = line(record(23, 'deployment.status_changed', { note: 'said "rest"\nthen left', to: { status: 'rest' } }));
    expect(peekLine(escapedNote)).toBeNull();
    expect(readAsWhole(escapedNote)).toEqual(whole(JSON.parse(escapedNote.toString())));
    // No target, a seq written otherwise: the tail read as JSON.
    const none = peekLine(line(record(20, 'deployment.checked_out', {}, { targetId: null, targetType: null })));
    expect(none).toMatchObject({ seq: 20, targetId: null });
    expect(
      peekLine(
        Buffer.from(
          line(record(21, 'deployment.checked_out', {}))
            .toString()
            .replace('"seq":21', '"seq":2.1e1'),
        ),
      ),
    ).toMatchObject({ seq: 21 });
    expect(
      peekLine(
        Buffer.from(
          line(record(22, 'deployment.checked_out', {}))
            .toString()
            .replace('"seq":22', '"seq":022'),
        ),
      ),
    ).toBeNull();
    // The hint is the first responderId after the payload starts, not one in the actor.
    const byResponder = record(14, 'checkin.admitted', { deploymentId: 'd-14', responderId: 'r-5' }, { actor: { kind: 'responder', responderId: 'r-0' } });
    expect(hintOf(peekLine(line(byResponder)))).toBe('r-5');
  });

  it('hands entryOfLine what it read: the same entry as reading the line afresh, a nested actor read whole', () => {
    const lines = [
      record(15, 'checkin.admitted', { deploymentId: 'd-15', responderId: 'r-5', verification: { checks: [] } }),
      record(16, 'deployment.status_changed', { from: { status: 'assigned' }, to: { reason: 'meal', status: 'rest' } }),
      record(17, 'time.day_approved', { agency: 'A', date: '2026-06-01', deployments: [] }),
      record(18, 'deployment.checked_out', { checkedOutAt: '2026-06-01T18:00:00Z' }, { actor: { kind: 'device', device: { id: 'tablet-3' } } }),
    ].map(line);
    for (const l of lines) {
      const subject = peekLine(l);
      expect(subject).not.toBeNull();
      expect(entryOfLine(l, reading, subject ?? undefined)).toEqual(entryOfLine(l, reading));
    }
    // The nested actor is not walked: the line is read whole, actor included.
    expect(readAsWhole(lines[3])).toEqual(whole(JSON.parse(lines[3].toString())));
    expect(entryOfLine(lines[3], reading)?.actor).toEqual({ kind: 'device', device: { id: 'tablet-3' } });
  });

  it('gives null for a line not in the canonical layout (read whole instead)', () => {
    expect(peekLine(Buffer.from(JSON.stringify({ seq: 1, action: 'checkin.admitted' })))).toBeNull();
    expect(peekLine(Buffer.from('{"action":"checkin.admitted","seq":"1"}'))).toBeNull();
  });
});

describe('reading what the recomputation replays', () => {
  it('has a line checked for every action the replay handles, and reads each with every member the replay uses', () => {
    expect(Object.keys(REPLAYED_PAYLOADS).sort()).toEqual([...REPLAYED_ACTIONS].sort());
    for (const [n, [action, payload]] of Object.entries(REPLAYED_PAYLOADS).entries()) {
      const value = record(n + 1, action, payload);
      const read = readAsWhole(line(value));
      const expected = whole(value)!;
      // The actor exactly where the replay reads it; the payload whole but for a check-in's evidence and a status
      // change's earlier members.
      expect(read?.actor).toEqual(ACTOR_ACTIONS.has(action) ? actor : {});
      if (action.startsWith('checkin.admitted')) {
        const rest = { ...payload };
        delete rest.verification;
        expect(read?.payload).toEqual(rest);
      } else if (action === 'deployment.status_changed') expect(read?.payload).toEqual({ to: payload.to });
      else expect(read).toEqual({ ...expected, actor: read?.actor });
    }
  });

  it('recomputes from lines read in parts what it recomputes from whole lines: travel, an ICS 211 correction, a period approval', () => {
    // r1 left home 06:00 (corrected from 05:00), on duty 08:00-18:00, ETA home 19:30 (UTC): 120 + 600 + 90 = 810 min,
    // 210 travel, 480 regular + 330 overtime (480.00 + 495.00); r2's correction 09:00-13:00, by u-8, approved by u-7:
    // 240 regular (240.00). Period 05:00-20:00 approved: 210 travel, 720 regular, 330 overtime, 1,215.00.
    const u8 = { kind: 'user', userId: 'u-8' };
    const facts = [{ deploymentId: 'd1', position: null, responderId: 'r1' }];
    const totals = { agency: 'A', travelMinutes: 210, regularMinutes: 720, overtimeMinutes: 330, claimCents: 121_500, donatedMinutes: 0, donatedCents: 0 };
    const rules = {
      agency: 'A',
      breaks: [],
      dailyRegularMinutes: 480,
      rates: [{ overtimeCentsPerHour: 9000, position: null, regularCentsPerHour: 6000 }],
      volunteerCentsPerHour: null,
      weekStartsOn: 0,
      weeklyRegularMinutes: null,
    };
    const chain: Array<[string, string, string | null, Record<string, unknown>, Record<string, unknown>?]> = [
      ['2026-06-01T00:00:00.000Z', 'incident.created', null, { name: 'Flood', timeZone: 'UTC' }],
      [
        '2026-06-01T08:00:00.000Z',
        'checkin.admitted',
        'd1',
        { decision: 'admitted', departureAt: '2026-06-01T05:00', deploymentId: 'd1', responderId: 'r1', verification: { checks: [], verified: true } },
      ],
      [
        '2026-06-01T09:00:00.000Z',
        'ics211.edited',
        'd1',
        { after: { departureAt: '2026-06-01T06:00' }, before: { departureAt: '2026-06-01T05:00' }, fields: ['departureAt'] },
      ],
      ['2026-06-01T12:00:00.000Z', 'deployment.status_changed', 'd1', { from: { status: 'assigned' }, to: { status: 'available' } }],
      ['2026-06-01T17:00:00.000Z', 'demob.travel_recorded', 'd1', { etaHome: '2026-06-01T19:30:00.000Z', method: 'POV', responderId: 'r1' }],
      ['2026-06-01T18:00:00.000Z', 'deployment.checked_out', 'd1', { checkedOutAt: '2026-06-01T18:00:00.000Z' }],
      ['2026-06-01T19:00:00.000Z', 'time.rules_set', 'A', rules],
      [
        '2026-06-01T20:00:00.000Z',
        'time.correction_recorded',
        'c1',
        {
          agency: 'A',
          date: '2026-06-01',
          onDuty: [{ end: '2026-06-01T13:00:00.000Z', start: '2026-06-01T09:00:00.000Z' }],
          reason: 'paper log',
          responderId: 'r2',
        },
        { actor: u8 },
      ],
      ['2026-06-01T21:00:00.000Z', 'time.correction_approved', 'c1', { agency: 'A', date: '2026-06-01', responderId: 'r2' }],
      [
        '2026-06-02T09:00:00.000Z',
        'time.period_approved',
        'A',
        { agency: 'A', deployments: facts, endsAt: '2026-06-01T20:00:00.000Z', label: 'Day 1', periodId: 'p1', startsAt: '2026-06-01T05:00:00.000Z' },
      ],
      ['2026-06-02T09:30:00.000Z', 'trust.issuer_updated', null, { any: 1 }],
      ['2026-06-02T10:00:00.000Z', 'time.package_certified', 'A', { agency: 'A', deployments: facts, totals }],
    ];
    const replay = (read: (value: Record<string, unknown>) => AuditedEntry | null): AuditRecomputation => {
      const r = new AuditRecomputation();
      chain.forEach(([occurredAt, action, targetId, payload, extra], i) => {
        const e = read(record(i + 1, action, payload, { occurredAt, targetId, ...extra }));
        if (!e) throw new Error(`line ${i + 1} not read`);
        r.add(e);
      });
      return r;
    };
    const inParts = replay((value) => entryOfLine(line(value), reading));
    const asWhole = replay((value) => whole(value));
    expect(inParts.results()).toEqual([{ agency: 'A', certifiedAt: '2026-06-02T10:00:00.000Z', totals, certified: totals, matches: true }]);
    expect(inParts.results()).toEqual(asWhole.results());
  });
});

describe('lines of the export', () => {
  it('trims blanks and the trailing comma, and knows the closing', () => {
    const text = Buffer.from('  {"a":1},\r');
    expect(trimmedLine(text, 0, text.length).toString()).toBe('{"a":1}');
    expect(isClosing(Buffer.from(']}'))).toBe(true);
    expect(isClosing(Buffer.from('] }'))).toBe(true);
    expect(isClosing(Buffer.from(']x}'))).toBe(false);
  });

  it('gives every line of the file from an offset, lines longer than a block included, the last without a break', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'export-lines-'));
    try {
      const file = join(dir, 'lines.txt');
      const long = 'x'.repeat(50);
      await writeFile(file, `skip\nab\n${long}\n\nlast`);
      const handle = await open(file, 'r');
      const seen: string[] = [];
      try {
        await forEachLine(handle, 5, (block, from, to) => seen.push(block.toString('utf8', from, to)) > 0, 8);
      } finally {
        await handle.close();
      }
      expect(seen).toEqual(['ab', long, '', 'last']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('gives the same lines whatever the block size, lines ending on a block boundary included, and stops when told', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'export-lines-'));
    try {
      const file = join(dir, 'lines.txt');
      const lines = Array.from({ length: 200 }, (_, i) => 'é'.repeat(i % 23) + String(i));
      await writeFile(file, `${lines.join('\n')}\n`);
      for (const blockSize of [1, 2, 3, 7, 16, 64, 1024, 1 << 16]) {
        const handle = await open(file, 'r');
        const seen: string[] = [];
        try {
          await forEachLine(handle, 0, (block, from, to) => seen.push(block.toString('utf8', from, to)) > 0, blockSize);
          expect(seen).toEqual(lines);
          seen.length = 0;
          await forEachLine(handle, 0, (block, from, to) => seen.push(block.toString('utf8', from, to)) < 150, blockSize);
          expect(seen).toEqual(lines.slice(0, 150));
        } finally {
          await handle.close();
        }
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
