/**
 * npm run bench:audit — builds a hash chain of 1,000,000 audit entries (check-in evidence payloads, like the real
 * ones) in memory with the writer's own function and signs checkpoints, then verifies it:
 *  1. in memory, on one thread, with the detection logic GET /audit/verify and audit-verify share;
 *  2. as the offline CLI does: written as an export bundle file, read back and verified (worker threads).
 * Prints entries per second; the target is a million entries in under 10 s.
 *
 * Options: --entries N (default 1000000), --checkpoint-every N (default 100000), --threads N (default: cores),
 *          --db (also: write the chain into a scratch PostgreSQL database and run the server's own verification
 *          and checkpoint paths on it, streaming page by page).
 */
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { CompactSign, exportJWK, generateKeyPair, type JWK } from 'jose';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import {
  AuditCheckpointsService,
  AuditCheckpointsRepository,
  AuditEntriesRepository,
  AuditVerificationService,
  BUNDLE_FORMAT,
  BUNDLE_VERSION,
  buildEntry,
  GENESIS_HASH,
  signCheckpoint,
  verifyBundleFile,
  verifyEntries,
  writeBundle,
  type AuditBundle,
  type AuditEntryRecord,
  type CheckpointRecord,
} from '@app/audit';
import { ServerKeysService, ServerKeysRepository } from '@app/auth';
import { Clock } from '@app/common';
import { DEVELOPMENT_MATCHING_HASH_KEY, parseConfig } from '@app/config';
import { Database, dataSourceOptions, ensureDatabaseExists, runMigrations } from '@app/db';

const args = process.argv.slice(2);
const opt = (name: string, dflt: number): number => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const ENTRIES = opt('entries', 1_000_000);
const CHECKPOINT_EVERY = opt('checkpoint-every', 100_000);
const WITH_DB = args.includes('--db');
const THREADS = opt('threads', availableParallelism());
const TARGET_SECONDS = 10;
const SERVER = 'postgres://postgres@127.0.0.1:5432';

const INCIDENT = randomUUID();
const CHAIN = `incident:${INCIDENT}`;
const users = Array.from({ length: 40 }, () => randomUUID());
const responders = Array.from({ length: 5000 }, () => randomUUID());

const seconds = (from: number): number => (performance.now() - from) / 1000;
/** CPU seconds this process used since `from` (all its threads): on a shared machine wall time overstates the cost. */
const cpuSeconds = (from: NodeJS.CpuUsage): number => {
  const used = process.cpuUsage(from);
  return (used.user + used.system) / 1e6;
};
const rate = (n: number, s: number): string => `${Math.round(n / s).toLocaleString('en-US')} entries/s`;
const mb = (): string => `${Math.round(process.memoryUsage().rss / 1e6)} MB RSS`;
const say = (line: string): boolean => process.stdout.write(`${line}\n`);

/** The i-th entry's content: check-ins (with their verification evidence), status changes and check-outs. */
function inputFor(i: number): Parameters<typeof buildEntry>[0] {
  const responderId = responders[i % responders.length];
  const actor = {
    kind: 'user' as const,
    userId: users[i % users.length],
    role: 'checkin',
    email: `staff${i % users.length}@agency.example`,
    ip: '10.20.30.40',
    device: `tablet-${i % 12}`,
  };
  const occurredAt = new Date(Date.UTC(2026, 5, 1) + i * 250);
  switch (i % 3) {
    case 0:
      return {
        actor,
        action: 'checkin.admitted',
        incidentId: INCIDENT,
        target: { type: 'deployment', id: randomUUID() },
        occurredAt,
        payload: {
          attemptId: randomUUID(),
          decision: 'admitted',
          reasons: [],
          responderId,
          deploymentId: randomUUID(),
          positionId: null,
          locationId: null,
          verification: {
            verified: true,
            checks: ['format', 'signature', 'data_model', 'validity', 'status', 'issuer_trust'].map((id) => ({ id, status: 'pass', code: 'ok' })),
            issuer: { id: 'did:web:boards.example:fl-nursing', registryName: 'Florida Board of Nursing' },
            qualification: 'RN',
            licenseNumber: `RN${1_000_000 + (i % 900_000)}`,
            credentialHash: (i * 2654435761).toString(16).padStart(64, '0').slice(-64),
            algorithm: 'EdDSA',
            keyId: 'did:web:boards.example:fl-nursing#key-1',
            status: [
              {
                listUrl: 'https://boards.example/fl-nursing/status/1',
                purpose: 'revocation',
                index: i % 131072,
                value: 0,
                fetchedAt: occurredAt.toISOString(),
              },
            ],
          },
        },
      };
    case 1:
      return {
        actor,
        action: 'deployment.status_changed',
        incidentId: INCIDENT,
        target: { type: 'deployment', id: randomUUID() },
        occurredAt,
        payload: { responderId, from: { status: 'available' }, to: { status: 'assigned', assignment: 'Division A' }, note: null },
      };
    default:
      return {
        actor,
        action: 'deployment.checked_out',
        incidentId: INCIDENT,
        target: { type: 'deployment', id: randomUUID() },
        occurredAt,
        payload: { responderId, checkedInAt: occurredAt.toISOString(), checkedOutAt: occurredAt.toISOString(), hoursOnScene: 11.5, note: null },
      };
  }
}

