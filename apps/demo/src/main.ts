import { existsSync, readFileSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { startIssuerServer, type IssuerServer } from '../../issuer/src';
import { startLicenceBoard } from '../../licence-board/src';
import { checkInByLicence, DEMO_NOTICE_SECRET, demoPrimarySources, type LicenceCheckInResult } from './licence-check-ins';
import { ApiClient } from './demo-api-client';
import { issueBadges } from './demo-credentials';
import { buildRoster, type DemoResponder } from './demo-roster';
import { DEMO_ADMIN, DEMO_TRUST, UNTRUSTED_BOARDS, seedDemo, type DemoIncident, type DemoUser } from './demo-seed';
import { formatLabel, writeBadges, writeManifest, type BadgeManifest, type ManifestEntry } from './badges';
import { buildDist, clearRedisNamespace, dropDatabase, portInUse, startNodeProcess, stopProcess, tailOf, type ManagedProcess } from './stack';
import { admitOnePerFormat, formatScan, runSurge, type SurgeReport } from './surge';
import { runRollCall } from './roll-call';
import { handOutRecord, type HandedOutRecord } from './records';
import { addWalkUps, type DemoWalkUps } from './walk-ups';

/**
 * `npm run demo`: the whole system with realistic data in about a minute. Starts the demo issuer (in this
 * process), the api and the worker (the swc build), seeds them over the HTTP API, writes the badges, prints where
 * everything is. `npm run demo -- --surge N` then (or from a second terminal, against the running demo) checks in N
 * responders at a realistic pace. Ctrl-C stops everything.
 */

interface DemoArgs {
  surge?: number;
  rate: number;
  scanners: number;
  build: boolean;
  responders: number;
  help: boolean;
}

interface DemoSettings {
  root: string;
  outputDir: string;
  apiPort: number;
  issuerPort: number;
  databaseUrl: string;
  redisUrl: string;
  redisPrefix: string;
  statusListTtlMs: number;
  sweepIntervalMs: number;
}

/** What a second `npm run demo -- --surge N` needs to find the running demo. */
interface DemoState {
  pid: number;
  startedAt: string;
  apiUrl: string;
  issuerUrl: string;
  incident: DemoIncident;
  checkinUser: { email: string; password: string };
  manifestPath: string;
}

const USAGE = `usage: npm run demo [-- options]
  --surge [N]        check in N responders (default 100) at a realistic pace; against the running demo if there
                     is one, else after starting it
  --rate R           scans per second, all scanners together (default 3)
  --scanners K       check-in stations scanning in parallel (default 4)
  --responders N     responders to issue badges for (default 300)
  --no-build         use the existing dist/ (skip npm run build)
environment: DEMO_API_PORT (3000), ISSUER_PORT (4100), DEMO_DATABASE_URL (.../responder_checkin_demo),
  REDIS_URL, DEMO_REDIS_PREFIX (demo), DEMO_OUTPUT_DIR (demo-output), ISSUER_STATUS_LIST_TTL_MS (15000),
  DEMO_SWEEP_INTERVAL_MS (30000)`;

export function parseArgs(argv: readonly string[]): DemoArgs {
  const args: DemoArgs = { rate: 3, scanners: 4, build: true, responders: 300, help: false };
  const number = (flag: string, value: string | undefined, min: number, max: number): number => {
    const n = Number(value);
    if (value === undefined || !Number.isFinite(n) || n < min || n > max) throw new UsageError(`${flag} needs a number from ${min} to ${max}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    switch (arg) {
      case '--surge': {
        const value = argv[i + 1];
        if (value !== undefined && /^\d+$/.test(value)) {
          args.surge = number('--surge', value, 1, 100_000);
          i++;
        } else args.surge = 100;
        break;
      }
      case '--rate':
        args.rate = number('--rate', argv[++i], 0.1, 1000);
        break;
      case '--scanners':
        args.scanners = Math.round(number('--scanners', argv[++i], 1, 64));
        break;
      case '--responders':
        args.responders = Math.round(number('--responders', argv[++i], 20, 5000));
        break;
      case '--no-build':
        args.build = false;
        break;
      case '-h':
      case '--help':
        args.help = true;
        break;
      default:
        throw new UsageError(`unknown option ${arg}`);
    }
  }
  return args;
}

class UsageError extends Error {}

function settingsFrom(root: string, env: NodeJS.ProcessEnv): DemoSettings {
  const int = (name: string, fallback: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 0) throw new UsageError(`${name} must be a whole number`);
    return n;
  };
  let databaseUrl = env.DEMO_DATABASE_URL;
  if (!databaseUrl) {
    // Same server and credentials as the user's DATABASE_URL, if any, but the demo's own database.
    const base = new URL(env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/responder_checkin');
    base.pathname = '/responder_checkin_demo';
    databaseUrl = base.toString();
  }
  return {
    root,
    outputDir: resolve(root, env.DEMO_OUTPUT_DIR ?? 'demo-output'),
    apiPort: int('DEMO_API_PORT', 3000),
    issuerPort: int('ISSUER_PORT', 4100),
    databaseUrl,
    redisUrl: env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    redisPrefix: env.DEMO_REDIS_PREFIX ?? 'demo',
    statusListTtlMs: int('ISSUER_STATUS_LIST_TTL_MS', 15_000),
    sweepIntervalMs: int('DEMO_SWEEP_INTERVAL_MS', 30_000),
  };
}

const say = (line = ''): void => {
  process.stdout.write(`${line}\n`);
};
const bold = (text: string): string => (process.stdout.isTTY ? `\x1b[1m${text}\x1b[0m` : text);

/** Entry point (scripts/demo.mjs). Resolves with the process exit code. */
export async function runDemoCli(root: string, argv: readonly string[]): Promise<number> {
  let args: DemoArgs;
  let settings: DemoSettings;
  try {
    args = parseArgs(argv);
    settings = settingsFrom(root, process.env);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`${err.message}\n${USAGE}\n`);
    return 2;
  }
  if (args.help) {
    say(USAGE);
    return 0;
  }
  let running = await findRunningDemo(settings);
  if (!running && args.surge !== undefined && ((await portInUse(settings.issuerPort)) || (await portInUse(settings.apiPort)))) {
    // Most likely a demo started a moment ago in another terminal and is still seeding: wait for it.
    say('waiting for the demo that is starting to be up...');
    for (let waited = 0; !running && waited < 120_000; waited += 1000) {
      await new Promise((r) => setTimeout(r, 1000));
      running = await findRunningDemo(settings);
    }
  }
  if (running) {
    if (args.surge === undefined) {
      process.stderr.write(
        `a demo is already running (pid ${running.pid}, ${running.apiUrl}); use --surge N to check people in, or stop it with Ctrl-C first\n`,
      );
      return 1;
    }
    return surgeAgainst(running, args);
  }
  return startDemo(settings, args);
}

async function findRunningDemo(settings: DemoSettings): Promise<DemoState | undefined> {
  const statePath = join(settings.outputDir, 'demo-state.json');
  if (!existsSync(statePath)) return undefined;
  let state: DemoState;
  try {
    state = JSON.parse(readFileSync(statePath, 'utf8')) as DemoState;
    process.kill(state.pid, 0);
  } catch {
    return undefined; // stale state: that demo is gone
  }
  try {
    const res = await fetch(`${state.apiUrl}/health/ready`, { signal: AbortSignal.timeout(2000) });
    return res.status === 200 ? state : undefined;
  } catch {
    return undefined;
  }
}

function readManifest(path: string): BadgeManifest {
  return JSON.parse(readFileSync(path, 'utf8')) as BadgeManifest;
}

async function surgeAgainst(state: DemoState, args: DemoArgs): Promise<number> {
  const manifest = readManifest(state.manifestPath);
  say(`surge against the running demo (${state.apiUrl}, incident ${state.incident.name})`);
  const controller = new AbortController();
  const stop = (): void => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const api = new ApiClient(state.apiUrl);
  const report = await surge(api, state.incident, state.checkinUser, manifest.badges, args, controller.signal);
  printSurgeSummary(report, state.apiUrl);
  if (!controller.signal.aborted) await rollCall(api, state.incident.id);
  return report.failed > 0 ? 1 : 0;
}

/** A PAR after the surge: the roll call a commander runs once the arrivals settle (docs/accountability.md). */
async function rollCall(api: ApiClient, incidentId: string): Promise<void> {
  say(bold('\nPAR roll call (commander): everyone on scene expected'));
  try {
    const r = await runRollCall(api, incidentId);
    say(
      `PAR ${r.parId}: ${r.accounted} of ${r.expected} accounted for, ${r.missing} missing${r.missingName ? ` (${r.missingName}: on top of the board until found)` : ''}.`,
    );
    say(`ICS 214 with the PAR: ${api.baseUrl}/incidents/${incidentId}/ics214.html (signed in)`);
  } catch (err) {
    say(`PAR not run: ${err instanceof Error ? err.message : String(err)}`);
  }
}

async function surge(
  api: ApiClient,
  incident: DemoIncident,
  checkinUser: { email: string; password: string },
  badges: ManifestEntry[],
  args: DemoArgs,
  signal: AbortSignal,
): Promise<SurgeReport> {
  const count = args.surge ?? 0;
  say(bold(`\nSurge: ${count} arrivals, ~${args.rate}/s from ${args.scanners} check-in stations (Ctrl-C stops)`));
  return runSurge({ api, incident, checkinUser }, badges, {
    count,
    ratePerSecond: args.rate,
    scanners: args.scanners,
    signal,
    onScan: (scan) => say(formatScan(scan, process.stdout.isTTY === true)),
  });
}

function printSurgeSummary(report: SurgeReport, apiUrl: string): void {
  say(
    bold(
      `\nSurge done: ${report.scanned} scans, ${report.admitted} admitted, ${report.admittedWithWarnings} admitted with warnings, ` +
        `${report.denied} denied, ${report.failed} failed; ${report.unexpected.length} not as the manifest expects.`,
    ),
  );
  const byFormat = Object.entries(report.admittedByFormat).map(([format, n]) => `${n} ${format}`);
  if (byFormat.length > 0) say(`Admitted by credential format: ${byFormat.join(', ')}`);
  say(`Board: ${apiUrl}/app/ (commander)`);
}

async function startDemo(settings: DemoSettings, args: DemoArgs): Promise<number> {
  const started = Date.now();
  const apiUrl = `http://localhost:${settings.apiPort}`;
  for (const [what, port] of [
    ['api', settings.apiPort],
    ['issuer', settings.issuerPort],
    ['licence board', settings.issuerPort + 100],
  ] as const) {
    if (await portInUse(port)) {
      process.stderr.write(`port ${port} (${what}) is in use: stop what runs there, or set ${what === 'api' ? 'DEMO_API_PORT' : 'ISSUER_PORT'}\n`);
      return 1;
    }
  }
  say(bold('Starting the responder check-in demo'));
  if (args.build) buildDist(settings.root, say);
  else if (!existsSync(join(settings.root, 'dist/apps/api/src/main.js'))) {
    process.stderr.write('dist/ is missing: run without --no-build (or npm run build)\n');
    return 1;
  }

  await dropDatabase(settings.databaseUrl);
  await clearRedisNamespace(settings.redisUrl, settings.redisPrefix);
  say(`fresh database ${new URL(settings.databaseUrl).pathname.slice(1)} and Redis namespace "${settings.redisPrefix}:"`);

  const issuer = await startIssuerServer({
    port: settings.issuerPort,
    dataDir: join(settings.outputDir, 'issuer'),
    statusListTtlMs: settings.statusListTtlMs,
  });
  say(`demo issuer on ${issuer.url} (${issuer.boards.length} boards)`);
  // Responders without a badge: their licences are looked up at a simulated licensing authority.
  const licenceBoard = await startLicenceBoard({ port: settings.issuerPort + 100, noticeSecret: DEMO_NOTICE_SECRET, latencyMs: 40 });
  say(`simulated licence board on ${licenceBoard.url} (nurse licensure lookups and notices, state boards)`);

  const logDir = join(settings.outputDir, 'logs');
  const childEnv: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'development',
    PORT: String(settings.apiPort),
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
    // Their logs go to files: text for the person watching the demo in a terminal, JSON when its output is piped.
    LOG_FORMAT: process.env.LOG_FORMAT ?? (process.stdout.isTTY ? 'pretty' : 'json'),
    DATABASE_URL: settings.databaseUrl,
    REDIS_URL: settings.redisUrl,
    REDIS_PREFIX: settings.redisPrefix,
    BOOTSTRAP_ADMIN_EMAIL: DEMO_ADMIN.email,
    BOOTSTRAP_ADMIN_PASSWORD: DEMO_ADMIN.password,
    // The demo prints the admin's password for everyone to use.
    BOOTSTRAP_ADMIN_MUST_CHANGE_PASSWORD: 'false',
    // The demo issuer serves its DIDs and status lists over plain http on 127.0.0.1.
    FETCH_INSECURE_HOSTS: '127.0.0.1,localhost',
    FETCH_ALLOW_PRIVATE_NETWORK: 'true',
    // A revocation should reach the board within a minute, not five.
    SWEEP_INTERVAL_MS: String(settings.sweepIntervalMs),
    STATUS_LIST_REFRESH_CHECK_MS: '5000',
    // The longest a token may live: a demo lasts a while.
    ACCESS_TOKEN_TTL_SECONDS: '3600',
    LOGIN_RATE_LIMIT_PER_MINUTE: '100',
    // Every check-in station of a surge signs in as the same user (the limit is per user): up to --rate 1000.
    CHECKIN_RATE_LIMIT_PER_MINUTE: '60000',
    // Deployment records: the state agency's did:web is this api (http for localhost, as FETCH_INSECURE_HOSTS allows).
    RECORDS_ISSUER_DID: `did:web:localhost%3A${settings.apiPort}`,
    RECORDS_ISSUER_NAME: 'Florida Division of Emergency Management',
    RECORDS_ISSUER_JURISDICTION: 'US-FL',
    PRIMARY_SOURCES: JSON.stringify(demoPrimarySources(licenceBoard.url)),
    PRIMARY_SOURCE_NOTICE_URL: apiUrl,
    // Licences without notices are looked up again every minute in the demo (an hour by default).
    PRIMARY_SOURCE_RELOOKUP_MS: '60000',
  };
  const processes: ManagedProcess[] = [
    startNodeProcess('api', join(settings.root, 'dist/apps/api/src/main.js'), childEnv, logDir, settings.root),
    startNodeProcess('worker', join(settings.root, 'dist/apps/worker/src/main.js'), childEnv, logDir, settings.root),
  ];
  say(`api and worker starting (logs in ${relative(process.cwd(), logDir) || logDir}/)`);

  const controller = new AbortController();
  let stopping = false;
  const shutdown = async (code: number): Promise<number> => {
    if (stopping) return code;
    stopping = true;
    controller.abort();
    await Promise.all(processes.map((p) => stopProcess(p)));
    await issuer.close().catch(() => undefined);
    await licenceBoard.close().catch(() => undefined);
    rmSync(join(settings.outputDir, 'demo-state.json'), { force: true });
    return code;
  };
  let resolveExit: (code: number) => void = () => undefined;
  const exitCode = new Promise<number>((r) => {
    resolveExit = r;
  });
  const onSignal = (): void => {
    say('\nstopping the demo...');
    void shutdown(0).then(resolveExit);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  for (const p of processes) {
    void p.exited.then(async (how) => {
      if (stopping) return;
      // Ctrl-C reaches the whole process group: the child may report its SIGINT before this process handles its own.
      if (how === 'SIGINT') return onSignal();
      process.stderr.write(`\n${p.name} exited (${how}); last lines of ${p.logFile}:\n${tailOf(p.logFile)}\n`);
      resolveExit(await shutdown(1));
    });
  }

  try {
    // Badges are made while the api boots (they need only the issuer).
    const roster = buildRoster({ size: args.responders });
    const badgeDir = join(settings.outputDir, 'badges');
    const [written] = await Promise.all([
      issueBadges(issuer, roster).then((badges) => writeBadges(badgeDir, badges, { issuerUrl: issuer.url })),
      new ApiClient(apiUrl).waitUntilReady(90_000, () => processes.every((p) => p.alive())),
    ]);
    if (stopping) return exitCode;
    const api = new ApiClient(apiUrl);
    const seed = await seedDemo(api, issuer.boards);
    const manifest = { ...written.manifest, incident: { id: seed.incident.id, name: seed.incident.name, number: seed.incident.number } };
    await writeManifest(badgeDir, manifest);
    writeFileSync(join(settings.outputDir, 'demo-trust-list.json'), `${JSON.stringify(seed.trustList, null, 2)}\n`);

    const checkin = seed.users.find((u) => u.role === 'checkin');
    if (!checkin) throw new Error('no check-in user was seeded');
    const state: DemoState = {
      pid: process.pid,
      startedAt: new Date().toISOString(),
      apiUrl,
      issuerUrl: issuer.url,
      incident: seed.incident,
      checkinUser: { email: checkin.email, password: checkin.password },
      manifestPath: written.manifestPath,
    };
    mkdirSync(settings.outputDir, { recursive: true });
    writeFileSync(join(settings.outputDir, 'demo-state.json'), `${JSON.stringify(state, null, 2)}\n`);

    // One responder per credential format checked in before anyone scans: the board shows every format admitted.
    const perFormat = await admitOnePerFormat({ api, incident: seed.incident, checkinUser: state.checkinUser }, manifest.badges, {
      signal: controller.signal,
    });
    if (stopping) return exitCode;
    // Someone is released at once: the check-out hands them their deployment record.
    const record = await handOutRecord(api, seed.incident.id, await api.signIn(checkin.email, checkin.password), join(settings.outputDir, 'records'));
    // Walk-up volunteers without a badge: taken in pending verification, one printed a temporary badge, one verified.
    const walkUps = await addWalkUps(
      api,
      seed.incident,
      await api.signIn(checkin.email, checkin.password),
      async (name, qualification) => (await issuer.board('fl-nursing').issue({ format: 'vc+jwt', qualification, subject: { name } })).jws,
      join(settings.outputDir, 'walk-ups'),
    );
    // Responders with a licence card and no badge, checked in by licence number at the station.
    const licences = await checkInByLicence(api, seed.incident, await api.signIn(checkin.email, checkin.password));
    const answers = await probeUrls(apiUrl, issuer.url);
    printWelcome({
      licences,
      licenceBoardUrl: licenceBoard.url,
      perFormat,
      record,
      walkUps,
      settings,
      issuer,
      apiUrl,
      seed: { incident: seed.incident, users: seed.users },
      manifest,
      roster,
      answers,
      seconds: (Date.now() - started) / 1000,
      written: written.sheetPath,
    });

    if (args.surge !== undefined && !stopping) {
      const report = await surge(api, seed.incident, state.checkinUser, manifest.badges, args, controller.signal);
      if (!stopping) {
        printSurgeSummary(report, apiUrl);
        await rollCall(api, seed.incident.id);
        say('\nStill running: Ctrl-C stops everything.');
      }
    }
  } catch (err) {
    if (!stopping) {
      process.stderr.write(`\ndemo failed: ${err instanceof Error ? err.message : String(err)}\n`);
      for (const p of processes) process.stderr.write(`--- last lines of ${p.logFile}:\n${tailOf(p.logFile, 15)}\n`);
      return shutdown(1);
    }
  }
  return exitCode;
}

/** GETs each printed URL once: the demo says which answer, rather than leaving it to the newcomer to find out. */
async function probeUrls(apiUrl: string, issuerUrl: string): Promise<Record<string, number>> {
  const urls = [`${apiUrl}/app/`, `${apiUrl}/docs`, `${apiUrl}/health/ready`, `${issuerUrl}/boards`];
  const answers: Record<string, number> = {};
  await Promise.all(
    urls.map(async (url) => {
      try {
        const res = await fetch(url, { signal: AbortSignal.timeout(3000), redirect: 'follow' });
        answers[url] = res.status;
        await res.arrayBuffer();
      } catch {
        answers[url] = 0;
      }
    }),
  );
  return answers;
}

function printWelcome(input: {
  licences: LicenceCheckInResult[];
  licenceBoardUrl: string;
  perFormat: SurgeReport;
  record: HandedOutRecord | undefined;
  walkUps: DemoWalkUps;
  settings: DemoSettings;
  issuer: IssuerServer;
  apiUrl: string;
  seed: { incident: DemoIncident; users: DemoUser[] };
  manifest: BadgeManifest;
  roster: DemoResponder[];
  answers: Record<string, number>;
  seconds: number;
  written: string;
}): void {
  const { settings, issuer, apiUrl, seed, manifest, answers } = input;
  const status = (url: string): string => (answers[url] === 200 ? '' : answers[url] ? `   (answers ${answers[url]})` : '   (not answering)');
  const rel = (p: string): string => relative(process.cwd(), p) || p;
  const line = (label: string, url: string, note = ''): void => say(`  ${label.padEnd(13)} ${url}${note}${status(url)}`);

  say(bold(`\nThe demo is up (${input.seconds.toFixed(0)} s).`));
  line('Web app', `${apiUrl}/app/`, '   check-in station, commander board, verify, audit, admin');
  line('API docs', `${apiUrl}/docs`);
  line('Health', `${apiUrl}/health/ready`);
  line('Demo issuer', `${issuer.url}/boards`, '   licensing boards: DID documents, status lists');

  say(bold('\nSign in as'));
  for (const u of seed.users) {
    const what =
      u.role === 'auditor' ? `reads ${u.jurisdictions?.join(', ')}` : u.incidentStaff ? 'assigned to the incident' : 'trust registry, users, incidents';
    say(`  ${u.role.padEnd(10)} ${u.email.padEnd(24)} password ${u.password.padEnd(22)} ${what}`);
  }

  const i = seed.incident;
  say(bold('\nIncident'));
  say(`  ${i.name} (${i.number}), Structural collapse, ${i.jurisdiction}; mutual aid (EMAC) from ${i.mutualAidJurisdictions.join(', ')}`);
  say(`  locations: ${Object.keys(i.locations).join('; ')}`);
  say(`  positions: ${Object.keys(i.positions).join(', ')}`);
  const boardName = (slug: string): string => issuer.boards.find((b) => b.slug === slug)?.name ?? slug;
  say(bold('\nTrust registry') + ` (imported as one trust list: ${rel(join(settings.outputDir, 'demo-trust-list.json'))})`);
  for (const t of DEMO_TRUST) say(`  ${boardName(t.slug).padEnd(52)} ${t.jurisdictions.join(',').padEnd(6)} ${t.qualifications.join(', ')}`);
  for (const slug of UNTRUSTED_BOARDS) say(`  ${boardName(slug).padEnd(52)} NOT trusted (a credential mill: its badges are signed, and refused)`);

  const s = manifest.summary;
  const refusals = Object.entries(s)
    .filter(([k]) => k !== 'admitted')
    .map(([k, v]) => `${v} ${k.replace('_', ' ')}`)
    .join(', ');
  say(bold('\nBadges') + ` (${manifest.badges.length} responders: ${s.admitted ?? 0} to admit; ${refusals} to refuse)`);
  say(`  QR PNGs and a printable sheet: ${rel(input.written)}`);
  say(`  manifest (who, board, status index, expected outcome): ${rel(join(settings.outputDir, 'badges/manifest.json'))}`);

  say(bold('\nChecked in at start') + ' (one responder per credential format):');
  const formatRows = input.perFormat.scans.map((scan) => ({
    label: formatLabel(scan.entry.format),
    who: `${scan.entry.name} (${scan.entry.qualification}, ${scan.entry.boardName})`,
    outcome: scan.decision ?? `error ${scan.status}${scan.error ? `: ${scan.error}` : ''}`,
  }));
  const labelWidth = Math.max(0, ...formatRows.map((r) => r.label.length));
  const whoWidth = Math.max(0, ...formatRows.map((r) => r.who.length));
  for (const r of formatRows) say(`  ${r.label.padEnd(labelWidth)}  ${r.who.padEnd(whoWidth)}  ${r.outcome}`);

  say(bold('\nChecked in by licence number') + ' (no badge: looked up at the simulated licence board, two forms of ID seen):');
  for (const l of input.licences) {
    const outcome = l.decision ? `${l.decision}${l.reasons.length > 0 ? ` (${l.reasons.join(', ')})` : ''}` : `error ${l.status}`;
    say(`  ${`${l.entry.name} (${l.entry.profession} ${l.entry.state} ${l.entry.licenceNumber}, ${l.entry.why})`.padEnd(64)} ${outcome}`);
  }

  if (input.record) {
    const r = input.record;
    say(bold('\nReleased at start') + ' (check-out hands the responder a deployment record, an Open Badges 3.0 credential):');
    say(`  ${r.name}: "${r.achievement}"  ${rel(r.files.png)} (QR), .jwt and .json beside it`);
    say(`  verify it: POST ${apiUrl}/credentials/verify, or npm run cli -- verify ${rel(r.files.jwt)}; scan it at the station for the history`);
  }

  say(bold('\nWalk-up volunteers') + ' (no badge: taken in at the walk-up desk, general support until verified):');
  for (const w of input.walkUps.walkUps) say(`  ${w.name.padEnd(20)} ${w.status.replace('_', ' ').padEnd(22)} ${w.position ?? 'no position'}`);
  if (input.walkUps.badge) say(`  temporary badge of ${input.walkUps.badge.name}: ${rel(input.walkUps.badge.png)} (QR; scan it at the station)`);

  const spotlight = manifest.badges.find((b) => b.spotlight);
  const server = settings.issuerPort === 4100 ? '' : ` --server ${issuer.url}`;
  say(bold('\nTry it'));
  say(`  1. Sign in as checkin@example.org at ${apiUrl}/app/, open the check-in station, scan a badge from the sheet`);
  say('     (camera, or paste a badge\'s "credential" from the manifest into the scan field and press Enter).');
  say(`  2. Fill the board (another terminal):   npm run demo -- --surge 100`);
  say(`     and watch it as commander@example.org.`);
  if (spotlight) {
    say(`  3. Revoke someone on scene:             npm run -s issuer:cli -- revoke --board ${spotlight.board} --index ${spotlight.statusIndex}${server}`);
    say(`     (${spotlight.name}, ${spotlight.qualification}, ${spotlight.agency}: the first one a surge checks in).`);
    say(
      `     The board flags them after the next sweep: status lists live ${Math.round(settings.statusListTtlMs / 1000)} s, the sweep runs every ${Math.round(settings.sweepIntervalMs / 1000)} s.`,
    );
  }
  say(`  4. Suspend a nurse at the licence board; its signed notice flags her on the board at once:`);
  say(
    `     curl -X POST ${input.licenceBoardUrl}/control/status -H 'content-type: application/json' -d '{"state":"FL","profession":"RN","licenceNumber":"RN9876543","status":"suspended"}'`,
  );
  say(`  5. At the station, "No badge? Check a licence number": e.g. RN271828, GA, RN (see apps/licence-board/src/licence-data.ts).`);
  say(`\nLogs: ${rel(join(settings.outputDir, 'logs'))}/api.log, worker.log.  Ctrl-C stops everything.`);
}
