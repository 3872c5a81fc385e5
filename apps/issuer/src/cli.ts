import { parseArgs } from 'node:util';
import { runIssueContract } from './jose-cose-issue';

/**
 * `npm run -s issuer:cli -- <command>`: talks to a running demo issuer (`npm run issuer`) over its management API,
 * except for the W3C vc-jose-cose test-suite form of `issue`, which signs locally with the key file it is given.
 */
const USAGE = `usage:
  issue --board SLUG --qualification CODE --name NAME [--email ADDRESS] [--subject-id URL] [--license-number N]
        [--format vc+jwt|ob3-jwt|jwt-vc|dc+sd-jwt|dc+sd-jwt-json|ldp-vc|ldp-vp] [--valid-from ISO] [--valid-until ISO] [--no-status] [--server URL]
      prints the credential (compact JWS, the SD-JWT with its Disclosures, ldp-vc or ldp-vp JSON) on stdout; its id and status index on stderr
  issue --input FILE --key FILE --feature credential_jose|presentation_jose --output FILE
      W3C vc-jose-cose test-suite contract: writes {"result":"success","data":"<JWS>"} or {"result":"failure",...}
  revoke|suspend|reinstate --board SLUG --index N [--server URL]
  boards [--server URL]
server default: http://127.0.0.1:4100 (or ISSUER_URL)
`;

class UsageError extends Error {}

type Flags = Record<string, string | boolean | undefined>;

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      board: { type: 'string' },
      qualification: { type: 'string' },
      name: { type: 'string' },
      email: { type: 'string' },
      'subject-id': { type: 'string' },
      'license-number': { type: 'string' },
      format: { type: 'string' },
      'valid-from': { type: 'string' },
      'valid-until': { type: 'string' },
      'no-status': { type: 'boolean' },
      index: { type: 'string' },
      server: { type: 'string' },
      input: { type: 'string' },
      key: { type: 'string' },
      feature: { type: 'string' },
      output: { type: 'string' },
      sd: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const command = positionals[0];
  if (values.help || command === undefined || command === 'help') {
    process.stdout.write(USAGE);
    return command === undefined && !values.help ? 2 : 0;
  }
  const server = (values.server ?? process.env.ISSUER_URL ?? 'http://127.0.0.1:4100').replace(/\/$/, '');
  switch (command) {
    case 'issue':
      return values.input !== undefined ? contractIssue(values) : issueThroughServer(server, values);
    case 'revoke':
    case 'suspend':
    case 'reinstate':
      return changeStatus(server, command, values);
    case 'boards':
      return listBoards(server);
    default:
      throw new UsageError(`unknown command ${command}`);
  }
}

async function contractIssue(values: Flags): Promise<number> {
  const input = required(values, 'input');
  const key = required(values, 'key');
  const feature = required(values, 'feature');
  const output = required(values, 'output');
  const result = await runIssueContract({ input, key, feature, output });
  if (result.result !== 'success') process.stderr.write(`${result.result}: ${result.reason}: ${result.message}\n`);
  return result.result === 'success' ? 0 : 1;
}

async function issueThroughServer(server: string, values: Flags): Promise<number> {
  const board = required(values, 'board');
  const body = {
    format: typeof values.format === 'string' ? values.format : 'vc+jwt',
    qualification: required(values, 'qualification').toUpperCase(),
    subject: {
      name: required(values, 'name'),
      ...(typeof values.email === 'string' ? { email: values.email } : {}),
      ...(typeof values['subject-id'] === 'string' ? { id: values['subject-id'] } : {}),
    },
    ...(typeof values['license-number'] === 'string' ? { licenseNumber: values['license-number'] } : {}),
    ...(typeof values['valid-from'] === 'string' ? { validFrom: isoInstant(values['valid-from']) } : {}),
    ...(typeof values['valid-until'] === 'string' ? { validUntil: isoInstant(values['valid-until']) } : {}),
    ...(values['no-status'] === true ? { withStatus: false } : {}),
  };
  const issued = (await call(server, 'POST', `/boards/${encodeURIComponent(board)}/credentials`, body)) as {
    jws: string;
    credentialId: string;
    statusIndex: number;
  };
  process.stdout.write(`${issued.jws}\n`);
  process.stderr.write(`${board} issued ${issued.credentialId}, status index ${issued.statusIndex}\n`);
  return 0;
}

async function changeStatus(server: string, action: string, values: Flags): Promise<number> {
  const board = required(values, 'board');
  const index = required(values, 'index');
  if (!/^\d+$/.test(index)) throw new UsageError('--index must be a non-negative integer');
  const state = (await call(server, 'POST', `/boards/${encodeURIComponent(board)}/credentials/${index}/${action}`)) as {
    revoked: boolean;
    suspended: boolean;
  };
  process.stdout.write(`${board} status index ${index}: revoked=${state.revoked} suspended=${state.suspended}\n`);
  return 0;
}

async function listBoards(server: string): Promise<number> {
  const { boards } = (await call(server, 'GET', '/boards')) as { boards: Array<{ slug: string; alg: string; did: string; name: string }> };
  for (const b of boards) process.stdout.write(`${b.slug.padEnd(12)} ${b.alg.padEnd(6)} ${b.did}  (${b.name})\n`);
  return 0;
}

async function call(server: string, method: string, path: string, body?: unknown): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(`${server}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (err) {
    const cause = err instanceof Error && err.cause instanceof Error ? err.cause.message : String(err);
    throw new Error(`cannot reach the issuer at ${server} (${cause}); is \`npm run issuer\` running?`);
  }
  const text = await res.text();
  const parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  if (!res.ok) throw new Error(`${res.status} ${String(parsed.code ?? '')}: ${String(parsed.detail ?? text)}`);
  return parsed;
}

/** Accepts a date (`2027-06-30`, taken as midnight UTC) or a full ISO instant with an offset. */
function isoInstant(value: string): string {
  return /^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value;
}

function required(values: Flags, name: string): string {
  const value = values[name];
  if (typeof value !== 'string' || value === '') throw new UsageError(`--${name} is required`);
  return value;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    const usage = err instanceof UsageError || (err instanceof TypeError && 'code' in err && String(err.code).startsWith('ERR_PARSE_ARGS'));
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n${usage ? USAGE : ''}`);
    process.exitCode = usage ? 2 : 1;
  },
);
