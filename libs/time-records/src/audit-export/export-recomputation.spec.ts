import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUNDLE_FORMAT, BUNDLE_VERSION, writeBundle, type AuditActor, type AuditBundle, type AuditEntryRecord } from '@app/audit';
import { AuditRecomputation, type AuditedEntry } from '../domain/audit-recompute';
import { recomputeAuditExport } from './export-recomputation';

const INCIDENT = 'i-7';
const uuid = (kind: number, n: number): string => `${kind.toString(16).padStart(8, '0')}-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
const rules = (agency: string) => ({
  agency,
  dailyRegularMinutes: 480,
  weeklyRegularMinutes: null,
  weekStartsOn: 0,
  breaks: [{ afterMinutes: 360, kind: 'meal', minutes: 30, paid: false }],
  rates: [{ position: null, regularCentsPerHour: 3000, overtimeCentsPerHour: 4500 }],
  volunteerCentsPerHour: 2000,
});

/**
 * Two agencies over three days (UTC): 40 responders of agency A, one shift a day with an hour's rest, every fifth
 * travelling to the incident first, every seventh a volunteer, a responder with only a correction; 20 of agency B.
 * A's days are approved and A certified at what the whole recomputation gives; B's first two days approved only.
 */
function incident(): AuditedEntry[] {
  const entries: AuditedEntry[] = [];
  const actor = { kind: 'user', userId: uuid(3, 1), role: 'timekeeper' };
  const add = (at: string, action: string, payload: Record<string, unknown>, targetId: string | null = null, by = actor): void => {
    entries.push({ seq: entries.length + 1, occurredAt: at, actor: by, action, targetId, payload });
  };
  const facts: Record<string, Array<Array<{ deploymentId: string; responderId: string; position: null }>>> = { A: [[], [], []], B: [[], [], []] };
  add('2026-06-01T00:00:00.000Z', 'incident.created', { timeZone: 'UTC' });
  add('2026-06-01T00:10:00.000Z', 'time.rules_set', rules('A'), 'A');
  add('2026-06-01T00:10:00.000Z', 'time.rules_set', rules('B'), 'B');
  for (let n = 0; n < 60; n++) if (n % 7 === 0) add('2026-06-01T00:20:00.000Z', 'time.employment_set', { employment: 'volunteer' }, uuid(1, n));
  for (let d = 0; d < 3; d++) {
    const day = `2026-06-0${d + 1}`;
    for (let n = 0; n < 60; n++) {
      const agency = n < 40 ? 'A' : 'B';
      const id = uuid(2, n * 3 + d);
      const responderId = uuid(1, n);
      facts[agency][d].push({ deploymentId: id, responderId, position: null });
      const departureAt = d === 0 && n % 5 === 0 ? `${day}T06:00` : null;
      add(`${day}T07:00:00.000Z`, 'checkin.admitted', { deploymentId: id, responderId, departureAt, verification: { verified: true } }, id);
      add(`${day}T07:00:00.000Z`, 'deployment.status_changed', { from: null, to: { reason: null, status: 'assigned' } }, id);
      add(`${day}T12:00:00.000Z`, 'deployment.status_changed', { to: { reason: 'meal', status: 'rest' } }, id);
      add(`${day}T13:00:00.000Z`, 'deployment.status_changed', { to: { reason: null, status: 'assigned' } }, id);
      add(`${day}T${n % 2 === 0 ? '19' : '17'}:00:00.000Z`, 'deployment.checked_out', { checkedOutAt: `${day}T${n % 2 === 0 ? '19' : '17'}:00:00.000Z` }, id);
    }
  }
  add(
    '2026-06-04T08:00:00.000Z',
    'time.correction_recorded',
    {
      responderId: uuid(1, 99),
      agency: 'A',
      date: '2026-06-02',
      onDuty: [{ start: '2026-06-02T09:00:00Z', end: '2026-06-02T13:00:00Z' }],
      reason: 'paper log',
    },
    'c-1',
  );
  add('2026-06-04T08:30:00.000Z', 'time.correction_approved', {}, 'c-1', { kind: 'user', userId: uuid(3, 2), role: 'timekeeper' });
  for (let d = 0; d < 3; d++) add(`2026-06-04T09:0${d}:00.000Z`, 'time.day_approved', { agency: 'A', date: `2026-06-0${d + 1}`, deployments: facts.A[d] });
  for (let d = 0; d < 2; d++) add(`2026-06-04T09:1${d}:00.000Z`, 'time.day_approved', { agency: 'B', date: `2026-06-0${d + 1}`, deployments: facts.B[d] });
  const whole = new AuditRecomputation();
  for (const e of entries) whole.add(e);
  const totals = whole.provisional(new Date('2026-06-04T10:00:00.000Z')).find((p) => p.agency === 'A')!.totals;
  add('2026-06-04T10:00:00.000Z', 'time.package_certified', { agency: 'A', totals, deployments: facts.A.flat() });
  return entries;
}

async function exportFile(path: string, entries: readonly AuditedEntry[]): Promise<void> {
  const records: AuditEntryRecord[] = entries.map((e) => ({
    ...e,
    actor: e.actor as AuditActor,
    id: String(e.seq),
    chainId: `incident:${INCIDENT}`,
    incidentId: INCIDENT,
    targetType: 'deployment',
    prevHash: '0'.repeat(64),
    hash: '1'.repeat(64),
  }));
  const header: Omit<AuditBundle, 'entries'> = {
    format: BUNDLE_FORMAT,
    version: BUNDLE_VERSION,
    chainId: `incident:${INCIDENT}`,
    incidentId: INCIDENT,
    exportedAt: '2026-06-05T00:00:00.000Z',
    head: { seq: records.length, hash: '1'.repeat(64) },
    checkpoints: [],
    jwks: { keys: [] },
  };
  const out = createWriteStream(path);
  async function* pages(): AsyncGenerator<AuditEntryRecord[]> {
    for (let i = 0; i < records.length; i += 100) yield records.slice(i, i + 100);
  }
  await writeBundle(out, header, pages());
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
}

describe('recomputeAuditExport', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'export-recomputation-'));
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('gives the same certified and provisional figures whatever the number of shares of the responders', async () => {
    const file = join(dir, 'export.json');
    await exportFile(file, incident());
    const one = await recomputeAuditExport(file, { threads: 1, provisional: true });
    if (!one.ok) throw new Error(one.reason);
    expect(one.certified).toMatchObject([{ agency: 'A', matches: true }]);
    expect(one.certified[0].totals.travelMinutes).toBe(8 * 60);
    expect(one.certified[0].totals.donatedMinutes).toBeGreaterThan(0);
    expect(one.provisional).toMatchObject([{ agency: 'B', approvedDates: ['2026-06-01', '2026-06-02'], asOf: '2026-06-05T00:00:00.000Z' }]);
    for (const threads of [2, 3, 4]) {
      const split = await recomputeAuditExport(file, { threads, provisional: true });
      expect(split).toEqual({ ...one, threads });
    }
  });

  it('reports what a share could not recompute, and an export cut short, as a reason', async () => {
    const entries = incident();
    const certification = entries.at(-1)!;
    const deployments = certification.payload.deployments as Array<{ deploymentId: string; responderId: string }>;
    certification.payload = {
      ...certification.payload,
      deployments: [...deployments, { deploymentId: uuid(2, 999), responderId: uuid(1, 5), position: null }],
    };
    const file = join(dir, 'unmatched.json');
    await exportFile(file, entries);
    for (const threads of [1, 3]) {
      expect(await recomputeAuditExport(file, { threads })).toEqual({
        ok: false,
        reason: `deployment ${uuid(2, 999)} is recorded for A but its check-in is not in the export`,
      });
    }
    const cut = join(dir, 'cut.json');
    await exportFile(cut, incident());
    const { readFile } = await import('node:fs/promises');
    const text = await readFile(cut, 'utf8');
    await writeFile(cut, text.slice(0, text.lastIndexOf('\n]}')));
    expect(await recomputeAuditExport(cut, { threads: 2 })).toEqual({ ok: false, reason: `${cut}: the entries are not closed (a truncated export?)` });
  });
});
