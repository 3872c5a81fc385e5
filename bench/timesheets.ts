/**
 * npm run bench:timesheets — the labour package of one incident: BENCH_RESPONDERS (50,000) responders over BENCH_DAYS
 * (30) days, one 12-hour shift a day with a 30-minute rest on the board, in the incident's time zone
 * (America/New_York), 50 agencies with daily and weekly overtime, a tenth budgeted and a tenth volunteers, one
 * approved correction in a hundred responder days, every day approved. The package is built streamed: responders
 * in batches of BENCH_BATCH (200), each batch through the same rules as the server (deriveTimeEntries, the
 * ledger, labourSummary) and written as CSV rows before the next is made; totals are summed per agency.
 *
 * What it measures: the rules and the CSV, in one process, with the input generated in memory (no database read).
 * Prints the time, the rows, the CSV size and the peak RSS.
 */
import { createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { csvText } from '@app/common';
import {
  addDays,
  deriveTimeEntries,
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

const calendar: IncidentCalendar = { timeZone: ZONE, startDate: FIRST, endDate: addDays(FIRST, DAYS - 1) };
const dates = Array.from({ length: DAYS }, (_, i) => addDays(FIRST, i));
const midnights = dates.map((d) => startOfLocalDay(d, ZONE).getTime());
const agencyOf = (n: number): string => `Agency ${String(n % AGENCIES).padStart(2, '0')}`;
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
 * open; then every day of every agency approved: the ledger the whole package shares.
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
  for (let a = 0; a < AGENCIES; a++)
    for (const date of dates) ledger.approve({ id: `${a}|${date}`, agency: agencyOf(a), date, approvedBy: 'bench-leader', at });
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
      });
    }
  }
  return { timelines, profiles };
}

async function main(): Promise<void> {
  const file = join(tmpdir(), `timesheets-bench-${process.pid}.csv`);
  const out = createWriteStream(file);
  const write = (text: string): Promise<void> => new Promise((resolve) => (out.write(text) ? resolve() : out.once('drain', resolve)));
  const { ledger, corrections } = ledgerFor();
  const totals = new Map<string, AgencyTotals>();
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
    for (const t of summary.totals) {
      const sum = totals.get(t.agency) ?? {
        agency: t.agency,
        travelMinutes: 0,
        regularMinutes: 0,
        overtimeMinutes: 0,
        claimCents: 0,
        donatedMinutes: 0,
        donatedCents: 0,
      };
      for (const k of ['travelMinutes', 'regularMinutes', 'overtimeMinutes', 'claimCents', 'donatedMinutes', 'donatedCents'] as const) sum[k] += t[k];
      totals.set(t.agency, sum);
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
  const { unlink } = await import('node:fs/promises');
  await unlink(file);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
