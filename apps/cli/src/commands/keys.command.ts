import { parseArgs } from 'node:util';
import { SIGNING_KEY_PURPOSES, ServerKeysRepository, ServerKeysService, type SigningKeyPurpose, type SigningKeyView } from '@app/auth';
import { AuditKeyChangeEvents, AuditTrail, AuditTrailRepository } from '@app/audit';
import { DomainError } from '@app/common';
import { parseConfig, type AppConfig } from '@app/config';
import { Database } from '@app/db';
import { RecordIssuerKeysService, RecordKeysRepository } from '@app/deployment-records';
import { EXIT, UsageError, type CliCommand } from '../cli';

const USAGE = `Usage:
  keys list [--json]
      Every signing key (access_token, audit_checkpoint, incident_pack, deployment_record) with its state
      (announced, active, verifying, retired) and windows.
  keys rotate --purpose PURPOSE [--activate-in SECONDS] [--overlap SECONDS] [--json]
      Publishes a new key at once; it signs after --activate-in (default 600; 0 when the current key leaked), when the
      key it replaces stops signing. The replaced key keeps verifying for --overlap more (access tokens: default the
      token lifetime; incident packs: 30 days; checkpoints and deployment records: for good, --overlap refused).
      Every api and worker process switches by itself (no restart). Recorded as signing_key.rotated in the audit
      trail (actor: the CLI). Connects with DATABASE_URL and the same KEY_ENCRYPTION_KEY as the api.`;

/** `keys list` / `keys rotate`: the same rotation as POST /admin/keys/{purpose}/rotate, for an operator at a shell. */
export const keysCommand: CliCommand = {
  summary: 'List the signing keys, or rotate one (with its overlap window)',
  usage: USAGE,
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: { purpose: { type: 'string' }, 'activate-in': { type: 'string' }, overlap: { type: 'string' }, json: { type: 'boolean' } },
    });
    const [action, ...rest] = positionals;
    if (rest.length > 0 || (action !== 'list' && action !== 'rotate')) throw new UsageError('keys needs list or rotate.');
    const config = parseConfig(io.env);
    if (action === 'list') {
      return withKeys(config, async (keys) => {
        const list = await keys.list();
        io.stdout.write(values.json ? `${JSON.stringify(list, null, 2)}\n` : describe(list));
        return EXIT.ok;
      });
    }
    const purpose = values.purpose as SigningKeyPurpose | undefined;
    if (!purpose || !SIGNING_KEY_PURPOSES.includes(purpose)) throw new UsageError(`--purpose must be one of ${SIGNING_KEY_PURPOSES.join(', ')}.`);
    const activateInSeconds = seconds(values['activate-in'], '--activate-in', 604_800);
    const overlapSeconds = seconds(values.overlap, '--overlap', 31_536_000);
    return withKeys(config, async (keys) => {
      try {
        const rotation = await keys.rotate(purpose, { activateInSeconds, overlapSeconds }, { cli: true });
        if (values.json) io.stdout.write(`${JSON.stringify(rotation, null, 2)}\n`);
        else {
          io.stdout.write(`${purpose}: new key ${rotation.kid}, published now, signs from ${rotation.activatesAt.toISOString()}\n`);
          for (const r of rotation.replaced) {
            io.stdout.write(
              `  replaces ${r.kid}: signs until ${r.retiresAt.toISOString()}, verifies ${r.verifiesUntil ? `until ${r.verifiesUntil.toISOString()}` : 'for good'}\n`,
            );
          }
        }
        return EXIT.ok;
      } catch (err) {
        if (!(err instanceof DomainError)) throw err;
        io.stderr.write(`keys rotate: ${err.message} (${err.code})\n`);
        return EXIT.negative;
      }
    });
  },
};

function seconds(value: string | undefined, name: string, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > max) throw new UsageError(`${name} must be a whole number of seconds from 0 to ${max}.`);
  return n;
}

function describe(keys: SigningKeyView[]): string {
  const iso = (d: Date | null): string => (d ? d.toISOString() : '-');
  const lines = [['PURPOSE', 'KID', 'STATE', 'SOURCE', 'SIGNS FROM', 'SIGNS UNTIL', 'VERIFIES UNTIL']];
  for (const k of keys) {
    const verifies = k.verifiesUntil ? iso(k.verifiesUntil) : k.state === 'active' || k.state === 'announced' ? '-' : 'for good';
    lines.push([k.purpose, k.kid, k.state, k.source, iso(k.activatesAt), iso(k.retiresAt), verifies]);
  }
  const widths = lines[0].map((_, i) => Math.max(...lines.map((l) => l[i].length)));
  return `${lines
    .map((l) =>
      l
        .map((c, i) => c.padEnd(widths[i]))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')}\n`;
}

/**
 * The key services wired by hand on a small pool (the CLI runs without Nest's injection) and closed after `work`. The
 * key table is only read and rotated: no key is generated or retired at start, whatever this shell's environment says.
 */
async function withKeys(config: AppConfig, work: (keys: ServerKeysService) => Promise<number>): Promise<number> {
  const { database, close } = await Database.connect(config.database.url, { poolSize: 2, applicationName: 'responder-checkin keys' });
  try {
    const keys = new ServerKeysService(
      database,
      new ServerKeysRepository(database),
      config,
      new AuditKeyChangeEvents(new AuditTrail(new AuditTrailRepository())),
    );
    if (config.records.issuerDid) keys.registerExternal(new RecordIssuerKeysService(database, new RecordKeysRepository(database), keys, config));
    return await work(keys);
  } finally {
    await close();
  }
}
