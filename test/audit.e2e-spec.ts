import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CompactSign, compactVerify, decodeProtectedHeader, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';
import { Client } from 'pg';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { Test } from '@nestjs/testing';
import { AuditTrail, AuditWorkerModule, buildEntry, CHECKPOINT_TYP, GENESIS_HASH, type AuditEntryRecord, type ChainVerification } from '@app/audit';
import { CommonModule } from '@app/common';
import { CombinedStatement } from '@app/db';
import { ConfigModule, parseConfig } from '@app/config';
import { DbModule } from '@app/db';
import { runCli } from '../apps/cli/src/cli';
import { ADMIN, bearer, createTestEnv, createUser, signIn, startApi, type TestApi, type TestEnv } from './support/test-app';

/** Runs `audit-verify ARGS` through the CLI's dispatcher, in this process. */
async function auditVerify(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(['audit-verify', ...args], {
    stdout: { write: (t: string) => (out += t) },
    stderr: { write: (t: string) => (err += t) },
    readStdin: async () => '',
    env: {},
  });
  return { code, out, err };
}

/**
 * The audit trail end to end: append-only in the database, signed checkpoints, tampering in each way detected and
 * located by GET /audit/verify and by the offline audit-verify on an export, search, and auditor scope.
 */
describe('audit trail', () => {
  let env: TestEnv;
  let api: TestApi;
  let pg: Client;
  let adminToken: string;
  let dir: string;
  /** The server's checkpoint keys as an auditor pins them: saved once, before anything happens. */
  let pinnedKeys: string;

  beforeAll(async () => {
    env = await createTestEnv('audit');
    api = await startApi(env.env);
    adminToken = await signIn(api.http, ADMIN.email, ADMIN.password);
    pg = new Client({ connectionString: env.dbUrl });
    await pg.connect();
    dir = await mkdtemp(join(tmpdir(), 'audit-e2e-'));
    pinnedKeys = join(dir, 'pinned-checkpoint-keys.json');
    await writeFile(pinnedKeys, JSON.stringify((await request(api.http).get('/.well-known/audit-checkpoint-keys.json').expect(200)).body));
  });
  afterAll(async () => {
    await pg?.end();
    await api?.close();
    await env?.drop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function createIncident(jurisdiction = 'US-FL', timeZone = 'UTC'): Promise<string> {
    const { rows } = await pg.query<{ id: string }>(
      `INSERT INTO incident (name, number, type, jurisdiction, time_zone) VALUES ($1, $2, 'Hurricane', $3, $4) RETURNING id`,
      [`Incident ${jurisdiction}`, `N-${randomUUID().slice(0, 8)}`, jurisdiction, timeZone],
    );
    return rows[0].id;
  }

  /** Appends through the real writer (AuditTrail.record in a transaction), as every feature does. */
  async function append(incidentId: string, count: number, start?: Date): Promise<AuditEntryRecord[]> {
    const trail = api.app.get(AuditTrail);
    const db = api.app.get(DataSource);
    const out: AuditEntryRecord[] = [];
    for (let i = 0; i < count; i++) {
      out.push(
        await db.transaction((tx) =>
          trail.record(tx, {
            actor: { kind: 'user', userId: randomUUID(), role: 'checkin', ip: '10.1.2.3', device: 'tablet-1' },
            action: i % 2 ? 'deployment.status_changed' : 'checkin.admitted',
            incidentId,
            target: { type: 'deployment', id: randomUUID() },
            payload: { responderId: randomUUID(), step: i, verification: { verified: true, checks: [{ id: 'signature', status: 'pass' }] } },
            occurredAt: start ? new Date(start.getTime() + i * 1000) : undefined,
          }),
        ),
      );
    }
    return out;
  }

  const checkpointNow = async () =>
    (
      await request(api.http)
        .post('/audit/checkpoints')
        .set(...bearer(adminToken))
        .expect(200)
    ).body as {
      created: Array<{ chainId: string; seq: number; headHash: string; jws: string; kid: string }>;
      refused: Array<{ chainId: string; problem: { kind: string; seq: number } }>;
    };

  /** An incident chain of 12 entries with signed checkpoints at 8 and 12. */
  async function chainWithCheckpoints(): Promise<{ incidentId: string; chainId: string; entries: AuditEntryRecord[] }> {
    const incidentId = await createIncident();
    const entries = await append(incidentId, 8);
    await checkpointNow();
    entries.push(...(await append(incidentId, 4)));
    await checkpointNow();
    return { incidentId, chainId: `incident:${incidentId}`, entries };
  }

  /** Runs SQL with the append-only triggers switched off, as only the tables' owner can. */
  async function tamper(sql: string, params: unknown[] = []): Promise<void> {
    await pg.query('ALTER TABLE audit_entry DISABLE TRIGGER USER; ALTER TABLE audit_checkpoint DISABLE TRIGGER USER');
    try {
      await pg.query(sql, params);
    } finally {
      await pg.query('ALTER TABLE audit_entry ENABLE TRIGGER USER; ALTER TABLE audit_checkpoint ENABLE TRIGGER USER');
    }
  }

  const verify = async (query: string, token = adminToken): Promise<ChainVerification> =>
    (
      await request(api.http)
        .get(`/audit/verify?${query}`)
        .set(...bearer(token))
        .expect(200)
    ).body as ChainVerification;

  /** Exports the incident's chain and runs the offline CLI on the file (with the pinned keys unless `extra` names others). */
  async function verifyOffline(incidentId: string, extra: string[] = []): Promise<{ code: number; out: string; err: string; file: string }> {
    const res = await request(api.http)
      .get(`/audit/export?incidentId=${incidentId}`)
      .set(...bearer(adminToken))
      .buffer(true)
      .parse((r, cb) => {
        let text = '';
        r.on('data', (c: Buffer) => (text += c.toString()));
        r.on('end', () => cb(null, text));
      });
    expect(res.status).toBe(200);
    const file = join(dir, `${incidentId}-${randomUUID().slice(0, 6)}.json`);
    await writeFile(file, res.body as string);
    return { ...(await auditVerify([file, ...(extra.includes('--jwks') ? [] : ['--jwks', pinnedKeys]), ...extra])), file };
  }

  describe('append-only protection', () => {
    it('the database refuses UPDATE, DELETE and TRUNCATE of audit entries and checkpoints, even from the owner', async () => {
      const incidentId = await createIncident();
      await append(incidentId, 2);
      await checkpointNow();
      for (const sql of [
        `UPDATE audit_entry SET action = 'x' WHERE incident_id = '${incidentId}'`,
        `DELETE FROM audit_entry WHERE incident_id = '${incidentId}'`,
        `TRUNCATE audit_entry`,
        `UPDATE audit_checkpoint SET head_hash = 'x'`,
        `DELETE FROM audit_checkpoint`,
        `TRUNCATE audit_checkpoint`,
      ]) {
        await expect(pg.query(sql)).rejects.toMatchObject({ code: '42501', message: expect.stringMatching(/append-only/) });
      }
    });

    it('the application role may read and append audit rows but never change them or switch the trigger off', async () => {
      await pg.query('BEGIN; SET LOCAL ROLE responder_checkin_app');
      try {
        const { rows } = await pg.query<{ n: string }>('SELECT count(*) AS n FROM audit_entry');
        expect(Number(rows[0].n)).toBeGreaterThan(0);
        await pg.query(
          `INSERT INTO audit_entry (chain_id, seq, occurred_at, actor, action, payload, prev_hash, hash) VALUES ('probe', 1, now(), '{}', 'probe', '{}', 'p', 'h')`,
        );
        await pg.query('SAVEPOINT s');
        await expect(pg.query(`UPDATE audit_entry SET action = 'x' WHERE chain_id = 'probe'`)).rejects.toMatchObject({
          code: '42501',
          message: expect.stringMatching(/permission denied/),
        });
        await pg.query('ROLLBACK TO SAVEPOINT s');
        await expect(pg.query(`DELETE FROM audit_checkpoint`)).rejects.toMatchObject({ code: '42501', message: expect.stringMatching(/permission denied/) });
        await pg.query('ROLLBACK TO SAVEPOINT s');
        await expect(pg.query(`ALTER TABLE audit_entry DISABLE TRIGGER USER`)).rejects.toMatchObject({ message: expect.stringMatching(/must be owner/) });
      } finally {
        await pg.query('ROLLBACK');
      }
    });

    it('the api runs as a login role in responder_checkin_app: sign-ins and user changes are audited, the chain verifies', async () => {
      await pg.query(`DO $$ BEGIN
          IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'rc_audit_e2e_login') THEN CREATE ROLE rc_audit_e2e_login LOGIN IN ROLE responder_checkin_app; END IF;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$`);
      const url = new URL(env.dbUrl);
      url.username = 'rc_audit_e2e_login';
      const asApp = await startApi({ ...env.env, DATABASE_URL: url.toString() });
      try {
        const db = asApp.app.get(DataSource);
        expect(await db.query('SELECT current_user AS who')).toEqual([{ who: 'rc_audit_e2e_login' }]);
        await expect(db.query(`UPDATE audit_entry SET action = action`)).rejects.toMatchObject({ message: expect.stringMatching(/permission denied/) });
        const token = await signIn(asApp.http, ADMIN.email, ADMIN.password);
        await createUser(asApp.http, token, 'commander');
        const report = (
          await request(asApp.http)
            .get('/audit/verify?chainId=system')
            .set(...bearer(token))
            .expect(200)
        ).body as ChainVerification;
        expect(report.ok).toBe(true);
      } finally {
        await asApp.close();
      }
    });
  });

  describe('sign-ins and user changes', () => {
    it('records auth.sign_in and auth.sign_in_failed in the system chain, never the password', async () => {
      const wrong = 'not-the-password-7f3a';
      await request(api.http).post('/auth/token').send({ email: ADMIN.email, password: wrong }).expect(401);
      await signIn(api.http, ADMIN.email, ADMIN.password);
      const { rows } = await pg.query<{ action: string; actor: Record<string, unknown>; payload: Record<string, unknown>; chain_id: string }>(
        `SELECT action, actor, payload, chain_id FROM audit_entry WHERE action LIKE 'auth.%' ORDER BY id DESC LIMIT 2`,
      );
      expect(rows.map((r) => r.action)).toEqual(['auth.sign_in', 'auth.sign_in_failed']);
      expect(rows[1]).toMatchObject({ chain_id: 'system', actor: { kind: 'anonymous', email: ADMIN.email } });
      expect(rows[0]).toMatchObject({ chain_id: 'system', actor: { kind: 'user', role: 'admin', email: ADMIN.email } });
      expect(typeof rows[1].actor.ip).toBe('string');
      const { rows: all } = await pg.query<{ text: string }>(`SELECT string_agg(actor::text || payload::text, ' ') AS text FROM audit_entry`);
      expect(all[0].text).not.toContain(wrong);
      expect(all[0].text).not.toContain(ADMIN.password);
    });

    it('records user.created and user.updated with the role before and after', async () => {
      const user = await createUser(api.http, adminToken, 'auditor', { jurisdictions: ['US-FL'] });
      await request(api.http)
        .patch(`/users/${user.id}`)
        .set(...bearer(adminToken))
        .send({ role: 'commander', jurisdictions: [] })
        .expect(200);
      await request(api.http)
        .patch(`/users/${user.id}`)
        .set(...bearer(adminToken))
        .send({ password: 'a-brand-new-password-1' })
        .expect(200);
      const { rows } = await pg.query<{ action: string; payload: Record<string, unknown>; actor: Record<string, unknown> }>(
        `SELECT action, payload, actor FROM audit_entry WHERE target_type = 'user' AND target_id = $1 AND action LIKE 'user.%' ORDER BY seq`,
        [user.id],
      );
      expect(rows.map((r) => r.action)).toEqual(['user.created', 'user.updated', 'user.updated']);
      expect(rows[0].payload).toMatchObject({ role: 'auditor', jurisdictions: ['US-FL'], email: user.email });
      expect(rows[1].payload).toEqual({
        changed: ['role', 'jurisdictions'],
        before: { role: 'auditor', jurisdictions: ['US-FL'] },
        after: { role: 'commander', jurisdictions: [] },
        passwordChanged: false,
        roleChanged: true,
      });
      expect(rows[2].payload).toMatchObject({ changed: [], passwordChanged: true, roleChanged: false });
      expect(JSON.stringify(rows)).not.toContain('a-brand-new-password-1');
      expect(rows[1].actor).toMatchObject({ kind: 'user', role: 'admin', email: ADMIN.email });
    });
  });

  describe('signed checkpoints', () => {
    it('signs every chain whose head moved, once; the JWS verifies with the published checkpoint keys, never the token keys', async () => {
      const incidentId = await createIncident();
      const entries = await append(incidentId, 3);
      const first = await checkpointNow();
      const mine = first.created.find((c) => c.chainId === `incident:${incidentId}`);
      expect(mine).toMatchObject({ seq: 3, headHash: entries[2].hash });
      expect((await checkpointNow()).created.find((c) => c.chainId === `incident:${incidentId}`)).toBeUndefined();

      const jwks = (await request(api.http).get('/.well-known/audit-checkpoint-keys.json').expect(200)).body as { keys: JWK[] };
      const header = decodeProtectedHeader(mine!.jws);
      expect(header).toMatchObject({ alg: 'EdDSA', typ: CHECKPOINT_TYP, kid: mine!.kid });
      const key = await importJWK(
        jwks.keys.find((k) => k.kid === header.kid)!,
        'EdDSA',
      );
      // separate keys: the checkpoint key signs no tokens, and the token key no checkpoints
      const tokenKeys = (await request(api.http).get('/.well-known/jwks.json').expect(200)).body as { keys: JWK[] };
      expect(tokenKeys.keys.map((k) => k.kid)).not.toContain(header.kid);
      expect(tokenKeys.keys.map((k) => k.kid)).toContain(decodeProtectedHeader(adminToken).kid);
      expect(jwks.keys.map((k) => k.kid)).not.toContain(decodeProtectedHeader(adminToken).kid);
      const { payload } = await compactVerify(mine!.jws, key);
      expect(JSON.parse(new TextDecoder().decode(payload))).toMatchObject({
        chainId: `incident:${incidentId}`,
        seq: 3,
        headHash: entries[2].hash,
        previous: null,
      });

      await append(incidentId, 2);
      const next = (await checkpointNow()).created.find((c) => c.chainId === `incident:${incidentId}`)!;
      const { payload: p2 } = await compactVerify(next.jws, key);
      expect(JSON.parse(new TextDecoder().decode(p2))).toMatchObject({ seq: 5, previous: { seq: 3, headHash: entries[2].hash } });
    });

    it('refuses to sign a head whose new entries do not verify', async () => {
      const incidentId = await createIncident();
      const entries = await append(incidentId, 4);
      await tamper(`UPDATE audit_entry SET payload = '{"step": 99}' WHERE id = $1`, [entries[1].id]);
      const run = await checkpointNow();
      expect(run.created.find((c) => c.chainId === `incident:${incidentId}`)).toBeUndefined();
      expect(run.refused).toContainEqual({ chainId: `incident:${incidentId}`, problem: expect.objectContaining({ kind: 'modified', seq: 2 }) });
    });

    it('the worker signs checkpoints on its own, every AUDIT_CHECKPOINT_INTERVAL_MS', async () => {
      const incidentId = await createIncident();
      const entries = await append(incidentId, 2);
      const config = parseConfig({ ...env.env, AUDIT_CHECKPOINT_INTERVAL_MS: '200' });
      // An application context with no HTTP server, as the worker process runs it.
      const worker = await Test.createTestingModule({ imports: [ConfigModule.forRoot(config), CommonModule, DbModule, AuditWorkerModule] }).compile();
      await worker.init();
      try {
        const signed = async () =>
          (await pg.query<{ seq: string; head_hash: string }>(`SELECT seq, head_hash FROM audit_checkpoint WHERE chain_id = $1`, [`incident:${incidentId}`]))
            .rows;
        for (let i = 0; i < 50 && (await signed()).length === 0; i++) await new Promise((r) => setTimeout(r, 100));
        expect(await signed()).toEqual([{ seq: '2', head_hash: entries[1].hash }]);
      } finally {
        await worker.close();
      }
    });

    it('checkpoints signed before a key rotation still verify: the server still vouches for the key it sealed, or it is pinned', async () => {
      const { incidentId } = await chainWithCheckpoints();
      const configuredKey = async (kid: string) => ({ ...(await exportJWK((await generateKeyPair('EdDSA', { extractable: true })).privateKey)), kid });
      const first = await configuredKey(`rotated-${randomUUID()}`);
      const rotated = await startApi({ ...env.env, CHECKPOINT_SIGNING_KEY: JSON.stringify(first) });
      let report: ChainVerification;
      try {
        const token = await signIn(rotated.http, ADMIN.email, ADMIN.password);
        const keys = (await request(rotated.http).get('/.well-known/audit-checkpoint-keys.json').expect(200)).body as { keys: JWK[] };
        expect(keys.keys.map((k) => k.kid)).toEqual(
          expect.arrayContaining([first.kid, ...JSON.parse(await readFile(pinnedKeys, 'utf8')).keys.map((k: JWK) => k.kid)]),
        );
        report = (
          await request(rotated.http)
            .get(`/audit/verify?incidentId=${incidentId}`)
            .set(...bearer(token))
            .expect(200)
        ).body as ChainVerification;
        expect(report).toMatchObject({ ok: true, entries: 12, checkpoints: { verified: 2, latest: { seq: 12 } } });
        await append(incidentId, 1);
        await request(rotated.http)
          .post('/audit/checkpoints')
          .set(...bearer(token))
          .expect(200);
      } finally {
        await rotated.close();
      }
      // Rotated again: the configured key of before is trusted only once it is pinned (AUDIT_TRUSTED_CHECKPOINT_KEYS).
      const second = await configuredKey(`rotated-${randomUUID()}`);
      const { d: _d, ...firstPublic } = first;
      for (const [pinned, ok] of [
        [undefined, false],
        [JSON.stringify({ keys: [firstPublic] }), true],
      ] as const) {
        const again = await startApi({
          ...env.env,
          CHECKPOINT_SIGNING_KEY: JSON.stringify(second),
          ...(pinned ? { AUDIT_TRUSTED_CHECKPOINT_KEYS: pinned } : {}),
        });
        try {
          const token = await signIn(again.http, ADMIN.email, ADMIN.password);
          report = (
            await request(again.http)
              .get(`/audit/verify?incidentId=${incidentId}`)
              .set(...bearer(token))
              .expect(200)
          ).body as ChainVerification;
          expect(report.ok).toBe(ok);
          if (!ok)
            expect(report.problem).toMatchObject({
              kind: 'checkpoint_mismatch',
              seq: 13,
              message: expect.stringContaining(`key ${first.kid} is not a trusted checkpoint key`),
            });
        } finally {
          await again.close();
        }
      }
    });

    it('trusts only pinned checkpoint keys: a key added to the key table vouches for nothing, on the server or offline', async () => {
      const c = await chainWithCheckpoints();
      // Someone who can write the database rewrites the chain from entry 3 on, adds a key of their own to the key
      // table and signs new checkpoints with it: every link and every signature is consistent.
      const { privateKey, publicKey } = await generateKeyPair('EdDSA', { extractable: true });
      const kid = `forger-${randomUUID()}`;
      await pg.query(`INSERT INTO server_signing_key (kid, purpose, public_jwk, sealed_private_key) VALUES ($1, 'audit_checkpoint', $2, 'v1.AAAA.AAAA.AAAA')`, [
        kid,
        { ...(await exportJWK(publicKey)), kid, alg: 'EdDSA', use: 'sig' },
      ]);
      let prev = c.entries[1].hash;
      const rebuilt: AuditEntryRecord[] = [];
      for (const e of c.entries.slice(2)) {
        const payload = e.seq === 3 ? { ...e.payload, step: 'rewritten' } : e.payload;
        const entry = buildEntry(
          {
            actor: e.actor,
            action: e.action,
            incidentId: e.incidentId ?? undefined,
            target: { type: e.targetType!, id: e.targetId! },
            payload,
            occurredAt: new Date(e.occurredAt),
          },
          e.seq,
          prev,
        );
        await tamper(`UPDATE audit_entry SET payload = $2, prev_hash = $3, hash = $4 WHERE id = $1`, [e.id, entry.payload, entry.prevHash, entry.hash]);
        rebuilt.push({ ...e, ...entry });
        prev = entry.hash;
      }
      await pg.query(`UPDATE audit_chain SET last_hash = $2 WHERE chain_id = $1`, [c.chainId, prev]);
      let previous: { seq: number; headHash: string } | null = null;
      for (const seq of [8, 12]) {
        const headHash = rebuilt.find((e) => e.seq === seq)!.hash;
        const statement = { type: 'responder-checkin.audit-checkpoint', chainId: c.chainId, seq, headHash, previous, createdAt: new Date().toISOString() };
        const jws = await new CompactSign(new TextEncoder().encode(JSON.stringify(statement)))
          .setProtectedHeader({ alg: 'EdDSA', kid, typ: CHECKPOINT_TYP })
          .sign(privateKey);
        await tamper(`UPDATE audit_checkpoint SET jws = $3, kid = $4, head_hash = $5 WHERE chain_id = $1 AND seq = $2`, [c.chainId, seq, jws, kid, headHash]);
        previous = { seq, headHash };
      }

      const online = await verify(`incidentId=${c.incidentId}`);
      expect(online).toMatchObject({
        ok: false,
        problem: { kind: 'checkpoint_mismatch', seq: 8, message: expect.stringContaining(`key ${kid} is not a trusted checkpoint key`) },
      });
      const published = (await request(api.http).get('/.well-known/audit-checkpoint-keys.json').expect(200)).body as { keys: JWK[] };
      expect(published.keys.map((k) => k.kid)).not.toContain(kid);

      // Offline, with the bundle's own key list edited to name the forger's key too: the pinned keys decide.
      const exported = await verifyOffline(c.incidentId);
      const bundle = (await readFile(exported.file, 'utf8')).replace(
        '"jwks":{"keys":[',
        `"jwks":{"keys":[${JSON.stringify({ ...(await exportJWK(publicKey)), kid })},`,
      );
      await writeFile(exported.file, bundle);
      const offline = await auditVerify([exported.file, '--jwks', pinnedKeys]);
      expect(offline.code).toBe(1);
      expect(offline.out).toContain('TAMPERED: checkpoint_mismatch at seq 8');
      expect(offline.out).toContain(`key ${kid} is not a trusted checkpoint key`);
    });
  });

  describe('verification', () => {
    it('an intact chain verifies on the server and offline', async () => {
      const { incidentId, entries } = await chainWithCheckpoints();
      const report = await verify(`incidentId=${incidentId}`);
      expect(report).toEqual({
        ok: true,
        chainId: `incident:${incidentId}`,
        fromSeq: 1,
        toSeq: 12,
        entries: 12,
        head: { seq: 12, hash: entries[11].hash },
        checkpoints: { verified: 2, latest: { seq: 12, createdAt: expect.any(String) } },
      });
      const offline = await verifyOffline(incidentId);
      expect(offline.code).toBe(0);
      expect(offline.out).toContain('OK: the chain is intact; head seq 12');
      expect(offline.out).toContain('2 checkpoint(s) verified');
    });

    it('a batch appended in one statement keeps each entry exact and in order: quotes, backslashes, non-ASCII, newlines', async () => {
      // The contents reach audit_append as one JSON array: PostgreSQL must hash exactly the text the verifier recomputes.
      const incidentId = await createIncident();
      const awkward = ['O\'Brien "Doc" {a,b}', 'C:\\temp\\ \\u0041 \\"', 'José Ñúñez 救援 🚑', 'line one\nline two\ttab', 'NULL'];
      const write = new CombinedStatement();
      const inputs = awkward.map((name, i) => ({
        actor: { kind: 'user' as const, userId: randomUUID(), role: 'checkin' as const },
        action: 'checkin.admitted',
        incidentId,
        target: { type: 'deployment', id: randomUUID() },
        payload: { name, step: i },
        occurredAt: new Date(),
      }));
      const appended = api.app.get(AuditTrail).appendTo(write, inputs);
      if (!appended) throw new Error('nothing appended');
      const rows = await write.run<{ seq: string; hash: string }>(api.app.get(DataSource), `SELECT seq, hash FROM ${appended.name} ORDER BY seq`);
      expect(rows.map((r) => Number(r.seq))).toEqual([1, 2, 3, 4, 5]);
      let prevHash = GENESIS_HASH;
      const stored = await pg.query<{ seq: string; payload: { name: string } }>(`SELECT seq, payload FROM audit_entry WHERE incident_id = $1 ORDER BY seq`, [
        incidentId,
      ]);
      expect(stored.rows.map((r) => r.payload.name)).toEqual(awkward);
      for (const [i, row] of rows.entries()) {
        const expected = buildEntry(inputs[i], i + 1, prevHash);
        expect(row.hash).toBe(expected.hash);
        prevHash = expected.hash;
      }
      expect(await verify(`incidentId=${incidentId}`)).toMatchObject({ ok: true, entries: 5 });
    });

    it('verifies a range, anchored on the entry before it', async () => {
      const { incidentId, entries } = await chainWithCheckpoints();
      expect(await verify(`incidentId=${incidentId}&fromSeq=3&toSeq=9`)).toMatchObject({
        ok: true,
        fromSeq: 3,
        toSeq: 9,
        entries: 7,
        checkpoints: { verified: 1 },
      });
      await tamper(`UPDATE audit_entry SET action = 'checkin.denied' WHERE id = $1`, [entries[4].id]);
      expect(await verify(`incidentId=${incidentId}&fromSeq=1&toSeq=4`)).toMatchObject({ ok: true });
      expect(await verify(`incidentId=${incidentId}&fromSeq=4&toSeq=6`)).toMatchObject({ ok: false, problem: { kind: 'modified', seq: 5 } });
    });

    const scenarios: Array<{
      name: string;
      kind: string;
      seq: number;
      apply: (c: { chainId: string; entries: AuditEntryRecord[] }) => Promise<string | null>;
    }> = [
      {
        name: 'an entry modified in place',
        kind: 'modified',
        seq: 5,
        apply: async ({ entries }) => {
          await tamper(`UPDATE audit_entry SET payload = jsonb_set(payload, '{verification,verified}', 'false') WHERE id = $1`, [entries[4].id]);
          return entries[4].id;
        },
      },
      {
        name: 'an entry deleted',
        kind: 'deleted',
        seq: 5,
        apply: async ({ entries }) => {
          await tamper(`DELETE FROM audit_entry WHERE id = $1`, [entries[4].id]);
          return null;
        },
      },
      {
        name: 'an entry inserted (correctly hashed, later entries renumbered)',
        kind: 'inserted',
        seq: 5,
        apply: async ({ chainId, entries }) => {
          const forged = buildEntry(
            {
              actor: { kind: 'user', userId: randomUUID(), role: 'checkin' },
              action: 'checkin.admitted',
              incidentId: chainId.slice(9),
              payload: { forged: true },
            },
            5,
            entries[3].hash,
          );
          await tamper(`UPDATE audit_entry SET seq = -seq WHERE chain_id = $1 AND seq >= 5`, [chainId]);
          await tamper(`UPDATE audit_entry SET seq = -seq + 1 WHERE chain_id = $1 AND seq < 0`, [chainId]);
          const { rows } = await pg.query<{ id: string }>(
            `INSERT INTO audit_entry (chain_id, seq, occurred_at, actor, action, incident_id, target_type, target_id, payload, prev_hash, hash)
             VALUES ($1, $2, $3, $4, $5, $6, NULL, NULL, $7, $8, $9) RETURNING id`,
            [chainId, 5, forged.occurredAt, forged.actor, forged.action, forged.incidentId, forged.payload, forged.prevHash, forged.hash],
          );
          return String(rows[0].id);
        },
      },
      {
        name: 'two entries reordered (their sequence numbers swapped)',
        kind: 'reordered',
        seq: 4,
        apply: async ({ entries }) => {
          // (chain_id, seq) is unique: swap through a free number
          await tamper(`UPDATE audit_entry SET seq = -1 WHERE id = $1`, [entries[3].id]);
          await tamper(`UPDATE audit_entry SET seq = 4 WHERE id = $1`, [entries[5].id]);
          await tamper(`UPDATE audit_entry SET seq = 6 WHERE id = $1`, [entries[3].id]);
          return entries[5].id;
        },
      },
      {
        name: 'a checkpoint replaced (re-signed with another key under the server key id)',
        kind: 'checkpoint_mismatch',
        seq: 8,
        apply: async ({ chainId, entries }) => {
          const { rows } = await pg.query<{ kid: string }>(`SELECT kid FROM audit_checkpoint WHERE chain_id = $1 AND seq = 8`, [chainId]);
          const { privateKey } = await generateKeyPair('EdDSA');
          const forgedHead = entries[6].hash;
          const statement = {
            type: 'responder-checkin.audit-checkpoint',
            chainId,
            seq: 8,
            headHash: forgedHead,
            previous: null,
            createdAt: new Date().toISOString(),
          };
          const jws = await new CompactSign(new TextEncoder().encode(JSON.stringify(statement)))
            .setProtectedHeader({ alg: 'EdDSA', kid: rows[0].kid, typ: CHECKPOINT_TYP })
            .sign(privateKey);
          await tamper(`UPDATE audit_checkpoint SET jws = $2, head_hash = $3 WHERE chain_id = $1 AND seq = 8`, [chainId, jws, forgedHead]);
          return entries[7].id;
        },
      },
      {
        name: 'the chain rewritten from entry 3 on with every hash recomputed (only the checkpoint can tell)',
        kind: 'checkpoint_mismatch',
        seq: 8,
        apply: async ({ chainId, entries }) => {
          let prev = entries[1].hash;
          for (const e of entries.slice(2)) {
            const changed = { ...e, payload: e.seq === 3 ? { ...e.payload, step: 'rewritten' } : e.payload };
            const rebuilt = buildEntry(
              {
                actor: changed.actor,
                action: changed.action,
                incidentId: changed.incidentId ?? undefined,
                target: { type: changed.targetType!, id: changed.targetId! },
                payload: changed.payload,
                occurredAt: new Date(changed.occurredAt),
              },
              e.seq,
              prev,
            );
            await tamper(`UPDATE audit_entry SET payload = $2, prev_hash = $3, hash = $4 WHERE id = $1`, [
              e.id,
              rebuilt.payload,
              rebuilt.prevHash,
              rebuilt.hash,
            ]);
            prev = rebuilt.hash;
          }
          await pg.query(`UPDATE audit_chain SET last_hash = $2 WHERE chain_id = $1`, [chainId, prev]);
          return entries[7].id;
        },
      },
    ];

    for (const s of scenarios) {
      it(`detects and locates ${s.name}: ${s.kind} at seq ${s.seq}, on the server and offline`, async () => {
        const c = await chainWithCheckpoints();
        expect((await verify(`incidentId=${c.incidentId}`)).ok).toBe(true);
        const entryId = await s.apply(c);

        const online = await verify(`incidentId=${c.incidentId}`);
        expect(online).toMatchObject({ ok: false, problem: { kind: s.kind, seq: s.seq, entryId } });
        expect(online.problem?.message).toEqual(expect.any(String));

        const offline = await verifyOffline(c.incidentId);
        expect(offline.code).toBe(1);
        expect(offline.out).toContain(`TAMPERED: ${s.kind} at seq ${s.seq}`);
        const asJson = await auditVerify([offline.file, '--json', '--jwks', pinnedKeys]);
        expect(asJson.code).toBe(1);
        // the same pure function judged both: the same finding, word for word
        expect((JSON.parse(asJson.out) as ChainVerification).problem).toEqual(online.problem);
      });
    }

    it('the CLI needs pinned checkpoint keys (--jwks) and rejects what is not a bundle (exit 2)', async () => {
      const { incidentId } = await chainWithCheckpoints();
      const pinned = await verifyOffline(incidentId, ['--jwks', pinnedKeys]);
      expect(pinned.code).toBe(0);
      expect(pinned.out).toContain(`trusted JWK Set ${pinnedKeys}`);
      const pretty = join(dir, 'pretty.json'); // re-saved by another tool: verified whole, on one thread
      await writeFile(pretty, JSON.stringify(JSON.parse(await readFile(pinned.file, 'utf8')), null, 2));
      expect(await auditVerify([pretty, '--jwks', pinnedKeys])).toMatchObject({ code: 0, out: expect.stringContaining('OK: the chain is intact') });
      // The keys inside a bundle prove nothing: without pinned keys there is no verdict.
      expect(await auditVerify([pinned.file])).toMatchObject({ code: 2, err: expect.stringContaining('--jwks') });
      const privateFile = join(dir, 'private.json');
      await writeFile(privateFile, JSON.stringify({ keys: [await exportJWK((await generateKeyPair('EdDSA', { extractable: true })).privateKey)] }));
      expect(await auditVerify([pinned.file, '--jwks', privateFile])).toMatchObject({ code: 2, err: expect.stringContaining('private key') });

      const strangerKeys = join(dir, 'stranger.json');
      const { publicKey } = await generateKeyPair('EdDSA', { extractable: true });
      const { rows } = await pg.query<{ kid: string }>(`SELECT kid FROM audit_checkpoint LIMIT 1`);
      await writeFile(strangerKeys, JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid: rows[0].kid }] }));
      const stranger = await verifyOffline(incidentId, ['--jwks', strangerKeys]);
      expect(stranger.code).toBe(1);
      expect(stranger.out).toContain('TAMPERED: checkpoint_mismatch at seq 8');

      expect((await auditVerify([])).code).toBe(2);
      expect((await auditVerify(['a.json', 'b.json'])).code).toBe(2);
      expect((await auditVerify(['--threads', 'many', 'a.json'])).code).toBe(2);
      expect((await auditVerify([join(dir, 'missing.json'), '--jwks', pinnedKeys])).code).toBe(2);
      await writeFile(join(dir, 'not-a-bundle.json'), '{"hello": "world"}');
      const notBundle = await auditVerify([join(dir, 'not-a-bundle.json'), '--jwks', pinnedKeys]);
      expect(notBundle.code).toBe(2);
      expect(notBundle.err).toContain('not an audit bundle');
    });

    it('the built CLI (npm run audit-verify) exits 0 intact, 1 tampered, 2 on usage errors', async () => {
      const run = (args: string[]) =>
        new Promise<{ code: number | null; out: string }>((resolve) => {
          const proc = spawn(process.execPath, ['dist/apps/cli/src/main.js', 'audit-verify', ...args], { cwd: join(__dirname, '..') });
          let out = '';
          proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
          proc.stderr.on('data', (d: Buffer) => (out += d.toString()));
          proc.on('close', (code) => resolve({ code, out }));
        });
      const c = await chainWithCheckpoints();
      const intact = await verifyOffline(c.incidentId);
      const ok = await run([intact.file, '--jwks', pinnedKeys]);
      expect(ok).toMatchObject({ code: 0, out: expect.stringContaining('OK: the chain is intact') });
      expect(ok.out).toMatch(/\(\d+ threads?\)/);
      await tamper(`DELETE FROM audit_entry WHERE id = $1`, [c.entries[9].id]);
      const tampered = await run([(await verifyOffline(c.incidentId)).file, '--jwks', pinnedKeys]);
      expect(tampered).toMatchObject({ code: 1, out: expect.stringContaining('TAMPERED: deleted at seq 10') });
      expect((await run(['--bogus', intact.file, '--jwks', pinnedKeys])).code).toBe(2);
    });

    it('the export is a self-contained bundle', async () => {
      const { incidentId, chainId, entries } = await chainWithCheckpoints();
      const res = await request(api.http)
        .get(`/audit/export?incidentId=${incidentId}`)
        .set(...bearer(adminToken))
        .expect(200);
      expect(res.headers['content-disposition']).toContain('attachment');
      expect(res.body).toMatchObject({
        format: 'responder-checkin.audit-bundle',
        version: 1,
        chainId,
        incidentId,
        exportedAt: expect.any(String),
        head: { seq: 12, hash: entries[11].hash },
        jwks: { keys: expect.arrayContaining([expect.objectContaining({ kty: 'OKP', crv: 'Ed25519' })]) },
      });
      expect(res.body.entries).toEqual(entries);
      expect(res.body.checkpoints.map((c: { seq: number }) => c.seq)).toEqual([8, 12]);
      expect(JSON.stringify(res.body.jwks)).not.toContain('"d"');
    });
  });

  describe('search and scope', () => {
    let fl: string;
    let flCity: string;
    let tx: string;
    let auditor: { id: string; token: string };

    beforeAll(async () => {
      fl = await createIncident('US-FL');
      flCity = await createIncident('US-FL-MIA');
      tx = await createIncident('US-TX');
      await append(fl, 5, new Date(Date.now() - 60_000));
      await append(flCity, 2);
      await append(tx, 3);
      auditor = await createUser(api.http, adminToken, 'auditor', { jurisdictions: ['US-FL'] });
    });

    it('searches by incident, actor, action and time, newest first, with a cursor', async () => {
      const all = await request(api.http)
        .get(`/audit/entries?incidentId=${fl}`)
        .set(...bearer(adminToken))
        .expect(200);
      expect(all.body.entries).toHaveLength(5);
      expect(all.body.entries.map((e: { seq: number }) => e.seq)).toEqual([5, 4, 3, 2, 1]);
      expect(all.body.nextCursor).toBeNull();

      const seen: number[] = [];
      let cursor: string | null = null;
      do {
        const page: request.Response = await request(api.http)
          .get(`/audit/entries?incidentId=${fl}&limit=2${cursor ? `&cursor=${cursor}` : ''}`)
          .set(...bearer(adminToken))
          .expect(200);
        seen.push(...page.body.entries.map((e: { seq: number }) => e.seq));
        cursor = page.body.nextCursor as string | null;
      } while (cursor);
      expect(seen).toEqual([5, 4, 3, 2, 1]);

      const first = all.body.entries[4] as AuditEntryRecord;
      const byActor = await request(api.http)
        .get(`/audit/entries?actorId=${(first.actor as { userId: string }).userId}`)
        .set(...bearer(adminToken))
        .expect(200);
      expect(byActor.body.entries.map((e: AuditEntryRecord) => e.id)).toEqual([first.id]);
      const byResponder = await request(api.http)
        .get(`/audit/entries?responderId=${first.payload.responderId as string}`)
        .set(...bearer(adminToken))
        .expect(200);
      expect(byResponder.body.entries.map((e: AuditEntryRecord) => e.id)).toEqual([first.id]);

      const admitted = await request(api.http)
        .get(`/audit/entries?incidentId=${fl}&action=checkin.admitted`)
        .set(...bearer(adminToken))
        .expect(200);
      expect(admitted.body.entries.map((e: { seq: number }) => e.seq)).toEqual([5, 3, 1]);
      const prefix = await request(api.http)
        .get(`/audit/entries?incidentId=${fl}&action=deployment.*`)
        .set(...bearer(adminToken))
        .expect(200);
      expect(prefix.body.entries.map((e: { seq: number }) => e.seq)).toEqual([4, 2]);

      const at = all.body.entries[2].occurredAt as string;
      const window = await request(api.http)
        .get(`/audit/entries?incidentId=${fl}&from=${encodeURIComponent(at)}`)
        .set(...bearer(adminToken))
        .expect(200);
      expect(window.body.entries.map((e: { seq: number }) => e.seq)).toEqual([5, 4, 3]);
      const before = await request(api.http)
        .get(`/audit/entries?incidentId=${fl}&to=${encodeURIComponent(at)}`)
        .set(...bearer(adminToken))
        .expect(200);
      expect(before.body.entries.map((e: { seq: number }) => e.seq)).toEqual([2, 1]);

      const signIns = await request(api.http)
        .get(`/audit/entries?action=auth.*&limit=500`)
        .set(...bearer(adminToken))
        .expect(200);
      expect(signIns.body.entries.length).toBeGreaterThan(0);
    });

    it('rejects bad search input with 400, not 500', async () => {
      for (const q of ['incidentId=nope', 'limit=0', 'limit=501', 'cursor=garbage', 'from=yesterday', 'action=DROP%20TABLE']) {
        const res = await request(api.http)
          .get(`/audit/entries?${q}`)
          .set(...bearer(adminToken));
        expect([q, res.status, res.body.code]).toEqual([q, 400, 'validation_failed']);
      }
      for (const q of ['', `incidentId=${fl}&chainId=system`, 'chainId=elsewhere', `incidentId=${fl}&fromSeq=5&toSeq=2`, `incidentId=${fl}&fromSeq=0`]) {
        const res = await request(api.http)
          .get(`/audit/verify?${q}`)
          .set(...bearer(adminToken));
        expect([q, res.status]).toEqual([q, 400]);
      }
      await request(api.http)
        .get(`/audit/verify?incidentId=${randomUUID()}`)
        .set(...bearer(adminToken))
        .expect(404);
    });

    it('auditors read the incidents of their jurisdictions (subdivisions included) and nothing else', async () => {
      const t = auditor.token;
      expect((await verify(`incidentId=${fl}`, t)).ok).toBe(true);
      expect((await verify(`chainId=incident:${flCity}`, t)).ok).toBe(true);
      await request(api.http)
        .get(`/audit/export?incidentId=${fl}`)
        .set(...bearer(t))
        .expect(200);

      const listed = await request(api.http)
        .get(`/audit/entries?limit=500`)
        .set(...bearer(t))
        .expect(200);
      const incidents = new Set(listed.body.entries.map((e: AuditEntryRecord) => e.incidentId));
      expect(incidents.has(fl)).toBe(true);
      expect(incidents.has(flCity)).toBe(true);
      expect(incidents.has(tx)).toBe(false);
      expect(incidents.has(null)).toBe(false); // the system chain (sign-ins, users) is not theirs

      for (const path of [
        `/audit/verify?incidentId=${tx}`,
        `/audit/verify?chainId=incident:${tx}`,
        `/audit/verify?chainId=system`,
        `/audit/export?incidentId=${tx}`,
        `/audit/export?chainId=system`,
        `/audit/entries?incidentId=${tx}`,
      ]) {
        const res = await request(api.http)
          .get(path)
          .set(...bearer(t));
        expect([path, res.status, res.body.code]).toEqual([path, 403, 'forbidden']);
      }
    });

    it('an incident id in capitals is the same incident: the same chain, entries, reports and refusals', async () => {
      const t = auditor.token;
      const lower = await verify(`incidentId=${fl}`, t);
      expect(lower).toMatchObject({ ok: true, chainId: `incident:${fl}`, entries: 5 });
      // Not an empty chain that verifies: the very same one.
      expect(await verify(`incidentId=${fl.toUpperCase()}`, t)).toEqual(lower);
      expect(await verify(`chainId=incident:${fl.toUpperCase()}`, t)).toEqual(lower);
      const entries = await request(api.http)
        .get(`/audit/entries?incidentId=${fl.toUpperCase()}`)
        .set(...bearer(t))
        .expect(200);
      expect(entries.body.entries).toHaveLength(5);
      for (const path of [
        `/audit/verify?incidentId=${tx.toUpperCase()}`,
        `/audit/verify?chainId=incident:${tx.toUpperCase()}`,
        `/audit/export?incidentId=${tx.toUpperCase()}`,
        `/audit/entries?incidentId=${tx.toUpperCase()}`,
        `/reports/incidents/${tx.toUpperCase()}/deployments`,
        `/incidents/${tx.toUpperCase()}`,
      ]) {
        const res = await request(api.http)
          .get(path)
          .set(...bearer(t));
        expect([path, res.status, res.body.code]).toEqual([path, 403, 'forbidden']);
      }
      // A change made through the capitalised id is written to the incident's one chain, which still verifies.
      const city = await request(api.http)
        .patch(`/incidents/${flCity.toUpperCase()}`)
        .set(...bearer(adminToken))
        .send({ name: 'Miami-Dade flooding' })
        .expect(200);
      expect(city.body.id).toBe(flCity);
      const chain = await verify(`incidentId=${flCity}`, t);
      expect(chain).toMatchObject({ ok: true, entries: 3 });
      const { rows } = await pg.query<{ chain_id: string }>(`SELECT DISTINCT chain_id FROM audit_entry WHERE incident_id = $1`, [flCity]);
      expect(rows).toEqual([{ chain_id: `incident:${flCity}` }]);
    });

    it('auditors cannot write: no checkpoints, no users, no changes', async () => {
      const t = auditor.token;
      const before = await pg.query(`SELECT count(*) FROM audit_checkpoint`);
      for (const [method, path] of [
        ['post', '/audit/checkpoints'],
        ['post', '/users'],
        ['patch', `/users/${auditor.id}`],
      ] as const) {
        const res = await request(api.http)
          [method](path)
          .set(...bearer(t))
          .send({});
        expect([method, path, res.status]).toEqual([method, path, 403]);
      }
      expect((await pg.query(`SELECT count(*) FROM audit_checkpoint`)).rows).toEqual(before.rows);
    });

    it('other roles cannot read the audit trail', async () => {
      const commander = await createUser(api.http, adminToken, 'commander');
      const checkin = await createUser(api.http, adminToken, 'checkin');
      for (const user of [commander, checkin]) {
        for (const path of [`/audit/verify?incidentId=${fl}`, `/audit/export?incidentId=${fl}`, `/audit/entries`]) {
          await request(api.http)
            .get(path)
            .set(...bearer(user.token))
            .expect(403);
        }
        await request(api.http)
          .post('/audit/checkpoints')
          .set(...bearer(user.token))
          .expect(403);
      }
      await request(api.http).get('/audit/entries').expect(401);
    });
  });
});
