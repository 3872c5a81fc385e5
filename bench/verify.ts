/**
 * npm run bench:verify — verification engine throughput for an ES256 credential whose issuer key (did:web) and
 * status lists are already cached, next to plain node:crypto verification of the same signature in the same run.
 * Prints verifications/s single-threaded and on every core (worker_threads), and the engine/raw ratio.
 * Then the same per format (vc+jwt, ob3-jwt, dc+sd-jwt, ldp-vc eddsa-rdfc-2022 and ecdsa-rdfc-2019, see
 * verify-formats.ts), with the reference Data Integrity stack next to the engine, and each target met or not.
 * Options: --seconds N (per measurement, default 1), --rounds N (alternating rounds, default 7: rates are the medians
 * of the rounds, ratios the medians of each round's ratio), --worker-rounds N (the same on worker threads, default 3),
 * --formats a,b (of jws, the section above, and the format names; default all). Every section's single-thread
 * rounds run before any worker phase; the reports follow.
 * Not a test: numbers depend on the machine; docs/benchmarks.md records measured figures.
 */
import { createPublicKey, generateKeyPairSync, verify as cryptoVerify, type JsonWebKey, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { availableParallelism, loadavg } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { CompactSign, compactVerify } from 'jose';
import { BoundedFetcher, CredentialVerifier, encodeList, StaticTrustSource } from '@app/credentials';
import {
  canonicalizationBatch,
  engineFormatBatch,
  FORMAT_NAMES,
  rawFormatBatch,
  referenceFormatBatch,
  referenceUnavailable,
  startFormatsIssuer,
  type FormatFixture,
  type FormatName,
  type FormatPhase,
  type FormatSetup,
} from './verify-formats';

const args = process.argv.slice(2);
const opt = (name: string, dflt: number): number => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};

interface Fixture {
  jws: string;
  did: string;
  publicJwk: JsonWebKey;
  baseUrl: string;
}

type Phase = 'raw' | 'engine';
/** What each worker measures: every phase, alternating, `rounds` times (all workers in step). */
type WorkerJob =
  | { kind: 'jws'; fixture: Fixture; phases: Phase[]; seconds: number; rounds: number }
  | {
      kind: 'format';
      setup: FormatSetup;
      fixture: FormatFixture;
      dids: Record<string, Record<string, unknown>>;
      phases: FormatPhase[];
      seconds: number;
      rounds: number;
    };

