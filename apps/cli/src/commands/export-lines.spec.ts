import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canonicalJson } from '@app/audit';
import { ACTOR_ACTIONS, REPLAYED_ACTIONS } from '@app/time-records';
import { auditedEntry, entryOfLine, forEachLine, isClosing, trimmedLine } from './export-lines';

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
      actor: {},
      action: 'checkin.admitted',
      targetId: 'd-3',
      payload: { attemptId: 'at-1', decision: 'admitted', deploymentId: 'd-3', responderId: 'r-9', reasons: [] },
    });
  });

  it('reads the actor of an entry that names its author, and the whole payload', () => {
    const payload = { agency: 'Agency 01', date: '2026-06-01', deployments: [{ deploymentId: 'd-1', responderId: 'r-1', position: null }] };
    expect(entryOfLine(line(record(12, 'time.day_approved', payload)), reading)).toEqual(whole(record(12, 'time.day_approved', payload)));
  });

  it('reads only the new status of a canonical status change', () => {
    const payload = { from: { status: 'assigned' }, note: null, responderId: 'r-1', to: { reason: 'rest', status: 'out_of_service' } };
    expect(entryOfLine(line(record(6, 'deployment.status_changed', payload)), reading)).toEqual({
      seq: 6,
      occurredAt: '2026-06-01T12:00:06.000Z',
      actor: {},
      action: 'deployment.status_changed',
      targetId: 'd-6',
      payload: { to: { reason: 'rest', status: 'out_of_service' } },
    });
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
    expect(entryOfLine(line(nestedTail), reading)).toMatchObject({ seq: 9, targetId: 'd-9', payload: nestedTail.payload });
  });

  it('refuses a line that is not an audit entry', () => {
    expect(entryOfLine(Buffer.from('{"action":"checkin.admitted","seq":"one"}'), reading)).toBeNull();
    expect(entryOfLine(Buffer.from('not json'), reading)).toBeNull();
    expect(entryOfLine(line(record(2, 'deployment.checked_out', { a: 1 })).subarray(0, 200), reading)).toBeNull();
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
        await forEachLine(handle, 5, (l) => seen.push(l.toString()) > 0, 8);
      } finally {
        await handle.close();
      }
      expect(seen).toEqual(['ab', long, '', 'last']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
