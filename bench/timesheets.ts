/**
 * npm run bench:timesheets — the labour package of one incident: BENCH_RESPONDERS (50,000) responders over BENCH_DAYS
 * (30) days, one 12-hour shift a day with a 30-minute rest on the board, in the incident's time zone
 * (America/New_York), 50 agencies with daily and weekly overtime, a tenth budgeted and a tenth volunteers, one
 * approved correction in a hundred responder days, a tenth of the responders travelling (an hour to the incident
 * before their first shift, an hour home after their last), every day approved (Agency 02's by one operational period
 * covering the incident, the others' day by day). The package is built streamed: responders
 * in batches of BENCH_BATCH (200), each batch through the same rules as the server (deriveTimeEntries, the
 * ledger, labourSummary) and written as CSV rows before the next is made; totals are summed per agency.
 *
 * What it measures: the rules and the CSV, in one process, with the input generated in memory (no database read).
 * Prints the time, the rows, the CSV size and the peak RSS.
 *
 * Then, in the same run, the offline recomputation of the same package: the incident's audit export is written to a
 * temporary file, streamed (a page of entries at a time), in the export's layout and chain order, with the payloads
 * the server writes: incident.created, time.rules_set per agency, per deployment checkin.admitted (with its
 * verification evidence), three deployment.status_changed and deployment.checked_out, time.employment_set for
 * volunteers and budgeted responders, time.correction_recorded / time.correction_approved, time.day_approved per
 * agency and day (with the day's deployment facts) and time.package_certified per agency with the totals computed
 * above. `time-package` does not check the chain (audit-verify does), so the entries carry placeholder `prevHash` /
 * `hash` values of the real length rather than a chain: audit-verify rejects this file. The CLI
 * (dist/apps/cli/src/main.js time-package --audit-export FILE --incident ID) runs as a child process under
 * /usr/bin/time -v (peak RSS; without it /proc/<pid>/status VmHWM is polled). Prints the export's size and entries,
 * the CLI's wall time and peak RSS, and whether every certified total was recomputed equal (exit 0).
 *
 * Options: --skip-cli  only the package (no export, no CLI);
 *          --keep-export  leave the export file in the temporary directory (its path is printed);
 *          BENCH_CLI_ARGS  extra node options for the CLI child, space separated (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof");
 *          BENCH_CLI_COMPARE  the main.js of another build of the CLI (e.g. a copy of an older dist): run first on the
 *                             same export, its figures printed as `compared`;
 *          BENCH_CLI_THREADS  `--threads` for the CLI (default: its own, 2 threads at this size on 2 cores or more).
 */
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import { readFile, stat, unlink } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { BUNDLE_FORMAT, BUNDLE_VERSION, writeBundle, type AuditActor, type AuditBundle, type AuditEntryRecord } from '@app/audit';
import { csvText } from '@app/common';
import { hoursBetween } from '@app/incidents';
import {
  addDays,
  addTotals,
  CERTIFICATION_STATEMENT,
  deriveTimeEntries,
  emptyTotals,
  labourCsvLines,
  labourSummary,
  LABOUR_CSV_COLUMNS,
  startOfLocalDay,
  TimeLedger,
  type AgencyRules,
  type AgencyTotals,
  type DeploymentTimeline,
  type IncidentCalendar,
  type ResponderProfile,
} from '@app/time-records';
import { intFromEnv } from './live-support';

const RESPONDERS = intFromEnv('BENCH_RESPONDERS', 50_000);
const DAYS = intFromEnv('BENCH_DAYS', 30);
const BATCH = intFromEnv('BENCH_BATCH', 200);
/** Approved corrections per 100 responder days (0: none). */
const CORRECTED = process.env.BENCH_CORRECTED_PER_100 === '0' ? 0 : intFromEnv('BENCH_CORRECTED_PER_100', 1);
const AGENCIES = 50;
const ZONE = 'America/New_York';
const FIRST = '2026-06-01';
const HOUR = 3_600_000;
/** The responders who travel: an hour to the incident before the first shift, an hour home after the last. */
const travels = (n: number): boolean => n % 10 === 2;
/** The agency approved by one operational period over the whole incident instead of day by day. */
const PERIOD_AGENCY = 2;

