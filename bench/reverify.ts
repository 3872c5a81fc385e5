/**
 * npm run bench:reverify: a full reverification sweep of 100,000 active deployments whose credentials sit on 100
 * status lists (50 demo licensing boards, a revocation and a suspension list each, served over HTTP by the demo
 * issuer), next to the raw cost, in the same run, of decoding those lists and looking up every credential's bits in
 * a tight loop. Target: a full sweep in under 10 s.
 *
 * The database is a scratch one (seeded with SQL); each board also has 3 real credentials checked in, of which 2 are
 * revoked and 1 suspended before the first sweep, so the first sweep confirms and applies 150 changes through the
 * verification engine (flag, status history, audit entry, board event); the second sweep finds nothing new.
 * Options: --deployments N (default 100000), --boards N (default 50), --batch N (REVERIFY_BATCH_SIZE, default 2000),
 *          --keep (keep the scratch database, to look at it afterwards).
 */
import { randomUUID } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Client } from 'pg';
import { AuditTrailModule } from '@app/audit';
import { CommonModule, LoggingModule, RedisConnection } from '@app/common';
import { DEVELOPMENT_MATCHING_HASH_KEY, ConfigModule, parseConfig } from '@app/config';
import { CredentialsModule, CredentialVerifier, readStatus, StatusListStore, type StatusEntrySummary } from '@app/credentials';
import { Database, DbModule, ensureDatabaseExists, runMigrations } from '@app/db';
import { IncidentsCoreModule } from '@app/incidents';
import { JobRunRepository } from '@app/jobs';
import { LiveEmitterModule, OutboxModule } from '@app/realtime';
import { ReverificationCoreModule, Reverifier, type RunTally } from '@app/reverification';
import { TelemetryModule } from '@app/telemetry';
import { TrustModule } from '@app/trust';
import { startIssuerServer, type BoardSpec } from '../apps/issuer/src';

const args = process.argv.slice(2);
const opt = (name: string, dflt: number): number => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const DEPLOYMENTS = opt('deployments', 100_000);
const BOARDS = opt('boards', 50);
const BATCH = opt('batch', 2000);
const REAL_PER_BOARD = 3;
const KEEP = args.includes('--keep');
const SERVER = 'postgres://postgres@127.0.0.1:5432';

const ms = (t0: bigint): number => Number(process.hrtime.bigint() - t0) / 1e6;
const fmt = (n: number): string => `${n.toFixed(0)} ms`;

