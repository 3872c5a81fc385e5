import { open, readFile, stat } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { parseBundle, parseBundleHeader } from '@app/audit';
import { ACTOR_ACTIONS, AuditRecomputation, REPLAYED_ACTIONS, type AgencyTotals, type Provisional, type Recomputed } from '@app/time-records';
import { EXIT, UsageError, type CliCommand } from '../cli';
import { auditedEntry, entryOfLine, forEachLine, isClosing, trimmedLine } from './export-lines';

const USAGE = `Usage:
  time-package --audit-export FILE --incident ID [--agency NAME] [--approved] [--json]
      Recomputes the certified time packages of an incident from its audit export alone (GET /audit/export): check-ins,
      status changes and check-outs, the agencies' rules and rates, employment, corrections and approvals, and the
      deployment facts each certification records. Prints each agency's totals and whether they equal the certified ones.
      --agency NAME   only this agency
      --approved      also agencies not certified yet: the totals of their approved days (from the deployment facts each
                      day approval records), with the days approved and those waiting for re-approval; such figures may
                      still change until the package is certified
      --json          print the result as JSON (with --approved: { certified, provisional })
      Exit 0 every certified total equals its certification (and something was recomputed), 1 a total differs or
      nothing was recomputed, 2 usage error or an unreadable export.
      Verify the bundle first (audit-verify): this command trusts the entries it is given.`;

const hours = (minutes: number): string => (minutes / 60).toFixed(2);
const money = (cents: number): string => (cents / 100).toFixed(2);
const line = (t: AgencyTotals): string =>
  `travel ${hours(t.travelMinutes)} h, regular ${hours(t.regularMinutes)} h, overtime ${hours(t.overtimeMinutes)} h, claim ${money(t.claimCents)}, donated ${hours(t.donatedMinutes)} h worth ${money(t.donatedCents)}`;

/**
 * The recomputation keeps a few hundred MiB alive (the replayed deployments) while it makes garbage fast (every line,
 * every batch of a certified package). With V8's default heap growth the heap grows to several times what is alive
 * between full collections (1.5 GiB at 1.5 M person-days); growing it by at most 20% keeps the peak near 700 MiB
 * (docs/benchmarks.md). V8 reads this flag at each full collection, so it takes effect when set here; the CLI's
 * process runs this one command.
 */
const BOUNDED_HEAP_GROWTH = '--heap-growing-percent=20';

/** Beyond this a file is read only in the export's line layout (header line, then one entry per line). */
const WHOLE_PARSE_LIMIT = 256 * 1024 * 1024;
const ENTRIES_MARKER = Buffer.from(',"entries":[');

type Replayed = { ok: true; incidentId: string | null; exportedAt: string; recomputation: AuditRecomputation } | { ok: false; reason: string };

/**
 * Replays the export into a recomputation without holding its entries: in the export's layout (the header, then
 * `"entries":[` and one entry per line) line by line; any other JSON layout parsed whole, up to WHOLE_PARSE_LIMIT.
 */
