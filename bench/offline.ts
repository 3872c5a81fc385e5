/**
 * npm run bench:offline (docs/offline.md, docs/benchmarks.md):
 *  1. the incident pack for a state-wide trust slice: 50 issuers (demo boards, ES256 and EdDSA) and their 100 status
 *     lists of 131,072 bits (a revocation and a suspension list each): build time (cold: keys and lists fetched;
 *     warm) and size, as sent and gzip-compressed, plus what 100 lists with 1% of their bits set would weigh;
 *  2. verification on the device, in headless Chromium, from a warm pack: an ES256 and an EdDSA badge (target: >= 200/s),
 *     the same as SD-JWT VCs, and Data Integrity credentials (ecdsa-rdfc-2019, eddsa-rdfc-2022) through the engine's
 *     verifier with the bundled contexts and WebCrypto proofs;
 *  3. sync of 2,000 offline scans from 4 stations, re-verified online (target: <= 10 s), then the same batches again:
 *     nothing lost, nothing doubled.
 * Scratch database and Redis namespace; the api runs in this process. Options: --scans N (default 2000), --keep,
 * --did-max-age S: the issuers' DID documents' Cache-Control max-age (default 300, as in bench:checkin and as a
 * board's web server would serve them; 0 is `no-cache`, so every re-verification fetches the issuer's DID document).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { build, type Plugin } from 'esbuild';
import { Client } from 'pg';
import { DEVELOPMENT_MATCHING_HASH_KEY, parseConfig } from '@app/config';
import { ensureDatabaseExists, runMigrations } from '@app/db';
import { entryHash, genesisHash, type DeviceLogEntry, type DeviceLogRecord } from '@app/offline';
import { ApiModule } from '../apps/api/src/api.module';
import { configureApp, createHttpAdapter } from '../apps/api/src/configure-app';
import { describeQualification, startIssuerServer, vctOf, type BoardSpec } from '../apps/issuer/src';

const args = process.argv.slice(2);
const opt = (name: string, dflt: number): number => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const SCANS = opt('scans', 2000);
const STATIONS = 4;
const BOARDS = 50;
const KEEP = args.includes('--keep');
const DID_MAX_AGE = opt('did-max-age', 300);
const SERVER = 'postgres://postgres@127.0.0.1:5432';
const ADMIN = { email: 'bench-admin@example.org', password: 'bench-admin-password-1' };
const root = join(__dirname, '../..');

const now = (): number => Number(process.hrtime.bigint()) / 1e6;
const kib = (n: number): string => `${(n / 1024).toFixed(1)} KiB`;

async function main(): Promise<void> {
  const dbName = `rc_bench_offline_${randomUUID().slice(0, 8)}`;
  const dbUrl = `${SERVER}/${dbName}`;
  const boards: BoardSpec[] = Array.from({ length: BOARDS }, (_, i) => ({
    slug: `bench-board-${i}`,
    name: `Bench Licensing Board ${i}`,
    jurisdiction: 'US-FL',
    kind: 'state-board',
    alg: i % 2 === 0 ? 'ES256' : 'EdDSA',
  }));
  const issuer = await startIssuerServer({ port: 0, boards, statusListTtlMs: 600_000, didDocumentMaxAgeSeconds: DID_MAX_AGE });
  await ensureDatabaseExists(dbUrl);
  await runMigrations(dbUrl, DEVELOPMENT_MATCHING_HASH_KEY);
  const config = parseConfig({
    NODE_ENV: 'development',
    LOG_LEVEL: 'warn',
    DATABASE_URL: dbUrl,
    DATABASE_POOL_SIZE: '10',
    REDIS_PREFIX: `bench_offline_${randomBytes(3).toString('hex')}`,
    BOOTSTRAP_ADMIN_EMAIL: ADMIN.email,
    BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password,
    BOOTSTRAP_ADMIN_MUST_CHANGE_PASSWORD: 'false',
    KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    FETCH_INSECURE_HOSTS: 'localhost,127.0.0.1',
    FETCH_ALLOW_PRIVATE_NETWORK: 'true',
    CHECKIN_RATE_LIMIT_PER_MINUTE: '100000',
    LOGIN_RATE_LIMIT_PER_MINUTE: '1000',
    WEB_DIR: join(root, 'dist/web'),
  });
  const app = await NestFactory.create<NestFastifyApplication>(ApiModule.forRoot(config), createHttpAdapter(), { logger: ['error'], bodyParser: false });
  await configureApp(app, config);
  await app.listen(0, '127.0.0.1');
  const base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  const db = new Client({ connectionString: dbUrl });
  await db.connect();
  let token = '';
  const http = async <T>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; body: T; bytes: number }> => {
    const res = await fetch(base + path, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (res.status >= 400) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 300)}`);
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T, bytes: Buffer.byteLength(text) };
  };
  try {
    token = (await http<{ accessToken: string }>('POST', '/auth/token', ADMIN)).body.accessToken;
    for (const b of issuer.boards)
      await http('POST', '/trust/issuers', { id: b.did, name: b.name, jurisdictions: ['US-FL'], qualifications: ['RN', 'LPN', 'APRN'] });
    // An SD-JWT VC names its qualification by vct alone: the registry learns the RN vct of the boards.
    const list = (await http<{ qualifications: Array<{ code: string; rules: unknown[] }> }>('GET', '/trust/list')).body;
    const rnVct = vctOf(describeQualification('RN', 'state-board').name);
    await http('PUT', '/trust/list', {
      ...list,
      qualifications: list.qualifications.map((q) => (q.code === 'RN' ? { ...q, rules: [...q.rules, { vct: rnVct }] } : q)),
    });
    const incident = (
      await http<{ id: string }>('POST', '/incidents', { name: 'Bench offline', number: 'BENCH-OFF-1', type: 'Hurricane', jurisdiction: 'US-FL' })
    ).body;

    // One responder per board checked in online: both of each board's lists are in use, so all 100 go in the pack.
    for (const b of issuer.boards) {
      const { jws } = await b.issue({ format: 'vc+jwt', qualification: 'RN', subject: { name: `Online ${b.slug}` } });
      await http('POST', `/incidents/${incident.id}/check-ins`, { credential: jws }, { 'idempotency-key': randomUUID() });
    }

    // 1. The pack.
    let t = now();
    const cold = await http<{ payload: string; protected: string; signature: string }>('GET', `/incidents/${incident.id}/pack`);
    const coldMs = now() - t;
    const pack = JSON.parse(cold.body.payload) as { keys: unknown[]; statusLists: Array<{ bitLength: number; gzip: string }>; trust: { issuers: unknown[] } };
    const builds: number[] = [];
    for (let i = 0; i < 5; i++) {
      t = now();
      await http('GET', `/incidents/${incident.id}/pack`, undefined, { 'if-none-match': '"none"' });
      builds.push(now() - t);
    }
    const dense = Array.from({ length: 100 }, () => {
      const bits = new Uint8Array(131_072 / 8);
      for (let k = 0; k < 1311; k++) {
        const i = Math.floor(Math.random() * 131_072);
        bits[i >> 3] |= 1 << (7 - (i & 7));
      }
      return gzipSync(bits, { level: 9 }).toString('base64url').length;
    }).reduce((a, b) => a + b, 0);
    const sparseLists = pack.statusLists.reduce((a, l) => a + l.gzip.length, 0);
    process.stdout.write(
      `pack: ${pack.trust.issuers.length} issuers, ${pack.keys.length} key sets, ${pack.statusLists.length} lists of ${pack.statusLists[0]?.bitLength} bits\n` +
        `  build: cold ${coldMs.toFixed(0)} ms (keys and lists fetched), warm median ${builds.sort((a, b) => a - b)[2].toFixed(0)} ms\n` +
        `  size: ${kib(cold.bytes)} as sent, ${kib(gzipSync(JSON.stringify(cold.body)).length)} gzip-compressed; lists ${kib(sparseLists)} of it ` +
        `(100 lists with 1% of bits set: ${kib(dense)})\n`,
    );

    // 2. Verification on the device (headless Chromium), warm pack. Two SD-JWT VCs checked in online first, so that
    // their boards' Token Status Lists are in the pack too (the pack measured above holds the 100 Bitstring lists).
    for (const b of issuer.boards.slice(0, 2)) {
      const { jws } = await b.issue({ format: 'dc+sd-jwt', qualification: 'RN', subject: { name: `Online SD-JWT ${b.slug}` } });
      await http('POST', `/incidents/${incident.id}/check-ins`, { credential: jws }, { 'idempotency-key': randomUUID() });
    }
    const devicePack = (await http<{ payload: string }>('GET', `/incidents/${incident.id}/pack`)).body.payload;
    const badges: Record<string, string> = {};
    for (const [label, board, format] of [
      ['vc+jwt ES256', 0, 'vc+jwt'],
      ['vc+jwt EdDSA', 1, 'vc+jwt'],
      ['dc+sd-jwt ES256', 0, 'dc+sd-jwt'],
      ['dc+sd-jwt EdDSA', 1, 'dc+sd-jwt'],
      ['ldp-vc ecdsa-rdfc-2019', 0, 'ldp-vc'],
      ['ldp-vc eddsa-rdfc-2022', 1, 'ldp-vc'],
    ] as const)
      badges[label] = (await issuer.boards[board].issue({ format, qualification: 'RN', subject: { name: `Bench ${label}` } })).jws;
    // The station's verifier as the web app builds it (Node modules stubbed, the bundled contexts), in one script.
    const plugins = (await import(join(root, 'scripts/offline-station-plugins.mjs'))) as { nodeModulesStubbed: Plugin; bundledJsonLdContexts: Plugin };
    const bundle = await build({
      stdin: {
        contents: [
          "import { PackVerifier } from './libs/credentials/src/offline/pack-verifier';",
          "import { offlineDataIntegrity } from './libs/credentials/src/offline/offline-data-integrity';",
          "import contexts from 'virtual:jsonld-contexts';",
          'export const verifierFor = (pack) => new PackVerifier(pack, { dataIntegrity: async () => offlineDataIntegrity(contexts) });',
        ].join('\n'),
        resolveDir: root,
        loader: 'ts',
      },
      bundle: true,
      format: 'iife',
      globalName: 'Offline',
      platform: 'browser',
      plugins: [plugins.nodeModulesStubbed, plugins.bundledJsonLdContexts],
      write: false,
    });
    const { chromium } = await import('playwright-core');
    const packaged = (await import('@sparticuz/chromium')).default;
    const browser = await chromium.launch({ executablePath: await packaged.executablePath(), headless: true, args: ['--no-sandbox', '--disable-gpu'] });
    try {
      const page = await browser.newPage();
      // WebCrypto needs a secure context: an http://127.0.0.1 page (no CSP, this bench's own) rather than about:blank.
      await page.route('http://127.0.0.1:9/offline-bench', (route) => route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>bench</title>' }));
      await page.goto('http://127.0.0.1:9/offline-bench');
      await page.addScriptTag({ content: bundle.outputFiles[0].text });
      const rates = await page.evaluate(
        async ({ payload, badges }) => {
          const lib = (
            globalThis as unknown as {
              Offline: { verifierFor: (p: unknown) => { verify(s: string): Promise<{ decision: string; reasons: Array<{ code: string }> }> } };
            }
          ).Offline;
          const verifier = lib.verifierFor(JSON.parse(payload));
          const out: Record<string, { perSecond: number; decision: string }> = {};
          for (const [label, jws] of Object.entries(badges)) {
            const first = await verifier.verify(jws); // warms the key import, the list decode (and loads Data Integrity)
            // At least 1.5 s and 20 verifications a format: Data Integrity is far slower than a JWS.
            let n = 0;
            const t0 = performance.now();
            while (n < 20 || performance.now() - t0 < 1500) {
              await verifier.verify(jws);
              n++;
            }
            out[label] = { perSecond: n / ((performance.now() - t0) / 1000), decision: [first.decision, ...first.reasons.map((r) => r.code)].join(' ') };
          }
          return out;
        },
        { payload: devicePack, badges },
      );
      for (const r of Object.values(rates)) if (r.decision !== 'admitted') throw new Error(`a badge was not admitted on the device: ${r.decision}`);
      for (const [label, r] of Object.entries(rates))
        process.stdout.write(`device verification ${label}: ${r.perSecond.toFixed(0)}/s (decision ${r.decision}; target >= 200/s)\n`);
    } finally {
      await browser.close();
    }

    // 3. Sync of SCANS offline scans from 4 stations.
    const perStation = Math.ceil(SCANS / STATIONS);
    const stations: Array<{ deviceId: string; entries: DeviceLogEntry[] }> = [];
    for (let s = 0; s < STATIONS; s++) {
      const pair = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify'])) as CryptoKeyPair;
      const jwk = await crypto.subtle.exportKey('jwk', pair.publicKey);
      const device = (
        await http<{ id: string; userId: string }>('POST', `/incidents/${incident.id}/devices`, {
          label: `Bench station ${s}`,
          publicKey: { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y },
        })
      ).body;
      let head = await genesisHash(device.id);
      const entries: DeviceLogEntry[] = [];
      for (let i = 0; i < perStation && s * perStation + i < SCANS; i++) {
        const b = issuer.boards[(s * perStation + i) % BOARDS];
        const { jws } = await b.issue({ format: 'vc+jwt', qualification: 'RN', subject: { name: `Offline ${s}-${i}` } });
        const record: DeviceLogRecord = {
          scanId: randomUUID(),
          seq: i + 1,
          kind: 'check_in',
          incidentId: incident.id,
          deviceId: device.id,
          userId: device.userId,
          scannedAt: new Date().toISOString(),
          packTime: new Date().toISOString(),
          credential: jws,
          decision: 'admitted',
          reasons: [],
        };
        const text = JSON.stringify(record);
        const hash = await entryHash(head, text);
        const signature = Buffer.from(await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, pair.privateKey, new TextEncoder().encode(hash))).toString(
          'base64url',
        );
        entries.push({ seq: i + 1, prevHash: head, hash, signature, record: text });
        head = hash;
      }
      stations.push({ deviceId: device.id, entries });
    }
    const syncAll = async (): Promise<Record<string, number>> => {
      const tally: Record<string, number> = {};
      await Promise.all(
        stations.map(async (st) => {
          for (let i = 0; i < st.entries.length; i += 50) {
            const res = await http<{ results: Array<{ status: string; outcome?: string }> }>('POST', `/incidents/${incident.id}/devices/${st.deviceId}/sync`, {
              sentAt: new Date().toISOString(),
              entries: st.entries.slice(i, i + 50),
            });
            for (const r of res.body.results)
              tally[`${r.status}${r.outcome ? `/${r.outcome}` : ''}`] = (tally[`${r.status}${r.outcome ? `/${r.outcome}` : ''}`] ?? 0) + 1;
          }
        }),
      );
      return tally;
    };
    t = now();
    const first = await syncAll();
    const syncMs = now() - t;
    t = now();
    const again = await syncAll();
    const againMs = now() - t;
    const counts = (
      await db.query<{ scans: string; attempts: string; deployments: string }>(
        `SELECT (SELECT count(*) FROM offline_scan WHERE incident_id = $1) AS scans,
                (SELECT count(*) FROM check_in_attempt WHERE incident_id = $1 AND device_id IS NOT NULL) AS attempts,
                (SELECT count(*) FROM deployment WHERE incident_id = $1 AND checked_out_at IS NULL) AS deployments`,
        [incident.id],
      )
    ).rows[0];
    process.stdout.write(
      `sync: ${SCANS} scans from ${STATIONS} stations in ${(syncMs / 1000).toFixed(2)} s (${((SCANS / syncMs) * 1000).toFixed(0)}/s, re-verified online, DID documents max-age ${DID_MAX_AGE} s; target <= 10 s): ${JSON.stringify(first)}\n` +
        `  the same batches again: ${(againMs / 1000).toFixed(2)} s: ${JSON.stringify(again)}\n` +
        `  stored: ${counts.scans} offline scans, ${counts.attempts} check-in attempts from stations, ${counts.deployments} active deployments (${BOARDS + 2} online + ${SCANS} offline)\n`,
    );
  } finally {
    await db.end();
    await app.close();
    await issuer.close();
    if (!KEEP) {
      const admin = new Client({ connectionString: `${SERVER}/postgres` });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
      await admin.end();
    } else process.stdout.write(`kept database ${dbName}\n`);
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
