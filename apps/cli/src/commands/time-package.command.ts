import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { MAX_THREADS, recomputeAuditExport, type AgencyTotals, type ExportRecomputation, type Provisional, type Recomputed } from '@app/time-records/offline';
import { EXIT, UsageError, type CliCommand } from '../cli';

const USAGE = `Usage:
  time-package --audit-export FILE --incident ID [--agency NAME] [--approved] [--json] [--threads N]
      Recomputes the certified time packages of an incident from its audit export alone (GET /audit/export): check-ins,
      status changes and check-outs, the agencies' rules and rates, employment, corrections and approvals, and the
      deployment facts each certification records. Prints each agency's totals and whether they equal the certified ones.
      --agency NAME   only this agency
      --approved      also agencies not certified yet: the totals of their approved days (from the deployment facts each
                      day approval records), with the days approved and those waiting for re-approval; such figures may
                      still change until the package is certified
      --json          print the result as JSON (with --approved: { certified, provisional })
      --threads N     split the responders over N threads (1 to ${MAX_THREADS}), each reading the whole export and holding its
                      share; default: 2 (on 2 cores or more) for an export of 64 MiB or more, else 1. More threads use
                      more memory. The totals do not depend on it.
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
 * (docs/benchmarks.md). V8 reads this flag at each full collection, so it takes effect when set here, for the
 * recomputation's worker threads too; the CLI's process runs this one command.
 */
const BOUNDED_HEAP_GROWTH = '--heap-growing-percent=20';

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
        threads: { type: 'string' },
      },
    });
    const file = values['audit-export'];
    if (!file || !values.incident) throw new UsageError('time-package needs --audit-export FILE and --incident ID.');
    const threads = values.threads === undefined ? undefined : Number(values.threads);
    if (threads !== undefined && !(Number.isInteger(threads) && threads >= 1 && threads <= MAX_THREADS)) {
      throw new UsageError(`--threads takes a whole number from 1 to ${MAX_THREADS}.`);
    }
    setFlagsFromString(BOUNDED_HEAP_GROWTH);
    let recomputed: ExportRecomputation;
    try {
      recomputed = await recomputeAuditExport(file, { threads, provisional: values.approved === true });
    } catch (err) {
      recomputed = { ok: false, reason: err instanceof Error ? err.message : String(err) };
    }
    if (!recomputed.ok) {
      io.stderr.write(`time-package: ${recomputed.reason}\n`);
      return EXIT.usage;
    }
    if (recomputed.incidentId !== values.incident) {
      io.stderr.write(`time-package: the export is of incident ${String(recomputed.incidentId)}, not ${values.incident}\n`);
      return EXIT.usage;
    }
    const wanted = (r: { agency: string }): boolean => values.agency === undefined || r.agency === values.agency;
    const results: Recomputed[] = recomputed.certified.filter(wanted);
    const provisional: Provisional[] = recomputed.provisional.filter(wanted);
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