const calendar: IncidentCalendar = { timeZone: ZONE, startDate: FIRST, endDate: addDays(FIRST, DAYS - 1) };
const dates = Array.from({ length: DAYS }, (_, i) => addDays(FIRST, i));
const midnights = dates.map((d) => startOfLocalDay(d, ZONE).getTime());
const agencyOf = (n: number): string => `Agency ${String(n % AGENCIES).padStart(2, '0')}`;
const period = { id: 'period-incident', start: midnights[0], end: midnights[DAYS - 1] + 24 * HOUR };
const rules = new Map<string, AgencyRules>(
  Array.from({ length: AGENCIES }, (_, a) => {
    const agency = agencyOf(a);
    return [
      agency,
      {
        agency,
        dailyRegularMinutes: 480,
        weeklyRegularMinutes: 2400,
        weekStartsOn: 0,
        breaks: [{ kind: 'meal' as const, afterMinutes: 360, minutes: 30, paid: false }],
        rates: [{ position: null, regularCentsPerHour: 3000 + a, overtimeCentsPerHour: 4500 + a }],
        volunteerCentsPerHour: 3180,
      },
    ];
  }),
);

/**
 * BENCH_CORRECTED_PER_100 (1) approved corrections in a hundred responder days (an 8-hour day instead of the shift), made while the day was
 * open; then every day of every agency approved (PERIOD_AGENCY by its period): the ledger the whole package shares.
 */
function ledgerFor(): { ledger: TimeLedger; corrections: number } {
  const ledger = new TimeLedger(calendar);
  let corrections = 0;
  const correctedAt = new Date(Date.parse(`${FIRST}T00:00:00Z`) + (DAYS + 1) * 24 * HOUR);
  for (let n = 0; n < RESPONDERS; n++) {
    for (let d = (n * 7) % 100; CORRECTED > 0 && d < DAYS; d += Math.floor(100 / CORRECTED)) {
      const start = midnights[d] + 8 * HOUR;
      ledger.correct({
        id: `c${n}-${d}`,
        responderId: `r${n}`,
        agency: agencyOf(n),
        date: dates[d],
        onDuty: [{ start, end: start + 8 * HOUR }],
        reason: 'badge not scanned at check-out',
        author: 'bench-clerk',
        approver: 'bench-leader',
        at: correctedAt,
      });
      corrections += 1;
    }
  }
  const at = new Date(correctedAt.getTime() + HOUR);
  for (let a = 0; a < AGENCIES; a++) {
    if (a === PERIOD_AGENCY) {
      ledger.approvePeriod({ ...period, id: `${a}|period`, agency: agencyOf(a), periodId: period.id, approvedBy: 'bench-leader', at });
      continue;
    }
    for (const date of dates) ledger.approve({ id: `${a}|${date}`, agency: agencyOf(a), date, approvedBy: 'bench-leader', at });
  }
  return { ledger, corrections };
}

function batch(from: number, to: number): { timelines: DeploymentTimeline[]; profiles: Map<string, ResponderProfile> } {
  const timelines: DeploymentTimeline[] = [];
  const profiles = new Map<string, ResponderProfile>();
  for (let n = from; n < to; n++) {
    const responderId = `r${n}`;
    profiles.set(responderId, {
      responderId,
      name: `Responder ${n}`,
      position: null,
      employment: n % 10 === 0 ? 'volunteer' : n % 10 === 1 ? 'budgeted' : 'employee',
    });
    for (let d = 0; d < DAYS; d++) {
      const start = midnights[d] + 7 * HOUR;
      timelines.push({
        deploymentId: `${responderId}-${d}`,
        responderId,
        agency: agencyOf(n),
        checkedInAt: new Date(start),
        checkedOutAt: new Date(start + 12 * HOUR),
        statusChanges: [
          { at: new Date(start), status: 'assigned', reason: null },
          { at: new Date(start + 5 * HOUR), status: 'out_of_service', reason: 'rest' },
          { at: new Date(start + 5.5 * HOUR), status: 'assigned', reason: null },
        ],
        travelTo: travels(n) && d === 0 ? { start: new Date(start - HOUR), end: new Date(start) } : null,
        travelHome: travels(n) && d === DAYS - 1 ? { start: new Date(start + 12 * HOUR), end: new Date(start + 13 * HOUR) } : null,
      });
    }
  }
  return { timelines, profiles };
}

