import { readFile } from 'node:fs/promises';
import type { JWK } from 'jose';
import { verifyBundleFile, type ChainVerification } from '@app/audit';

export const AUDIT_VERIFY_USAGE = `usage: audit-verify BUNDLE [--jwks TRUSTED_JWKS.json] [--json]

Verifies an audit bundle (GET /audit/export) offline: no server, no database.
  --jwks FILE  check checkpoint signatures with this JWK Set (a copy of the server's /.well-known/jwks.json you
               trust) instead of the keys inside the bundle
  --json       print the verification result as JSON
Exit status: 0 intact, 1 tampered (the first bad entry is printed), 2 usage error or unreadable bundle.`;

export interface CommandIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

/** `audit-verify BUNDLE`: runs the same detection logic as GET /audit/verify on an exported bundle. */
export async function auditVerify(args: readonly string[], io: CommandIo, options: { threads?: number } = {}): Promise<number> {
  let file: string | undefined;
  let jwksFile: string | undefined;
  let json = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--json') json = true;
    else if (arg === '--jwks') jwksFile = args[++i];
    else if (arg === '-h' || arg === '--help') {
      io.stdout(`${AUDIT_VERIFY_USAGE}\n`);
      return 0;
    } else if (arg.startsWith('-') || file !== undefined) {
      io.stderr(`audit-verify: unexpected argument "${arg}"\n${AUDIT_VERIFY_USAGE}\n`);
      return 2;
    } else file = arg;
  }
  if (!file || (args.includes('--jwks') && !jwksFile)) {
    io.stderr(`${AUDIT_VERIFY_USAGE}\n`);
    return 2;
  }

  let trusted: { keys: JWK[] } | undefined;
  if (jwksFile) {
    const keys = await readJson(jwksFile);
    const value = keys.ok ? (keys.value as { keys?: unknown }) : undefined;
    if (!keys.ok || !Array.isArray(value?.keys)) {
      io.stderr(`audit-verify: ${jwksFile} is not a JWK Set${keys.ok ? '' : ` (${keys.reason})`}\n`);
      return 2;
    }
    trusted = { keys: value.keys as JWK[] };
  }

  const started = performance.now();
  const outcome = await verifyBundleFile(file, { trustedJwks: trusted, threads: options.threads });
  if (!outcome.ok) {
    io.stderr(`audit-verify: ${outcome.reason}\n`);
    return 2;
  }
  const seconds = (performance.now() - started) / 1000;
  const { header, verification: result, threads } = outcome.result;
  if (json) io.stdout(`${JSON.stringify(result, null, 2)}\n`);
  else io.stdout(describe(result, header.exportedAt, trusted ? `the trusted JWK Set ${jwksFile}` : 'the bundle (pin them with --jwks)', seconds, threads));
  return result.ok ? 0 : 1;
}

function describe(r: ChainVerification, exportedAt: string, keySource: string, seconds: number, threads: number): string {
  const lines = [`chain ${r.chainId}, exported ${exportedAt}: ${r.entries} entries checked in ${seconds.toFixed(2)} s (${threads} thread${threads === 1 ? '' : 's'})`];
  lines.push(`checkpoint keys from ${keySource}; ${r.checkpoints.verified} checkpoint(s) verified${r.checkpoints.latest ? `, latest at seq ${r.checkpoints.latest.seq} (${r.checkpoints.latest.createdAt})` : ''}`);
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

async function readJson(file: string): Promise<{ ok: true; value: unknown } | { ok: false; reason: string }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    return { ok: false, reason: `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}` };
  }
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false, reason: `${file} is not JSON` };
  }
}