async function inMemory(): Promise<AuditEntryRecord[]> {
  say(`audit chain benchmark: ${ENTRIES.toLocaleString('en-US')} entries, a signed checkpoint every ${CHECKPOINT_EVERY.toLocaleString('en-US')}`);
  say(`  machine: ${availableParallelism()} cores, load average ${loadavg()[0].toFixed(1)} at start (wall times grow with other load; CPU times less so)`);
  const { privateKey, publicKey } = await generateKeyPair('EdDSA', { extractable: true });
  const kid = 'bench-key';
  const jwks: { keys: JWK[] } = { keys: [{ ...(await exportJWK(publicKey)), kid, alg: 'EdDSA', use: 'sig' }] };
  const sign = (payload: Uint8Array, typ: string): Promise<string> => new CompactSign(payload).setProtectedHeader({ alg: 'EdDSA', kid, typ }).sign(privateKey);

  let t = performance.now();
  const entries: AuditEntryRecord[] = new Array<AuditEntryRecord>(ENTRIES);
  const checkpoints: CheckpointRecord[] = [];
  let prev = GENESIS_HASH;
  for (let i = 0; i < ENTRIES; i++) {
    const entry = buildEntry(inputFor(i), i + 1, prev);
    entries[i] = { id: String(i + 1), ...entry };
    prev = entry.hash;
    if ((i + 1) % CHECKPOINT_EVERY === 0 || i + 1 === ENTRIES) {
      const last = checkpoints[checkpoints.length - 1];
      const createdAt = new Date().toISOString();
      const statement = { chainId: CHAIN, seq: i + 1, headHash: prev, previous: last ? { seq: last.seq, headHash: last.headHash } : null, createdAt };
      checkpoints.push({ chainId: CHAIN, seq: i + 1, headHash: prev, jws: await signCheckpoint(sign, statement), kid, createdAt });
    }
  }
  const built = seconds(t);
  say(`  build (writer's hashing, in memory)   ${built.toFixed(2)} s   ${rate(ENTRIES, built)}   ${mb()}`);

  t = performance.now();
  let cpu = process.cpuUsage();
  const report = await verifyEntries({ chainId: CHAIN, entries, checkpoints, jwks, head: { seq: ENTRIES, hash: prev } });
  const verified = seconds(t);
  if (!report.ok) throw new Error(`the benchmark chain did not verify: ${JSON.stringify(report.problem)}`);
  say(
    `  verify in memory, 1 thread            ${verified.toFixed(2)} s   ${rate(ENTRIES, verified)}   (${cpuSeconds(cpu).toFixed(2)} s CPU)   ${report.checkpoints.verified} checkpoints   ${mb()}`,
  );

  const dir = await mkdtemp(join(tmpdir(), 'bench-audit-'));
  try {
    const file = join(dir, 'bundle.json');
    t = performance.now();
    const out = createWriteStream(file);
    const header: Omit<AuditBundle, 'entries'> = {
      format: BUNDLE_FORMAT,
      version: BUNDLE_VERSION,
      chainId: CHAIN,
      incidentId: INCIDENT,
      exportedAt: new Date().toISOString(),
      head: { seq: ENTRIES, hash: prev },
      checkpoints,
      jwks,
    };
    await writeBundle(out, header, pages(entries));
    await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
    say(`  write export bundle                   ${seconds(t).toFixed(2)} s   ${Math.round((await stat(file)).size / 1e6)} MB`);
    t = performance.now();
    cpu = process.cpuUsage();
    const offline = await verifyBundleFile(file, { threads: THREADS, trustedJwks: jwks });
    const offlineSeconds = seconds(t);
    if (!offline.ok || !offline.result.verification.ok) throw new Error(`the bundle did not verify: ${JSON.stringify(offline)}`);
    say(
      `  audit-verify on the bundle file        ${offlineSeconds.toFixed(2)} s   ${rate(ENTRIES, offlineSeconds)}   (${cpuSeconds(cpu).toFixed(2)} s CPU in ${offline.result.threads} thread(s); reading and parsing included)`,
    );
    const best = Math.min(verified, offlineSeconds);
    say(
      `  target: ${ENTRIES.toLocaleString('en-US')} entries verified in under ${TARGET_SECONDS} s: ${best < TARGET_SECONDS ? 'met' : 'NOT met'} (in memory ${verified.toFixed(1)} s, bundle file ${offlineSeconds.toFixed(1)} s)`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }

  t = performance.now();
  const middle = Math.floor(ENTRIES / 2);
  const original = entries[middle];
  entries[middle] = { ...original, action: 'checkin.denied' };
  const tampered = await verifyEntries({ chainId: CHAIN, entries, checkpoints, jwks, head: { seq: ENTRIES, hash: prev } });
  say(
    `  one entry modified mid-chain, in memory: ${tampered.ok ? 'NOT detected' : `${tampered.problem.kind} at seq ${tampered.problem.seq}`} (${seconds(t).toFixed(2)} s)`,
  );
  entries[middle] = original;
  return entries;
}

/** The same chain in PostgreSQL: the server's streaming verification and the checkpoint run (ServerKeysService, real key). */
async function inDatabase(entries: AuditEntryRecord[]): Promise<void> {
  const name = `audit_bench_${process.pid}`;
  const url = `${SERVER}/${name}`;
  const admin = new Client({ connectionString: `${SERVER}/postgres` });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await ensureDatabaseExists(url);
  await runMigrations(url, DEVELOPMENT_MATCHING_HASH_KEY);
  const db = new DataSource(dataSourceOptions(url, { poolSize: 4, applicationName: 'bench-audit' }));
  await db.initialize();
  try {
    say(`  PostgreSQL (scratch database ${name}):`);
    let t = performance.now();
    const BATCH = 5000;
    for (let from = 0; from < entries.length; from += BATCH) {
      const batch = entries.slice(from, from + BATCH);
      await db.query(
        `INSERT INTO audit_entry (chain_id, seq, occurred_at, actor, action, incident_id, target_type, target_id, payload, prev_hash, hash)
         SELECT * FROM unnest($1::text[], $2::bigint[], $3::timestamptz[], $4::jsonb[], $5::text[], $6::uuid[], $7::text[], $8::text[], $9::jsonb[], $10::text[], $11::text[])`,
        [
          batch.map((e) => e.chainId),
          batch.map((e) => e.seq),
          batch.map((e) => e.occurredAt),
          batch.map((e) => JSON.stringify(e.actor)),
          batch.map((e) => e.action),
          batch.map((e) => e.incidentId),
          batch.map((e) => e.targetType),
          batch.map((e) => e.targetId),
          batch.map((e) => JSON.stringify(e.payload)),
          batch.map((e) => e.prevHash),
          batch.map((e) => e.hash),
        ],
      );
    }
    const last = entries[entries.length - 1];
    await db.query(`INSERT INTO audit_chain (chain_id, last_seq, last_hash) VALUES ($1, $2, $3)`, [CHAIN, last.seq, last.hash]);
    await db.query(`ANALYZE audit_entry`);
    say(`    load (batched INSERT)               ${seconds(t).toFixed(2)} s   ${rate(entries.length, seconds(t))}`);

    const config = parseConfig({ DATABASE_URL: url });
    const database = new Database(db);
    const keys = new ServerKeysService(database, new ServerKeysRepository(database), config);
    await keys.load();
    const entryReads = new AuditEntriesRepository();
    const checkpoints = new AuditCheckpointsRepository(database);
    t = performance.now();
    const run = await new AuditCheckpointsService(database, entryReads, checkpoints, keys, new Clock()).checkpointChain(CHAIN);
    say(
      `    first checkpoint (verifies all, signs) ${seconds(t).toFixed(2)} s   ${run?.created ? `signed seq ${run.created.seq}` : `NOT signed: ${JSON.stringify(run)}`}`,
    );

    t = performance.now();
    const report = await new AuditVerificationService(database, entryReads, checkpoints, keys).verify(CHAIN);
    const verified = seconds(t);
    say(`    GET /audit/verify path (streamed)   ${verified.toFixed(2)} s   ${rate(report.entries, verified)}   ok=${report.ok}   ${mb()}`);
  } finally {
    await db.destroy();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}

async function* pages(entries: AuditEntryRecord[]): AsyncGenerator<AuditEntryRecord[]> {
  for (let i = 0; i < entries.length; i += 2000) yield entries.slice(i, i + 2000);
}

async function main(): Promise<void> {
  Logger.overrideLogger(['error']); // ServerKeysService announces the key it generates in the scratch database
  const entries = await inMemory();
  if (WITH_DB) await inDatabase(entries);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:audit failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