/** The issuer side: a did:web document and two status lists on a local server (fetched once, then cached). */
async function startIssuer(): Promise<{ fixture: Fixture; server: Server }> {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const publicJwk = publicKey.export({ format: 'jwk' });
  let lists: Record<string, string> = {};
  const server = createServer((req, res) => {
    const path = req.url ?? '/';
    if (path === '/boards/bench/did.json') return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(didDoc));
    const list = lists[path];
    if (list) return void res.writeHead(200, { 'content-type': 'application/vc+jwt' }).end(list);
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const baseUrl = `http://127.0.0.1:${port}`;
  const did = `did:web:127.0.0.1%3A${port}:boards:bench`;
  const kid = `${did}#key-1`;
  const didDoc = { id: did, verificationMethod: [{ id: kid, type: 'JsonWebKey', controller: did, publicKeyJwk: publicJwk }], assertionMethod: [kid] };
  const sign = (payload: unknown) =>
    new CompactSign(Buffer.from(JSON.stringify(payload))).setProtectedHeader({ alg: 'ES256', typ: 'vc+jwt', kid }).sign(privateKey);
  for (const purpose of ['revocation', 'suspension']) {
    const url = `${baseUrl}/status/${purpose}`;
    lists[`/status/${purpose}`] = await sign({
      '@context': ['https://www.w3.org/ns/credentials/v2'],
      id: url,
      type: ['VerifiableCredential', 'BitstringStatusListCredential'],
      issuer: did,
      validFrom: '2024-01-01T00:00:00Z',
      credentialSubject: { type: 'BitstringStatusList', statusPurpose: purpose, encodedList: encodeList(131072, [3, 99]), ttl: 3_600_000 },
    });
  }
  lists = { ...lists };
  const jws = await sign({
    '@context': ['https://www.w3.org/ns/credentials/v2', 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json'],
    id: 'urn:uuid:0b8d1c5e-4f3a-4f0e-9d55-7e1f2a3b4c5d',
    type: ['VerifiableCredential', 'OpenBadgeCredential'],
    issuer: { id: did, type: ['Profile'], name: 'Florida Board of Nursing' },
    validFrom: '2024-01-01T00:00:00Z',
    validUntil: '2099-01-01T00:00:00Z',
    credentialSubject: {
      type: ['AchievementSubject'],
      name: 'Dana Rivera',
      licenseNumber: 'RN9912345',
      achievement: {
        id: `${baseUrl}/boards/bench/achievements/rn`,
        type: ['Achievement'],
        name: 'Registered Nurse',
        achievementType: 'License',
        criteria: { narrative: 'Active licence.' },
      },
    },
    credentialStatus: ['revocation', 'suspension'].map((purpose) => ({
      id: `${baseUrl}/status/${purpose}#42`,
      type: 'BitstringStatusListEntry',
      statusPurpose: purpose,
      statusListIndex: '42',
      statusListCredential: `${baseUrl}/status/${purpose}`,
    })),
  });
  return { fixture: { jws, did, publicJwk, baseUrl }, server };
}

function makeVerifier(fixture: Fixture): CredentialVerifier {
  return new CredentialVerifier({
    fetcher: new BoundedFetcher({ insecureHosts: ['127.0.0.1'], allowPrivateNetwork: true, timeoutMs: 5000, maxBytes: 1 << 20, cacheTtlMs: 3_600_000 }),
    trust: new StaticTrustSource(
      [{ id: fixture.did, name: 'Florida Board of Nursing', jurisdictions: ['US-FL'], qualifications: ['RN'], algorithms: ['ES256'] }],
      [{ qualification: 'RN', achievementTypes: ['License'], achievementName: 'Registered Nurse' }],
    ),
    clockSkewSeconds: 60,
    statusListMinBits: 131072,
    cacheTtlMs: 3_600_000,
    insecureHosts: ['127.0.0.1'],
  });
}

interface Rate {
  /** Verifications per second of wall-clock time. */
  wall: number;
  /** Verifications per second of CPU time used by the process (robust when other processes share the machine). */
  cpu: number;
}

/**
 * V8's collector, as `node --expose-gc` gives it. Each measured window ends by collecting its own young garbage, so
 * that each phase pays for what it allocated: raw `crypto.verify` allocates little but one native job wrapper per
 * call, so its window ends without a scavenge and the next phase's first one sweeps its ~36,000 wrappers (20 to 36 ms
 * here), billing the engine for raw's garbage (docs/benchmarks.md, "Each phase pays for its own garbage").
 */
setFlagsFromString('--expose-gc');
const collectYoungGarbage = runInNewContext('gc') as (options: { type: 'minor' }) => void;

async function measure(seconds: number, batch: () => Promise<number> | number): Promise<Rate> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  let n = 0;
  while (performance.now() < end) n += await batch();
  collectYoungGarbage({ type: 'minor' });
  const wallSeconds = (performance.now() - t0) / 1000;
  const used = process.cpuUsage(cpu0);
  return { wall: n / wallSeconds, cpu: n / ((used.user + used.system) / 1e6) };
}

/** Plain node:crypto: the same signature over the same bytes, nothing else. */
function rawBatch(fixture: Fixture): () => number {
  const [h, p, s] = fixture.jws.split('.');
  const data = Buffer.from(`${h}.${p}`);
  const signature = Buffer.from(s, 'base64url');
  const key: KeyObject = createPublicKey({ key: fixture.publicJwk, format: 'jwk' });
  return () => {
    for (let i = 0; i < 100; i++) if (!cryptoVerify('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, signature)) throw new Error('raw verify failed');
    return 100;
  };
}

/** jose compactVerify alone (the engine's signature step), with the same imported key. */
function joseBatch(fixture: Fixture): () => Promise<number> {
  const key: KeyObject = createPublicKey({ key: fixture.publicJwk, format: 'jwk' });
  return async () => {
    for (let i = 0; i < 50; i++) await compactVerify(fixture.jws, key, { algorithms: ['ES256'] });
    return 50;
  };
}

/** The engine, one verification after the other (the whole result: signature, data model, dates, status, trust). */
async function engineBatch(fixture: Fixture, verifier = makeVerifier(fixture)): Promise<() => Promise<number>> {
  const warm = await verifier.verify(fixture.jws, { jurisdiction: 'US-FL' });
  if (!warm.verified) throw new Error(`bench credential not verified: ${JSON.stringify(warm.errors)}`);
  return async () => {
    for (let i = 0; i < 50; i++) {
      const result = await verifier.verify(fixture.jws, { jurisdiction: 'US-FL' });
      if (!result.verified) throw new Error('verification failed during the run');
    }
    return 50;
  };
}

/** The engine with 16 verifications in flight on one JS thread, as a busy api process runs it (node:crypto verifies
 * synchronously, so nothing overlaps: this shows what interleaving costs, not a speed-up). */
async function pipelinedBatch(fixture: Fixture, verifier = makeVerifier(fixture)): Promise<() => Promise<number>> {
  await engineBatch(fixture, verifier);
  return async () => {
    await Promise.all(Array.from({ length: 16 }, () => verifier.verify(fixture.jws, { jurisdiction: 'US-FL' })));
    return 16;
  };
}

/** A worker's rates per second of wall-clock time, per phase, one per round. */
type WorkerRates = Record<string, number[]>;
type WorkerMessage = { ready: true } | { rates: WorkerRates };

/**
 * Each worker loads the code, warms up every phase (so the JIT has compiled each path) and reports ready; all of them
 * then measure together, so no worker's measurement overlaps another one's start-up, and run the phases in step:
 * every worker's raw phase at the same time, then every engine phase, round after round. Returns, per phase, the
 * workers' summed rate in each round.
 */
async function inWorkers(job: WorkerJob, count: number): Promise<WorkerRates> {
  const workers = Array.from({ length: count }, () => new Worker(__filename, { workerData: job }));
  const message = (worker: Worker, want: 'ready' | 'rates'): Promise<WorkerMessage> =>
    new Promise((resolve, reject) => {
      const onMessage = (m: WorkerMessage) => {
        if (want in m) {
          worker.off('message', onMessage);
          resolve(m);
        }
      };
      worker.on('message', onMessage);
      worker.once('error', reject);
    });
  await Promise.all(workers.map((w) => message(w, 'ready')));
  const results = workers.map((w) => message(w, 'rates'));
  for (const w of workers) w.postMessage('go');
  const each = (await Promise.all(results)).map((m) => ('rates' in m ? m.rates : {}));
  const total: WorkerRates = {};
  for (const phase of job.phases) total[phase] = Array.from({ length: job.rounds }, (_, r) => each.reduce((sum, rates) => sum + (rates[phase]?.[r] ?? 0), 0));
  return total;
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US').padStart(8);

/**
 * A ratio of two phases from the rounds in which both ran back to back: the median of the per-round ratios, with
 * their range. The machine's speed drifts between rounds; within a round both phases see the same machine.
 */
function paired(a: Rate[], b: Rate[], k: keyof Rate): { value: number; text: string } {
  return pairedRates(
    a.map((x) => x[k]),
    b.map((x) => x[k]),
  );
}

/** The same for plain rates (a worker phase's rounds). */
function pairedRates(a: number[], b: number[]): { value: number; text: string } {
  const ratios = a.map((x, i) => x / b[i]);
  const value = median(ratios);
  const range = ratios.length > 1 ? ` [${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)}]` : '';
  return { value, text: `${value.toFixed(3)}${range}` };
}

const verdict = (value: number, target: number): string => `target >= ${target}: ${value >= target ? 'met' : 'NOT met'}`;

/** Rounds of the worker-thread phases: each worker alternates the phases as one thread does. */
const workerRounds = opt('worker-rounds', 3);

const formatsArg = args.indexOf('--formats') >= 0 ? args[args.indexOf('--formats') + 1].split(',') : undefined;
const selected = (name: string): boolean => formatsArg === undefined || formatsArg.includes(name);

/**
 * A section whose single-thread rounds are measured: what is left is its worker-thread phases and its report (its
 * issuer serving until closed). Every section's single-thread rounds run before any worker phase: on a VM, a few
 * seconds of both cores at full load slow the single-thread rounds that follow, the engine more than raw
 * `crypto.verify` (docs/benchmarks.md, "Single-thread rounds before any worker phase").
 */
interface MeasuredSection {
  report(): Promise<void>;
  close(): void;
}

async function main(): Promise<void> {
  const unknown = (formatsArg ?? []).filter((f) => f !== 'jws' && !(FORMAT_NAMES as readonly string[]).includes(f));
  if (unknown.length > 0) throw new Error(`unknown format(s) ${unknown.join(', ')}: choose among jws, ${FORMAT_NAMES.join(', ')}`);
  const sections: MeasuredSection[] = [];
  try {
    if (selected('jws')) sections.push(await jwsSection());
    const formats = FORMAT_NAMES.filter(selected);
    if (formats.length > 0) sections.push(await formatsSection(formats));
    for (const section of sections) await section.report();
  } finally {
    for (const section of sections) section.close();
  }
}

async function jwsSection(): Promise<MeasuredSection> {
  const seconds = opt('seconds', 1);
  const rounds = opt('rounds', 7);
  const cores = availableParallelism();
  const { fixture, server } = await startIssuer();
  const loadBefore = loadavg()[0];
  const results: Record<'raw' | 'jose' | 'engine' | 'pipelined', Rate[]> = { raw: [], jose: [], engine: [], pipelined: [] };
  try {
    const raw = rawBatch(fixture);
    const jose = joseBatch(fixture);
    const engine = await engineBatch(fixture);
    const pipelined = await pipelinedBatch(fixture);
    // Alternate the phases so that background load on the machine hits all of them alike.
    for (let r = 0; r < rounds; r++) {
      results.raw.push(await measure(seconds, raw));
      results.jose.push(await measure(seconds, jose));
      results.engine.push(await measure(seconds, engine));
      results.pipelined.push(await measure(seconds, pipelined));
    }
  } catch (err) {
    server.close();
    throw err;
  }
  return { report: () => jwsReport(fixture, results, { seconds, rounds, cores, loadBefore }), close: () => server.close() };
}

/** The ES256 section's worker phases (its issuer still serving) and its report. */
async function jwsReport(
  fixture: Fixture,
  results: Record<'raw' | 'jose' | 'engine' | 'pipelined', Rate[]>,
  run: { seconds: number; rounds: number; cores: number; loadBefore: number },
): Promise<void> {
  const { seconds, rounds, cores, loadBefore } = run;
  console.log(
    `bench:verify: ES256 credential (did:web key and 2 status lists cached), ${cores} cores, ${rounds} rounds x ${seconds} s per phase, medians (ratios: of each round, [range])`,
  );
  const m = (phase: keyof typeof results, k: keyof Rate) => median(results[phase].map((x) => x[k]));
  const all = await inWorkers({ kind: 'jws', fixture, phases: ['raw', 'engine'], seconds, rounds: workerRounds }, cores);
  const rawAll = median(all.raw);
  const engineAll = median(all.engine);
  console.log('');
  console.log('                                   per second   per CPU-second');
  console.log(`raw node:crypto verify, 1 thread    ${fmt(m('raw', 'wall'))}       ${fmt(m('raw', 'cpu'))}`);
  console.log(`jose compactVerify only, 1 thread   ${fmt(m('jose', 'wall'))}       ${fmt(m('jose', 'cpu'))}`);
  console.log(`engine verify(), 1 thread           ${fmt(m('engine', 'wall'))}       ${fmt(m('engine', 'cpu'))}`);
  console.log(`engine, 1 JS thread, 16 in flight    ${fmt(m('pipelined', 'wall'))}       ${fmt(m('pipelined', 'cpu'))}`);
  console.log(`raw node:crypto, ${cores} worker threads  ${fmt(rawAll)}`);
  console.log(`engine, ${cores} worker threads           ${fmt(engineAll)}`);
  console.log('');
  const engineOfRaw = paired(results.engine, results.raw, 'wall');
  console.log(
    `ratio engine/raw, 1 thread: ${engineOfRaw.text} (per CPU-second ${paired(results.engine, results.raw, 'cpu').text}); ${verdict(engineOfRaw.value, 0.8)}`,
  );
  console.log(
    `ratio jose alone/raw:       ${paired(results.jose, results.raw, 'wall').text} (per CPU-second ${paired(results.jose, results.raw, 'cpu').text})`,
  );
  console.log(
    `ratio engine/raw, ${cores} workers: ${pairedRates(all.engine, all.raw).text}; engine speed-up ${cores} workers over 1 thread: x${(engineAll / m('engine', 'wall')).toFixed(2)}`,
  );
  // Wall-clock figures are only meaningful on an otherwise idle machine; per CPU-second ones hold up under load.
  console.log(`machine load average (1 min) before/after: ${loadBefore.toFixed(1)} / ${loadavg()[0].toFixed(1)} on ${cores} cores`);
}

/** A worker's batch for one format and phase. */
async function formatBatch(job: Extract<WorkerJob, { kind: 'format' }>, phase: FormatPhase): Promise<() => Promise<number> | number> {
  if (phase === 'raw') return rawFormatBatch(job.fixture.raw);
  if (phase === 'engine') return engineFormatBatch(job.setup, job.fixture);
  const reference = await referenceFormatBatch(job.setup, job.fixture, job.dids);
  if (!reference) throw new Error(referenceUnavailable ?? 'no reference stack for this format');
  return reference;
}

/** What each format is held to (the issue's Performance targets). */
const TARGETS: Record<FormatName, { ofRaw?: number; ofReference?: number; perCore?: number }> = {
  'vc+jwt': { ofRaw: 0.8 },
  'ob3-jwt': { ofRaw: 0.8 },
  'dc+sd-jwt': { ofRaw: 0.5 },
  'eddsa-rdfc-2022': { ofReference: 1.0, perCore: 500 },
  'ecdsa-rdfc-2019': {},
};

type FormatResults = Record<'raw' | 'engine' | 'reference' | 'canon', Rate[]>;

async function formatsSection(formats: FormatName[]): Promise<MeasuredSection> {
  const seconds = opt('seconds', 1);
  const rounds = opt('rounds', 7);
  const cores = availableParallelism();
  const { setup, fixtures, dids, server } = await startFormatsIssuer();
  const loadBefore = loadavg()[0];
  const measured: Array<{ fixture: FormatFixture; results: FormatResults }> = [];
  try {
    for (const fixture of fixtures.filter((f) => formats.includes(f.name))) {
      const raw = rawFormatBatch(fixture.raw);
      const engine = await engineFormatBatch(setup, fixture);
      const reference = await referenceFormatBatch(setup, fixture, dids);
      const canon = canonicalizationBatch(setup, fixture);
      // Warm up every phase first, so the JIT has compiled each path before any of them is measured.
      for (const batch of [raw, engine, reference, canon]) if (batch) await measure(Math.min(1, seconds / 2), batch);
      const results: FormatResults = { raw: [], engine: [], reference: [], canon: [] };
      // Alternate the phases so that background load on the machine hits all of them alike.
      for (let r = 0; r < rounds; r++) {
        results.raw.push(await measure(seconds, raw));
        results.engine.push(await measure(seconds, engine));
        if (reference) results.reference.push(await measure(seconds, reference));
        if (canon) results.canon.push(await measure(seconds, canon));
      }
      measured.push({ fixture, results });
    }
  } catch (err) {
    server.close();
    throw err;
  }
  const report = async (): Promise<void> => {
    console.log('');
    console.log(
      `bench:verify per format: issuer keys and status lists cached, ${cores} cores, ${rounds} rounds x ${seconds} s per phase, medians (ratios: of each round, [range])`,
    );
    for (const { fixture, results } of measured) {
      const phases: FormatPhase[] = results.reference.length > 0 ? ['raw', 'engine', 'reference'] : ['raw', 'engine'];
      await formatReport(fixture, results, { kind: 'format', setup, fixture, dids, phases, seconds, rounds: workerRounds }, cores);
    }
    console.log('');
    console.log(`machine load average (1 min) before/after: ${loadBefore.toFixed(1)} / ${loadavg()[0].toFixed(1)} on ${cores} cores`);
  };
  return { report, close: () => server.close() };
}

/** One format's worker phases (its issuer still serving) and its report against its targets. */
async function formatReport(fixture: FormatFixture, results: FormatResults, job: WorkerJob, cores: number): Promise<void> {
  const dataIntegrity = typeof fixture.input !== 'string';
  const m = (phase: keyof FormatResults, k: keyof Rate): number => median(results[phase].map((x) => x[k]));
  const all = await inWorkers(job, cores);
  const rawAll = median(all.raw);
  const engineAll = median(all.engine);
  const referenceAll = all.reference ? median(all.reference) : undefined;
  const target = TARGETS[fixture.name];
  console.log('');
  console.log(
    `${fixture.name}${dataIntegrity ? ' (ldp-vc, Open Badge 3.0 AchievementCredential)' : ''}    per second   per CPU-second   ${cores} worker threads`,
  );
  console.log(`  raw node:crypto verify          ${fmt(m('raw', 'wall'))}       ${fmt(m('raw', 'cpu'))}       ${fmt(rawAll)}`);
  console.log(`  engine verify()                 ${fmt(m('engine', 'wall'))}       ${fmt(m('engine', 'cpu'))}       ${fmt(engineAll)}`);
  if (referenceAll !== undefined) {
    console.log(`  reference @digitalbazaar/vc     ${fmt(m('reference', 'wall'))}       ${fmt(m('reference', 'cpu'))}       ${fmt(referenceAll)}`);
  } else if (dataIntegrity) {
    console.log(`  reference @digitalbazaar/vc     unavailable (${referenceUnavailable ?? 'not loaded'})`);
  }
  if (results.canon.length > 0) console.log(`  engine hashData alone           ${fmt(m('canon', 'wall'))}       ${fmt(m('canon', 'cpu'))}`);
  const ofRaw = paired(results.engine, results.raw, 'wall');
  console.log(
    `  engine/raw, 1 thread: ${ofRaw.text} (per CPU-second ${paired(results.engine, results.raw, 'cpu').text}); ${cores} workers: ${pairedRates(all.engine, all.raw).text}` +
      (target.ofRaw !== undefined ? `; ${verdict(ofRaw.value, target.ofRaw)}` : ''),
  );
  if (!dataIntegrity) return;
  if (referenceAll !== undefined) {
    const ofReference = paired(results.engine, results.reference, 'wall');
    console.log(
      `  engine/reference, 1 thread: ${ofReference.text} (per CPU-second ${paired(results.engine, results.reference, 'cpu').text}); ${cores} workers: ${pairedRates(all.engine, all.reference).text}; ` +
        (target.ofReference !== undefined ? verdict(ofReference.value, target.ofReference) : 'no target'),
    );
  } else {
    console.log(`  engine/reference: unavailable${target.ofReference !== undefined ? ` (target >= ${target.ofReference}: not measured)` : ''}`);
  }
  if (target.perCore !== undefined) {
    console.log(
      `  engine per core: ${Math.round(m('engine', 'wall'))}/s on 1 thread, ${Math.round(engineAll / cores)}/s per worker; ${verdict(Math.min(m('engine', 'wall'), engineAll / cores), target.perCore)}`,
    );
  }
  if (results.canon.length > 0)
    console.log(
      `  hashData (expansion, canonicalization, hash) share of an engine verification: ${Math.round((m('engine', 'cpu') / m('canon', 'cpu')) * 100)}% of CPU`,
    );
}

if (isMainThread) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
} else {
  const job = workerData as WorkerJob;
  const port = parentPort!;
  const batchOf = async (phase: FormatPhase): Promise<() => Promise<number> | number> =>
    job.kind === 'format' ? formatBatch(job, phase) : phase === 'raw' ? rawBatch(job.fixture) : engineBatch(job.fixture);
  const run = async (): Promise<WorkerRates> => {
    const batches: Array<[FormatPhase, () => Promise<number> | number]> = [];
    for (const phase of job.phases) batches.push([phase, await batchOf(phase)]);
    for (const [, batch] of batches) await measure(Math.min(1, job.seconds / 2), batch); // warm-up, not counted
    const go = new Promise<void>((resolve) => port.once('message', () => resolve()));
    port.postMessage({ ready: true } satisfies WorkerMessage);
    await go;
    const rates: WorkerRates = Object.fromEntries(job.phases.map((phase) => [phase, []]));
    for (let r = 0; r < job.rounds; r++) for (const [phase, batch] of batches) rates[phase].push((await measure(job.seconds, batch)).wall);
    return rates;
  };
  run().then(
    (rates) => port.postMessage({ rates } satisfies WorkerMessage),
    (err: unknown) => {
      throw err;
    },
  );
}
