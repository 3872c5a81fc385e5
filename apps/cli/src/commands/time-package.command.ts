import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { parseBundle } from '@app/audit';
import { recomputeFromAudit, type AgencyTotals, type Recomputed } from '@app/time-records';
import { EXIT, UsageError, type CliCommand } from '../cli';

const USAGE = `Usage:
  time-package --audit-export FILE --incident ID [--agency NAME] [--json]
      Recomputes the certified time packages of an incident from its audit export alone (GET /audit/export): check-ins,
      status changes and check-outs, the agencies' rules and rates, employment, corrections and approvals, and the
      deployment facts each certification records. Prints each agency's totals and whether they equal the certified ones.
      --agency NAME   only this agency
      --json          print the result as JSON
      Exit 0 every total equals its certification, 1 a total differs or nothing is certified, 2 usage error.
      Verify the bundle first (audit-verify): this command trusts the entries it is given.`;

const hours = (minutes: number): string => (minutes / 60).toFixed(2);
const money = (cents: number): string => (cents / 100).toFixed(2);
const line = (t: AgencyTotals): string =>
  `regular ${hours(t.regularMinutes)} h, overtime ${hours(t.overtimeMinutes)} h, claim ${money(t.claimCents)}, donated ${hours(t.donatedMinutes)} h worth ${money(t.donatedCents)}`;

/** `time-package`: an auditor's offline recomputation of the certified packages. */
export const timePackageCommand: CliCommand = {
  summary: 'Recompute certified time packages from an audit export (exit 0 same totals)',
  usage: USAGE,
  async run(args, io) {
    const { values } = parseArgs({
      args,
      strict: true,
      options: { 'audit-export': { type: 'string' }, incident: { type: 'string' }, agency: { type: 'string' }, json: { type: 'boolean' } },
    });
    const file = values['audit-export'];
    if (!file || !values.incident) throw new UsageError('time-package needs --audit-export FILE and --incident ID.');
    const parsed = parseBundle(JSON.parse(await readFile(file, 'utf8')) as unknown);
    if (!parsed.ok) {
      io.stderr.write(`time-package: ${parsed.reason}\n`);
      return EXIT.usage;
    }
    if (parsed.bundle.incidentId !== values.incident) {
      io.stderr.write(`time-package: the export is of incident ${String(parsed.bundle.incidentId)}, not ${values.incident}\n`);
      return EXIT.usage;
    }
    const results: Recomputed[] = recomputeFromAudit(parsed.bundle.entries).filter((r) => values.agency === undefined || r.agency === values.agency);
    if (values.json) io.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
    else if (results.length === 0) io.stdout.write('No certified package in this export.\n');
    else {
      for (const r of results) {
        io.stdout.write(`${r.agency} (certified ${r.certifiedAt}): ${line(r.totals)}\n`);
        io.stdout.write(r.matches ? '  equals the certified totals\n' : `  DIFFERS from the certified totals: ${line(r.certified)}\n`);
      }
    }
    return results.length > 0 && results.every((r) => r.matches) ? EXIT.ok : EXIT.negative;
  },
};
