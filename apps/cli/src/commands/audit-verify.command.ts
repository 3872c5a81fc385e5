import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { JWK } from 'jose';
import { verifyBundleFile, type ChainVerification, type DeviceChainsVerification } from '@app/audit';
import { EXIT, UsageError, type CliCommand } from '../cli';

const USAGE = `Usage:
  audit-verify BUNDLE --jwks TRUSTED_KEYS.json [--json] [--threads N]
      Verifies an audit bundle (GET /audit/export) offline: no server, no database. Recomputes every entry's hash
      and the links between them, checks the signed checkpoints, and prints OK or the first bad entry and what is
      wrong with it (modified, deleted, inserted, reordered, checkpoint_mismatch). An incident's bundle also carries
      its offline stations' device chains: each synced entry's hash, link and device signature are checked, the
      device key against its registration in the audit chain, and each entry against the audit entry that recorded it.
      --jwks FILE   the checkpoint keys you trust (a JWK Set of public keys, pinned: see docs/security.md). Required:
                    the keys listed inside a bundle come from the server that exported it and prove nothing
      --json        print the verification result as JSON (the same shape as GET /audit/verify)
      --threads N   worker threads for hashing (default: the number of cores; compiled builds only)
      Exit 0 intact, 1 tampered, 2 usage error or a file that is not a readable bundle.`;

/** `audit-verify BUNDLE`: the same detection logic as GET /audit/verify, on an exported bundle. */
export const auditVerifyCommand: CliCommand = {
  summary: 'Verify an exported audit bundle offline (exit 0 intact, 1 tampered)',
  usage: USAGE,
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: { jwks: { type: 'string' }, json: { type: 'boolean' }, threads: { type: 'string' } },
    });
    if (positionals.length !== 1) throw new UsageError('audit-verify needs exactly one bundle file.');
    if (values.jwks === undefined) throw new UsageError('audit-verify needs the checkpoint keys you trust: --jwks FILE.');
    const threads = values.threads === undefined ? undefined : Number(values.threads);
    if (threads !== undefined && !(Number.isInteger(threads) && threads >= 1 && threads <= 64))
      throw new UsageError('--threads must be a whole number from 1 to 64.');
    const file = positionals[0];

    const trusted = await readJwks(values.jwks);
    if (typeof trusted === 'string') {
      io.stderr.write(`audit-verify: ${trusted}\n`);
      return EXIT.usage;
    }

    const started = performance.now();
    const outcome = await verifyBundleFile(file, { trustedJwks: trusted, threads });
    if (!outcome.ok) {
      io.stderr.write(`audit-verify: ${outcome.reason}\n`);
      return EXIT.usage;
    }
    const seconds = (performance.now() - started) / 1000;
    const { header, verification, devices, threads: used } = outcome.result;
    if (values.json) io.stdout.write(`${JSON.stringify({ ...verification, deviceChains: devices }, null, 2)}\n`);
    else io.stdout.write(describe(verification, header.exportedAt, `the trusted JWK Set ${values.jwks}`, seconds, used) + describeDevices(devices));
    return verification.ok && devices.ok ? EXIT.ok : EXIT.negative;
  },
};

function describe(r: ChainVerification, exportedAt: string, keySource: string, seconds: number, threads: number): string {
  const lines = [
    `chain ${r.chainId}, exported ${exportedAt}: ${r.entries} entries checked in ${seconds.toFixed(2)} s (${threads} thread${threads === 1 ? '' : 's'})`,
  ];
  lines.push(
    `checkpoint keys from ${keySource}; ${r.checkpoints.verified} checkpoint(s) verified${r.checkpoints.latest ? `, latest at seq ${r.checkpoints.latest.seq} (${r.checkpoints.latest.createdAt})` : ''}`,
  );
  if (r.ok) {
    lines.push(`OK: the chain is intact${r.head ? `; head seq ${r.head.seq}, hash ${r.head.hash}` : ' (empty)'}`);
    const latest = r.checkpoints.latest?.seq ?? 0;
    if (r.head && r.head.seq > latest) lines.push(`note: entries ${latest + 1} to ${r.head.seq} are after the latest signed checkpoint`);
  } else {
    const p = r.problem;
    lines.push(`TAMPERED: ${p.kind} at seq ${p.seq}${p.entryId ? ` (entry id ${p.entryId})` : ''}`);
    lines.push(`  ${p.message}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Problems listed before the rest are summarized: one edited entry is enough to reject a log. */
const LISTED_PROBLEMS = 20;

function describeDevices(d: DeviceChainsVerification): string {
  if (!d.included && d.ok) return '';
  const lines = [
    `device chains: ${d.devices} station(s), ${d.entries} synced entries checked${d.gaps > 0 ? `, ${d.gaps} after a gap in a station's log` : ''}`,
  ];
  if (d.ok) lines.push('OK: every device entry matches its hash, its device signature and the audit chain');
  else {
    lines.push(`TAMPERED: ${d.problems.length} problem(s) in the device chains`);
    for (const p of d.problems.slice(0, LISTED_PROBLEMS)) lines.push(`  ${p.kind}: ${p.message}`);
    if (d.problems.length > LISTED_PROBLEMS) lines.push(`  … and ${d.problems.length - LISTED_PROBLEMS} more (--json lists them all)`);
  }
  return `${lines.join('\n')}\n`;
}

/** The JWK Set of public keys in `file`, or why it is not one. */
async function readJwks(file: string): Promise<{ keys: JWK[] } | string> {
  let value: unknown;
  try {
    value = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    return `${file} is not a readable JSON file (${(err as NodeJS.ErrnoException).code ?? 'invalid JSON'})`;
  }
  const keys = (value as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys)) return `${file} is not a JWK Set`;
  if (keys.some((k: unknown) => typeof k !== 'object' || k === null || 'd' in k)) return `${file} holds a private key: pin public keys only`;
  return { keys: keys as JWK[] };
}
