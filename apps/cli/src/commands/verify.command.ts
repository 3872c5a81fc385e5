import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { parseConfig } from '@app/config';
import {
  ContractVerifier,
  MAX_INPUT_BYTES,
  ownRecordIssuerFrom,
  verifierFromConfig,
  withOwnRecordIssuer,
  type ContractFeature,
  type TrustSource,
} from '@app/credentials';
import { EXIT, UsageError, type CliCommand, type CliIo } from '../cli';

const USAGE = `Usage:
  verify [--trust FILE] [--jurisdiction CODE] [--mutual-aid CODES] [--now ISO] [--full-report]
         [--challenge NONCE] [--domain AUDIENCE] [FILE | -]
      Verifies a credential (what a scan yields: a compact JWS, an SD-JWT VC, JSON credential text, a data: URL,
      or a URL carrying one; FILE, or - / nothing for stdin) and prints the verification result as JSON.
      --challenge / --domain: the nonce and audience an SD-JWT VC's Key Binding JWT must carry (Key Binding is then
      required). With --trust the trust registry is read from a trust-list file
      (offline, no server); without it, from the database (DATABASE_URL). Fetch limits come from the FETCH_*
      environment variables. An issuer the registry does not trust is answered from the registry alone (nothing
      fetched, the other checks skipped) unless --full-report is given. Exit 0 verified, 1 not verified, 2 usage
      error.
  verify --input FILE --key FILE --feature credential_jose|presentation_jose|credential_sdjwt|presentation_sdjwt --output FILE
      The W3C vc-jose-cose test-suite contract: verifies with exactly the given key (a JsonWebKey verification
      method file or a JWK) and writes {"result": "success" | "failure" | "indeterminate"} to the output file (exit 0
      once written; other features are answered "indeterminate"). The sdjwt features read any SD-JWT, compact or
      JSON serialization; presentation_sdjwt requires a Key Binding JWT.`;

const CONTRACT_FEATURES: readonly string[] = ['credential_jose', 'presentation_jose', 'credential_sdjwt', 'presentation_sdjwt'];

export const verifyCommand: CliCommand = {
  summary: 'Verify a credential (or run the W3C vc-jose-cose test-suite contract)',
  usage: USAGE,
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: {
        trust: { type: 'string' },
        jurisdiction: { type: 'string' },
        'mutual-aid': { type: 'string' },
        now: { type: 'string' },
        'full-report': { type: 'boolean' },
        challenge: { type: 'string' },
        domain: { type: 'string' },
        input: { type: 'string' },
        key: { type: 'string' },
        feature: { type: 'string' },
        output: { type: 'string' },
        sd: { type: 'string' },
      },
    });
    if (values.input !== undefined || values.key !== undefined || values.feature !== undefined || values.output !== undefined) {
      return runContract({ input: values.input, key: values.key, feature: values.feature, output: values.output }, io);
    }
    if (positionals.length > 1) throw new UsageError('Give one credential file (or - for standard input).');
    const jurisdiction = values.jurisdiction;
    if (jurisdiction !== undefined && !/^[A-Z]{2}(-[A-Z0-9]{1,3})?$/.test(jurisdiction)) throw new UsageError('--jurisdiction must look like US-FL.');
    const mutualAid = values['mutual-aid']
      ?.split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    if (mutualAid?.some((j) => !/^[A-Z]{2}(-[A-Z0-9]{1,3})?$/.test(j))) throw new UsageError('--mutual-aid must be codes like US-GA,US-AL.');
    const now = values.now === undefined ? undefined : new Date(values.now);
    if (now && Number.isNaN(now.getTime())) throw new UsageError('--now must be an ISO date-time.');

    const source = positionals[0];
    const input =
      source === undefined || source === '-'
        ? await io.readStdin()
        : await readFile(source, 'utf8').catch(() => {
            throw new UsageError(`Cannot read ${source}.`);
          });
    if (Buffer.byteLength(input) > 4 * MAX_INPUT_BYTES) throw new UsageError(`The input is larger than ${(4 * MAX_INPUT_BYTES) / 1024} KiB.`);

    const config = parseConfig(io.env);
    const { trust, close } = await openTrust(values.trust, io);
    try {
      const verifier = verifierFromConfig(config, { trust: withOwnRecordIssuer(trust, ownRecordIssuerFrom(config)) });
      const result = await verifier.verify(input, {
        jurisdiction,
        mutualAidJurisdictions: mutualAid,
        now,
        fullReport: values['full-report'],
        challenge: values.challenge,
        domain: values.domain,
      });
      io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      return result.verified ? EXIT.ok : EXIT.negative;
    } finally {
      await close();
    }
  },
};

/** The trust registry: a trust-list file, or the database. */
async function openTrust(file: string | undefined, io: CliIo): Promise<{ trust: TrustSource; close: () => Promise<void> }> {
  // Loaded lazily: the file path needs no database driver, the database path no file.
  const trustLib = await import('@app/trust');
  if (file !== undefined) return { trust: trustLib.loadTrustListFile(file), close: async () => undefined };
  const { Database } = await import('@app/db');
  const config = parseConfig(io.env);
  let connection: Awaited<ReturnType<typeof Database.connect>>;
  try {
    connection = await Database.connect(config.database.url, { poolSize: 2 });
  } catch (err) {
    throw new Error(`Cannot reach the database for the trust registry (use --trust FILE to work offline): ${(err as Error).message}`);
  }
  return { trust: new trustLib.DbTrustSource(new trustLib.TrustRegistryRepository(connection.database)), close: connection.close };
}

async function runContract(opts: { input?: string; key?: string; feature?: string; output?: string }, io: CliIo): Promise<number> {
  if (!opts.input || !opts.key || !opts.feature || !opts.output) throw new UsageError('The test-suite contract needs --input, --key, --feature and --output.');
  const [input, keyText] = await Promise.all([
    readFile(opts.input, 'utf8').catch(() => {
      throw new UsageError(`Cannot read ${opts.input}.`);
    }),
    readFile(opts.key, 'utf8').catch(() => {
      throw new UsageError(`Cannot read ${opts.key}.`);
    }),
  ]);
  let outcome: 'success' | 'failure' | 'indeterminate' = 'indeterminate';
  if (CONTRACT_FEATURES.includes(opts.feature)) {
    let key: unknown;
    try {
      key = JSON.parse(keyText);
    } catch {
      key = undefined;
    }
    const verifier = contractVerifier(io);
    const { result, verification } = await verifier.verify(input, key, opts.feature as ContractFeature);
    outcome = result;
    for (const error of verification.errors) io.stderr.write(`${error.id}: ${error.code}: ${error.message}\n`);
  }
  await writeFile(opts.output, `${JSON.stringify({ result: outcome })}\n`);
  return EXIT.ok;
}

/** No registry and no network in the contract: everything is decided by the given key and the document. */
function contractVerifier(io: CliIo): ContractVerifier {
  const config = parseConfig(io.env);
  return new ContractVerifier({ clockSkewSeconds: config.verification.clockSkewSeconds });
}