async function admin<T>(fn: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client({ connectionString: `${SERVER}/postgres` });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

async function main(): Promise<void> {
  const dbName = `rc_bench_reverify_${randomUUID().slice(0, 8)}`;
  const dbUrl = `${SERVER}/${dbName}`;
  const prefix = `bench_reverify_${randomUUID().slice(0, 8)}`;
  const boards: BoardSpec[] = Array.from({ length: BOARDS }, (_, i) => ({
    slug: `bench-board-${i}`,
    name: `Bench Licensing Board ${i}`,
    jurisdiction: 'US-FL',
    kind: 'state-board',
    alg: i % 2 === 0 ? 'ES256' : 'EdDSA',
  }));
  const issuer = await startIssuerServer({ port: 0, boards, statusListTtlMs: 600_000 });
  let app: INestApplicationContext | undefined;
  const db = new Client({ connectionString: dbUrl });
  try {
    process.stdout.write(`seeding ${DEPLOYMENTS.toLocaleString('en-US')} deployments over ${BOARDS * 2} status lists...\n`);
    await ensureDatabaseExists(dbUrl);
    await runMigrations(dbUrl, DEVELOPMENT_MATCHING_HASH_KEY);
    await db.connect();

    const config = parseConfig({
      NODE_ENV: 'development',
      LOG_LEVEL: 'warn',
      DATABASE_URL: dbUrl,
      REDIS_PREFIX: prefix,
      FETCH_INSECURE_HOSTS: 'localhost,127.0.0.1',
      FETCH_ALLOW_PRIVATE_NETWORK: 'true',
      LIVE_RELAY_ENABLED: 'false',
      REVERIFY_BATCH_SIZE: String(BATCH),
      // One process runs the sweep here (no worker takes shards): bench:scale measures the split sweep.
      REVERIFY_SWEEP_SHARDS: '1',
    });
    @Module({
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule,
        TelemetryModule.forProcess('worker'),
        CommonModule,
        DbModule,
        AuditTrailModule,
        OutboxModule,
        LiveEmitterModule,
        TrustModule,
        CredentialsModule,
        IncidentsCoreModule,
        ReverificationCoreModule,
      ],
    })
    class BenchModule {}
    app = await NestFactory.createApplicationContext(BenchModule, { logger: ['error'] });
    await app.init();
    const verifier = app.get(CredentialVerifier);

    // Registry, incidents.
    for (const b of issuer.boards) {
      await db.query(`INSERT INTO trusted_issuer (id, display_name, jurisdictions, qualifications) VALUES ($1, $2, '{US-FL}', '{RN}')`, [b.did, b.name]);
    }
    const incidents = (
      await db.query(
        `INSERT INTO incident (name, number, type, jurisdiction) SELECT 'Bench incident ' || g, 'BENCH-' || g, 'Hurricane', 'US-FL' FROM generate_series(1, 10) g RETURNING id`,
      )
    ).rows.map((r: { id: string }) => r.id);

    // Per board: real credentials checked in (verified by the engine, stored as check-in stores them), then filler
    // deployments with the same stored facts on the same two lists.
    const perBoard = Math.floor(DEPLOYMENTS / BOARDS);
    const changes: Array<{ board: number; index: number; purpose: 'revocation' | 'suspension' }> = [];
    for (const [n, b] of issuer.boards.entries()) {
      const incidentId = incidents[n % incidents.length];
      const issued = [];
      for (let k = 0; k < REAL_PER_BOARD; k++) issued.push(await b.issue({ format: 'vc+jwt', qualification: 'RN', subject: { name: `Real ${n}-${k}` } }));
      let template: { status: StatusEntrySummary[]; thumbprint: string } | undefined;
      for (const c of issued) {
        const result = await verifier.verify(c.jws, { jurisdiction: 'US-FL' });
        if (!result.verified || !result.credential) throw new Error(`seed credential did not verify: ${JSON.stringify(result.errors)}`);
        const s = result.credential;
        template ??= { status: s.status, thumbprint: result.evidence.keyThumbprint ?? '' };
        const responder = (
          await db.query(`INSERT INTO responder (subject_hash, name) VALUES ($1, $2) RETURNING id`, [`urn:real:${randomUUID()}`, s.subject.name])
        ).rows[0].id;
        const cred = (
          await db.query(
            `INSERT INTO presented_credential (hash, jws, responder_id, format, issuer_id, qualification, valid_from, valid_until, status_entries, key_thumbprint, summary, last_verified_at, last_verified)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, now(), true) RETURNING id`,
            [
              result.evidence.credentialHash,
              c.jws,
              responder,
              s.format,
              s.issuer.id,
              s.qualification,
              s.validFrom,
              s.validUntil,
              JSON.stringify(s.status),
              result.evidence.keyThumbprint,
              JSON.stringify(s),
            ],
          )
        ).rows[0].id;
        await db.query(
          `INSERT INTO deployment (incident_id, responder_id, credential_id, decision, status, checked_in_at) VALUES ($1, $2, $3, 'admitted', 'available', now())`,
          [incidentId, responder, cred],
        );
      }
      changes.push(
        { board: n, index: issued[0].statusIndex, purpose: 'revocation' },
        { board: n, index: issued[1].statusIndex, purpose: 'revocation' },
        { board: n, index: issued[2].statusIndex, purpose: 'suspension' },
      );
      const listUrl = (purpose: string): string => template?.status.find((e) => e.purpose === purpose)?.listUrl ?? '';
      await db.query(
        `WITH n AS (
           SELECT g FROM generate_series(1, $1::int + 10) g WHERE NOT (g = ANY($8::int[])) ORDER BY g LIMIT $1::int
         ), r AS (
           INSERT INTO responder (subject_hash, name) SELECT 'urn:bench:' || $2 || ':' || g, 'Responder ' || $2 || '-' || g FROM n RETURNING id, subject_hash
         ), c AS (
           INSERT INTO presented_credential (hash, jws, responder_id, format, issuer_id, qualification, valid_until, status_entries, key_thumbprint, last_verified)
           SELECT md5(r.subject_hash), 'seeded', r.id, 'vc+jwt', $3, 'RN', now() + interval '400 days',
                  jsonb_build_array(
                    jsonb_build_object('type', 'BitstringStatusListEntry', 'purpose', 'revocation', 'listUrl', $4::text, 'index', split_part(r.subject_hash, ':', 4)::int),
                    jsonb_build_object('type', 'BitstringStatusListEntry', 'purpose', 'suspension', 'listUrl', $5::text, 'index', split_part(r.subject_hash, ':', 4)::int)),
                  $6, true
             FROM r RETURNING id, responder_id
         )
         INSERT INTO deployment (incident_id, responder_id, credential_id, decision, status, checked_in_at)
         SELECT $7, c.responder_id, c.id, 'admitted', 'available', now() - interval '1 hour' FROM c`,
        [
          perBoard - REAL_PER_BOARD,
          `b${n}`,
          b.did,
          listUrl('revocation'),
          listUrl('suspension'),
          template?.thumbprint,
          incidentId,
          issued.map((c) => c.statusIndex),
        ],
      );
    }
    await db.query('VACUUM ANALYZE');
    const total = Number((await db.query(`SELECT count(*) FROM deployment WHERE checked_out_at IS NULL`)).rows[0].count);

    for (const c of changes) {
      const board = issuer.boards[c.board];
      if (c.purpose === 'revocation') board.revoke(c.index);
      else board.suspend(c.index);
    }
    // The lists as the boards now publish them: fetched once (conditional GET, verify, decode, shared through Redis).
    const lists = [...new Set(changes.map((c) => issuer.boards[c.board]).flatMap((b) => [b.statusListUrl('revocation'), b.statusListUrl('suspension')]))];
    const tFetch = process.hrtime.bigint();
    await Promise.all(lists.map((url) => verifier.statusLists.refresh(url)));
    const fetchMs = ms(tFetch);

    const runs = app.get(JobRunRepository);
    const database = app.get(Database);
    const reverifier = app.get(Reverifier);
    const sweep = async (): Promise<{ ms: number; cpuMs: number; tally: RunTally }> => {
      const { run } = await database.transaction((tx) =>
        runs.open(tx, { kind: 'sweep', dedupeKey: 'sweep', requestedBy: { kind: 'system', process: 'worker', job: 'bench' } }),
      );
      const cpu0 = process.cpuUsage();
      const t0 = process.hrtime.bigint();
      await reverifier.process(run.id);
      const elapsed = ms(t0);
      const cpu = process.cpuUsage(cpu0);
      return { ms: elapsed, cpuMs: (cpu.user + cpu.system) / 1000, tally: (await runs.get(run.id))?.result as unknown as RunTally };
    };
    const first = await sweep();
    const second = await sweep();

    // Raw cost in the same run: decode the 100 lists (gunzip of the bytes kept in the shared store) and read every
    // credential's two bits in a tight loop. The compressed lists and the entries are loaded beforehand (not timed).
    const store = app.get(StatusListStore);
    const entries = (
      await db.query(`SELECT c.status_entries FROM deployment d JOIN presented_credential c ON c.id = d.credential_id WHERE d.checked_out_at IS NULL`)
    ).rows.map((r: { status_entries: StatusEntrySummary[] }) => r.status_entries);
    const compressed = new Map<string, Uint8Array>();
    for (const url of lists) {
      const stored = await store.get(url);
      if (!stored) throw new Error(`list ${url} not in the store`);
      compressed.set(url, stored.gzip);
    }
    const tRaw = process.hrtime.bigint();
    const decoded = new Map<string, Uint8Array>();
    for (const [url, gzip] of compressed) decoded.set(url, new Uint8Array(gunzipSync(gzip)));
    const decodeMs = ms(tRaw);
    let set = 0;
    for (const list of entries) {
      for (const e of list) set += readStatus(decoded.get(e.listUrl) as Uint8Array, e.index);
    }
    const rawMs = ms(tRaw);

    const lines = [
      `deployments: ${total.toLocaleString('en-US')} active, ${lists.length} status lists (${BOARDS} issuers), block size ${BATCH}`,
      `lists fetched + verified + decoded + shared (once, before the sweeps): ${fmt(fetchMs)}`,
      `full sweep #1 (150 changes confirmed by the engine and applied): ${fmt(first.ms)} (worker CPU ${fmt(first.cpuMs)})  [checked ${first.tally.checked}, flagged ${first.tally.flagged} ${JSON.stringify(first.tally.byFlag)}, re-checked ${first.tally.rechecked}]`,
      `full sweep #2 (nothing new): ${fmt(second.ms)} (worker CPU ${fmt(second.cpuMs)})  [checked ${second.tally.checked}, flagged ${second.tally.flagged}]`,
      `raw: decode ${lists.length} lists + ${entries.length * 2} bit lookups in a tight loop: ${rawMs.toFixed(1)} ms (decode ${decodeMs.toFixed(1)} ms; ${set} bits set)`,
      `ratio full sweep / raw: #1 ${(first.ms / rawMs).toFixed(0)}x, #2 ${(second.ms / rawMs).toFixed(0)}x`,
      `target: a full sweep under 10 s: ${first.ms < 10_000 && second.ms < 10_000 ? 'met' : 'NOT met'}`,
    ];
    process.stdout.write(`\n${lines.join('\n')}\n`);
  } finally {
    await app
      ?.get(RedisConnection)
      .client.eval(`for _, k in ipairs(redis.call('keys', ARGV[1])) do redis.call('del', k) end`, 0, `${prefix}:*`)
      .catch(() => undefined);
    await app?.close();
    await db.end().catch(() => undefined);
    await issuer.close();
    if (KEEP) process.stdout.write(`scratch database kept: ${dbUrl}\n`);
    else await admin((c) => c.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`));
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:reverify failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