async function replay(file: string): Promise<Replayed> {
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch (err) {
    return { ok: false, reason: `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}` };
  }
  const handle = await open(file, 'r');
  const head = Buffer.alloc(Math.min(size, 16 * 1024 * 1024));
  try {
    await handle.read(head, 0, head.length, 0);
  } finally {
    await handle.close();
  }
  const marker = head.indexOf(ENTRIES_MARKER);
  const firstBreak = head.indexOf(0x0a);
  if (marker > 0 && firstBreak === marker + ENTRIES_MARKER.length) {
    const header = parseBundleHeader(`${head.subarray(0, marker).toString('utf8')}}`);
    if (!header.ok) return header;
    const recomputation = new AuditRecomputation();
    const reading = { replayed: REPLAYED_ACTIONS, withActor: ACTOR_ACTIONS };
    let closed = false;
    let problem: string | null = null;
    const lines = await open(file, 'r');
    try {
      await forEachLine(lines, firstBreak + 1, (raw) => {
        const text = trimmedLine(raw, 0, raw.length);
        if (text.length === 0) return true;
        if (closed) problem = `${file}: text after the end of the entries`;
        else if (isClosing(text)) closed = true;
        else {
          const entry = entryOfLine(text, reading);
          if (entry) recomputation.add(entry);
          else problem = `${file}: an entry line is not an audit entry`;
        }
        return problem === null;
      });
    } finally {
      await lines.close();
    }
    if (problem !== null) return { ok: false, reason: problem };
    if (!closed) return { ok: false, reason: `${file}: the entries are not closed (a truncated export?)` };
    return { ok: true, incidentId: header.header.incidentId, exportedAt: header.header.exportedAt, recomputation };
  }
  if (size > WHOLE_PARSE_LIMIT) return { ok: false, reason: `${file} is too large to read whole and is not in the export's one-entry-per-line layout` };
  let value: unknown;
  try {
    value = JSON.parse(await readFile(file, 'utf8'));
  } catch {
    return { ok: false, reason: `${file} is not JSON` };
  }
  const parsed = parseBundle(value);
  if (!parsed.ok) return parsed;
  const recomputation = new AuditRecomputation();
  for (const e of [...parsed.bundle.entries].sort((a, b) => a.seq - b.seq)) {
    const entry = auditedEntry(e);
    if (!entry) return { ok: false, reason: `${file}: entry ${e.seq} is not an audit entry` };
    recomputation.add(entry);
  }
  return { ok: true, incidentId: parsed.bundle.incidentId, exportedAt: parsed.bundle.exportedAt, recomputation };
}

function printProvisional(p: Provisional, write: (text: string) => void): void {
  write(`${p.agency} (NOT CERTIFIED; approved days as of ${p.asOf}): ${line(p.totals)}\n`);
  write(`  approved days counted: ${p.approvedDates.join(', ') || 'none'}\n`);
  if (p.reapprovalDates.length > 0) write(`  corrected after approval, waiting for re-approval (not counted): ${p.reapprovalDates.join(', ')}\n`);
  write('  not certified: these figures may still change (corrections, re-approvals, days not approved yet)\n');
}

/** `time-package`: an auditor's offline recomputation of the certified packages (and, asked, of approved days). */
export const timePackageCommand: CliCommand = {
  summary: 'Recompute certified time packages from an audit export (exit 0 same totals)',
  usage: USAGE,
  async run(args, io) {
    const { values } = parseArgs({
      args,
      strict: true,
      options: {
        'audit-export': { type: 'string' },
        incident: { type: 'string' },
        agency: { type: 'string' },
        approved: { type: 'boolean' },
        json: { type: 'boolean' },
      },
    });
    const file = values['audit-export'];
    if (!file || !values.incident) throw new UsageError('time-package needs --audit-export FILE and --incident ID.');
    setFlagsFromString(BOUNDED_HEAP_GROWTH);
    let replayed: Replayed;
    try {
      replayed = await replay(file);
    } catch (err) {
      replayed = { ok: false, reason: err instanceof Error ? err.message : String(err) };
    }
    if (!replayed.ok) {
      io.stderr.write(`time-package: ${replayed.reason}\n`);
      return EXIT.usage;
    }
    if (replayed.incidentId !== values.incident) {
      io.stderr.write(`time-package: the export is of incident ${String(replayed.incidentId)}, not ${values.incident}\n`);
      return EXIT.usage;
    }
    const wanted = (r: { agency: string }): boolean => values.agency === undefined || r.agency === values.agency;
    const results: Recomputed[] = replayed.recomputation.results().filter(wanted);
    const provisional: Provisional[] = values.approved ? replayed.recomputation.provisional(new Date(replayed.exportedAt)).filter(wanted) : [];
    const write = (text: string): void => {
      io.stdout.write(text);
    };
    if (values.json) write(`${JSON.stringify(values.approved ? { certified: results, provisional } : results, null, 2)}\n`);
    else if (results.length === 0 && provisional.length === 0)
      write(values.approved ? 'No certified package and no approved day in this export.\n' : 'No certified package in this export.\n');
    else {
      for (const r of results) {
        write(`${r.agency} (certified ${r.certifiedAt}): ${line(r.totals)}\n`);
        write(r.matches ? '  equals the certified totals\n' : `  DIFFERS from the certified totals: ${line(r.certified)}\n`);
      }
      for (const p of provisional) printProvisional(p, write);
    }
    return results.length + provisional.length > 0 && results.every((r) => r.matches) ? EXIT.ok : EXIT.negative;
  },
};