const SKIP_CLI = process.argv.includes('--skip-cli');
const KEEP_EXPORT = process.argv.includes('--keep-export');
const CLI_THREADS = process.env.BENCH_CLI_THREADS;
const INCIDENT = 'a7c1e2d4-5b6f-4a80-9c1d-2e3f4a5b6c7d';
const CHAIN = `incident:${INCIDENT}`;
/** A uuid-shaped id (the length of the server's ids) for the n-th object of a kind. */
const uuid = (kind: number, n: number): string => `${kind.toString(16).padStart(8, '0')}-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
const responderUuid = (n: number): string => uuid(1, n);
const deploymentUuid = (n: number, d: number): string => uuid(2, n * DAYS + d);
const user = (n: number, role: string): AuditActor => ({
  kind: 'user',
  userId: uuid(3, n),
  role,
  email: `${role}${n}@agency.example`,
  ip: '10.20.30.40',
  device: `tablet-${n % 12}`,
});
const CHECKIN = user(1, 'checkin');
const COMMANDER = user(2, 'commander');
const CLERK = user(3, 'time_clerk');
const LEADER = user(4, 'time_leader');
const CERTIFIER = user(5, 'finance');
const CHECKS = ['format', 'signature', 'data_model', 'validity', 'status', 'issuer_trust'].map((id) => ({ id, status: 'pass', code: 'ok' }));
const hex64 = (n: number): string => n.toString(16).padStart(64, '0');

type EntryInput = { at: Date; actor: AuditActor; action: string; target: { type: string; id: string }; payload: Record<string, unknown> };

/**
 * A responder day's deployment as the export records it: check-in, assigned, rest, assigned again, check-out; for a
 * travelling responder, the departure on the first day's check-in and its ICS 211 correction, and the ETA home
 * recorded before the last day's check-out.
 */
function* deploymentDay(n: number, d: number, part: 0 | 1 | 2 | 3): Generator<EntryInput> {
  const start = midnights[d] + 7 * HOUR;
  const responderId = responderUuid(n);
  const id = deploymentUuid(n, d);
  const target = { type: 'deployment', id };
  if (part === 0) {
    yield {
      at: new Date(start),
      actor: CHECKIN,
      action: 'checkin.admitted',
      target,
      payload: {
        attemptId: uuid(4, n * DAYS + d),
        decision: 'admitted',
        reasons: [],
        responderId,
        deploymentId: id,
        // Recorded an hour early, corrected on the ICS 211 below: the departure as local wall-clock time.
        departureAt: travels(n) && d === 0 ? `${dates[0]}T05:00` : null,
        positionId: null,
        locationId: null,
        verification: {
          verified: true,
          checks: CHECKS,
          issuer: { id: 'did:web:boards.example:fl-nursing', registryName: 'Florida Board of Nursing' },
          qualification: 'RN',
          licenceHash: hex64(n * 2654435761),
          credentialHash: hex64(n * 40503 + 7),
          algorithm: 'EdDSA',
          keyId: 'did:web:boards.example:fl-nursing#key-1',
          status: [
            {
              listUrl: 'https://boards.example/fl-nursing/status/1',
              purpose: 'revocation',
              index: n % 131072,
              value: 0,
              fetchedAt: new Date(start - 60_000).toISOString(),
            },
          ],
        },
        practiceAuthority: null,
      },
    };
    yield {
      at: new Date(start),
      actor: COMMANDER,
      action: 'deployment.status_changed',
      target,
      payload: { responderId, from: { status: 'available' }, to: { status: 'assigned', assignment: 'Division A' }, note: null },
    };
    if (travels(n) && d === 0) {
      yield {
        at: new Date(start + 60_000),
        actor: CHECKIN,
        action: 'ics211.edited',
        target,
        payload: { fields: ['departureAt'], before: { departureAt: `${dates[0]}T05:00` }, after: { departureAt: `${dates[0]}T06:00` } },
      };
    }
  } else if (part === 1) {
    yield {
      at: new Date(start + 5 * HOUR),
      actor: COMMANDER,
      action: 'deployment.status_changed',
      target,
      payload: { responderId, from: { status: 'assigned', assignment: 'Division A' }, to: { status: 'out_of_service', reason: 'rest' }, note: null },
    };
  } else if (part === 2) {
    yield {
      at: new Date(start + 5.5 * HOUR),
      actor: COMMANDER,
      action: 'deployment.status_changed',
      target,
      payload: { responderId, from: { status: 'out_of_service', reason: 'rest' }, to: { status: 'assigned', assignment: 'Division A' }, note: null },
    };
  } else {
    const checkedInAt = new Date(start);
    const checkedOutAt = new Date(start + 12 * HOUR);
    if (travels(n) && d === DAYS - 1) {
      yield {
        at: new Date(start + 11.5 * HOUR),
        actor: COMMANDER,
        action: 'demob.travel_recorded',
        target,
        payload: { responderId, method: 'POV', destination: 'Home agency', etaHome: new Date(start + 13 * HOUR).toISOString() },
      };
    }
    yield {
      at: checkedOutAt,
      actor: COMMANDER,
      action: 'deployment.checked_out',
      target,
      payload: {
        responderId,
        checkedInAt: checkedInAt.toISOString(),
        checkedOutAt: checkedOutAt.toISOString(),
        hoursOnScene: hoursBetween(checkedInAt, checkedOutAt),
        note: null,
      },
    };
  }
}

/**
 * The incident's chain in order: creation and rules, each day's check-ins, status changes and check-outs (in time
 * order), employment, the corrections of ledgerFor, the day approvals (PERIOD_AGENCY's period approval) and one
 * certification per agency carrying `certified` (the totals and responder days the package above computed).
 */
function* incidentChain(certified: Map<string, { totals: AgencyTotals; responderDays: number }>): Generator<EntryInput> {
  const created = new Date(midnights[0] + HOUR);
  yield {
    at: created,
    actor: COMMANDER,
    action: 'incident.created',
    target: { type: 'incident', id: INCIDENT },
    payload: { name: 'Hurricane response', number: '2026-FL-0601', type: 'hurricane', jurisdiction: 'US-FL', timeZone: ZONE },
  };
  for (const r of rules.values()) yield { at: created, actor: CLERK, action: 'time.rules_set', target: { type: 'agency', id: r.agency }, payload: { ...r } };
  for (let d = 0; d < DAYS; d++) for (const part of [0, 1, 2, 3] as const) for (let n = 0; n < RESPONDERS; n++) yield* deploymentDay(n, d, part);
  const correctedAt = new Date(Date.parse(`${FIRST}T00:00:00Z`) + (DAYS + 1) * 24 * HOUR);
  for (let n = 0; n < RESPONDERS; n++) {
    if (n % 10 > 1) continue;
    const employment = n % 10 === 0 ? 'volunteer' : 'budgeted';
    yield { at: correctedAt, actor: CLERK, action: 'time.employment_set', target: { type: 'responder', id: responderUuid(n) }, payload: { employment } };
  }
  let correction = 0;
  for (let n = 0; n < RESPONDERS; n++) {
    for (let d = (n * 7) % 100; CORRECTED > 0 && d < DAYS; d += Math.floor(100 / CORRECTED)) {
      const start = midnights[d] + 8 * HOUR;
      const target = { type: 'time_correction', id: uuid(5, correction++) };
      const common = { responderId: responderUuid(n), agency: agencyOf(n), date: dates[d] };
      const onDuty = [{ start: new Date(start).toISOString(), end: new Date(start + 8 * HOUR).toISOString() }];
      yield {
        at: correctedAt,
        actor: CLERK,
        action: 'time.correction_recorded',
        target,
        payload: { ...common, onDuty, reason: 'badge not scanned at check-out' },
      };
      yield { at: correctedAt, actor: LEADER, action: 'time.correction_approved', target, payload: { ...common, authorId: uuid(3, 3), dayStatus: 'open' } };
    }
  }
  const approvedAt = new Date(correctedAt.getTime() + HOUR);
  const facts = (a: number, d: number | null): Array<{ deploymentId: string; responderId: string; position: null }> => {
    const out: Array<{ deploymentId: string; responderId: string; position: null }> = [];
    for (let n = a; n < RESPONDERS; n += AGENCIES)
      for (let day = d ?? 0; day <= (d ?? DAYS - 1); day++) out.push({ deploymentId: deploymentUuid(n, day), responderId: responderUuid(n), position: null });
    return out;
  };
  for (let a = 0; a < AGENCIES; a++) {
    if (a === PERIOD_AGENCY) {
      const agency = agencyOf(a);
      yield {
        at: approvedAt,
        actor: LEADER,
        action: 'time.period_approved',
        target: { type: 'time_period', id: period.id },
        payload: {
          agency,
          periodId: period.id,
          label: 'Whole incident',
          startsAt: new Date(period.start).toISOString(),
          endsAt: new Date(period.end).toISOString(),
          deployments: facts(a, null),
        },
      };
      continue;
    }
    for (let d = 0; d < DAYS; d++) {
      const agency = agencyOf(a);
      yield {
        at: approvedAt,
        actor: LEADER,
        action: 'time.day_approved',
        target: { type: 'time_day', id: `${agency}|${dates[d]}` },
        payload: { agency, date: dates[d], deployments: facts(a, d) },
      };
    }
  }
  const certifiedAt = new Date(approvedAt.getTime() + HOUR);
  for (let a = 0; a < AGENCIES; a++) {
    const agency = agencyOf(a);
    const c = certified.get(agency);
    if (!c) continue;
    yield {
      at: certifiedAt,
      actor: CERTIFIER,
      action: 'time.package_certified',
      target: { type: 'agency', id: agency },
      payload: { agency, statement: CERTIFICATION_STATEMENT, totals: { ...c.totals }, responderDays: c.responderDays, deployments: facts(a, null) },
    };
  }
}

/** Writes the export (streamed, 2,000 entries a page) and returns its size and number of entries. */
async function writeAuditExport(
  file: string,
  certified: Map<string, { totals: AgencyTotals; responderDays: number }>,
): Promise<{ bytes: number; entries: number }> {
  let entries = 0;
  for (const chain = incidentChain(certified); !chain.next().done;) entries += 1;
  async function* pages(): AsyncGenerator<AuditEntryRecord[]> {
    let page: AuditEntryRecord[] = [];
    let seq = 0;
    for (const e of incidentChain(certified)) {
      seq += 1;
      page.push({
        id: String(seq),
        chainId: CHAIN,
        seq,
        occurredAt: e.at.toISOString(),
        actor: e.actor,
        action: e.action,
        incidentId: INCIDENT,
        targetType: e.target.type,
        targetId: e.target.id,
        payload: e.payload,
        prevHash: hex64(seq - 1),
        hash: hex64(seq),
      });
      if (page.length === 2000) {
        yield page;
        page = [];
      }
    }
    if (page.length > 0) yield page;
  }
  const out = createWriteStream(file);
  const header: Omit<AuditBundle, 'entries'> = {
    format: BUNDLE_FORMAT,
    version: BUNDLE_VERSION,
    chainId: CHAIN,
    incidentId: INCIDENT,
    exportedAt: new Date().toISOString(),
    head: { seq: entries, hash: hex64(entries) },
    checkpoints: [],
    jwks: { keys: [] },
    deviceChains: [],
  };
  await writeBundle(out, header, pages());
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
  return { bytes: (await stat(file)).size, entries };
}

/** Runs `time-package` on the export as a child process; peak RSS from /usr/bin/time -v, else from VmHWM polled. */
async function runCli(
  file: string,
  main = join(__dirname, '../apps/cli/src/main.js'),
): Promise<{ seconds: number; peakRssMiB: number; exitCode: number | null; stdout: string; stderr: string }> {
  const timeBin = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;
  const extra = (process.env.BENCH_CLI_ARGS ?? '').split(' ').filter((a) => a !== '');
  const node = [process.execPath, '--disable-warning=ExperimentalWarning', ...extra, main];
  const cli = ['time-package', '--audit-export', file, '--incident', INCIDENT, ...(CLI_THREADS ? ['--threads', CLI_THREADS] : [])];
  const [command, ...args] = timeBin ? [timeBin, '-v', ...node, ...cli] : [...node, ...cli];
  const started = performance.now();
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  let polledKiB = 0;
  const poll = timeBin
    ? null
    : setInterval(() => {
        readFile(`/proc/${child.pid}/status`, 'utf8').then(
          (status) => (polledKiB = Math.max(polledKiB, Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0))),
          () => undefined,
        );
      }, 50);
  const exitCode = await new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const seconds = (performance.now() - started) / 1000;
  if (poll) clearInterval(poll);
  const reportedKiB = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(stderr)?.[1] ?? 0);
  return { seconds, peakRssMiB: Math.round((timeBin ? reportedKiB : polledKiB) / 1024), exitCode, stdout, stderr };
}

async function main(): Promise<void> {
  const file = join(tmpdir(), `timesheets-bench-${process.pid}.csv`);
  const out = createWriteStream(file);
  const write = (text: string): Promise<void> => new Promise((resolve) => (out.write(text) ? resolve() : out.once('drain', resolve)));
  const { ledger, corrections } = ledgerFor();
  const totals = new Map<string, AgencyTotals>();
  const responderDays = new Map<string, number>();
  let rows = 0;
  let bytes = 0;
  const started = performance.now();
  const header = csvText([[...LABOUR_CSV_COLUMNS]]);
  bytes += header.length;
  await write(header);
  for (let from = 0; from < RESPONDERS; from += BATCH) {
    const { timelines, profiles } = batch(from, Math.min(RESPONDERS, from + BATCH));
    const summary = labourSummary(deriveTimeEntries(calendar, timelines, new Date()), ledger, rules, profiles, {
      settledOnly: true,
      responders: new Set(profiles.keys()),
    });
    const text = labourCsvLines(summary.rows);
    rows += summary.rows.length;
    bytes += Buffer.byteLength(text);
    await write(text);
    for (const r of summary.rows) responderDays.set(r.agency, (responderDays.get(r.agency) ?? 0) + 1);
    for (const t of summary.totals) {
      let sum = totals.get(t.agency);
      if (!sum) totals.set(t.agency, (sum = emptyTotals(t.agency)));
      addTotals(sum, t);
    }
  }
  const totalText = csvText(
    [...totals.values()].map((t) => [
      t.agency,
      null,
      'TOTAL',
      ...new Array<null>(4).fill(null),
      (t.travelMinutes / 60).toFixed(2),
      null,
      (t.regularMinutes / 60).toFixed(2),
      (t.overtimeMinutes / 60).toFixed(2),
    ]),
  );
  await write(totalText);
  await new Promise<void>((resolve) => out.end(resolve));
  const seconds = (performance.now() - started) / 1000;
  const peakMiB = process.resourceUsage().maxRSS / 1024;
  const claim = [...totals.values()].reduce((s, t) => s + t.claimCents, 0);
  console.log(
    JSON.stringify(
      {
        responders: RESPONDERS,
        days: DAYS,
        personDays: rows,
        batch: BATCH,
        corrections,
        seconds: Number(seconds.toFixed(1)),
        personDaysPerSecond: Math.round(rows / seconds),
        csvMiB: Number((bytes / 1024 / 1024).toFixed(1)),
        peakRssMiB: Math.round(peakMiB),
        claim: (claim / 100).toFixed(2),
        targets: { seconds: 30, peakRssMiB: 1024 },
      },
      null,
      2,
    ),
  );
  await unlink(file);
  if (SKIP_CLI) return;

  const exportFile = join(tmpdir(), `timesheets-bench-audit-${process.pid}.json`);
  const certified = new Map([...totals].map(([agency, t]) => [agency, { totals: t, responderDays: responderDays.get(agency) ?? 0 }]));
  try {
    const t = performance.now();
    const written = await writeAuditExport(exportFile, certified);
    const writeSeconds = (performance.now() - t) / 1000;
    const compareWith = process.env.BENCH_CLI_COMPARE;
    const figures = (run: Awaited<ReturnType<typeof runCli>>, load: number[]): Record<string, unknown> => ({
      loadAverageBefore: load.map((l) => Number(l.toFixed(2))),
      seconds: Number(run.seconds.toFixed(1)),
      entriesPerSecond: Math.round(written.entries / run.seconds),
      peakRssMiB: run.peakRssMiB,
      exitCode: run.exitCode,
      agenciesEqual: `${(run.stdout.match(/^ {2}equals the certified totals$/gm) ?? []).length} of ${certified.size}`,
    });
    const compareLoad = loadavg();
    const compared = compareWith ? figures(await runCli(exportFile, compareWith), compareLoad) : null;
    const load = loadavg();
    const run = await runCli(exportFile);
    console.log(
      JSON.stringify(
        {
          cli: `time-package --audit-export FILE --incident ID${CLI_THREADS ? ` --threads ${CLI_THREADS}` : ''}`,
          exportMiB: Math.round(written.bytes / 1024 / 1024),
          entries: written.entries,
          exportWriteSeconds: Number(writeSeconds.toFixed(1)),
          ...figures(run, load),
          ...(compared ? { compared: { main: compareWith, ...compared } } : {}),
          targets: { seconds: 30, peakRssMiB: 1024 },
          ...(KEEP_EXPORT ? { exportFile } : {}),
        },
        null,
        2,
      ),
    );
    if (run.exitCode !== 0) {
      console.error(run.stdout.split('\n').slice(0, 10).join('\n'));
      console.error(run.stderr.split('\n').slice(0, 10).join('\n'));
      process.exitCode = 1;
    }
  } finally {
    if (!KEEP_EXPORT) await unlink(exportFile).catch(() => undefined);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
