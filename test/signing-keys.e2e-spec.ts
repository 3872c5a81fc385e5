import { randomBytes, randomUUID } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { Client } from 'pg';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { TOKEN_AUDIENCE, TOKEN_ISSUER } from '@app/auth';
import { createTestDatabase, dataSourceOptions, dropTestDatabase, runMigrations } from '@app/db';
import { DEVELOPMENT_MATCHING_HASH_KEY } from '@app/config';
import { migrations } from '../libs/db/src/migrations';
import { unseal } from '../libs/auth/src/tokens/key-sealing';
import { runApiProcess, somePort } from './support/api-process';
import { ADMIN, bearer, createTestEnv, signIn, startApi, type TestApi, type TestEnv } from './support/test-app';

const TTL_SECONDS = 900;

/** A key of our own, as someone with a copy of a server key (or none at all) would hold it. */
async function keyPair(): Promise<{ kid: string; privateKey: CryptoKey; publicJwk: JWK; privateJwk: JWK }> {
  const { privateKey, publicKey } = await generateKeyPair('EdDSA', { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  return { kid, privateKey, publicJwk: { ...publicJwk, kid, alg: 'EdDSA', use: 'sig' }, privateJwk: { ...(await exportJWK(privateKey)), kid } };
}

describe('signing keys', () => {
  let env: TestEnv;
  let api: TestApi;
  let pg: Client;
  let admin: { id: string; version: number };

  /** An access token for the admin, exactly as the server makes them, signed with `key` under `kid`. */
  const tokenSignedBy = (key: CryptoKey, kid: string): Promise<string> =>
    new SignJWT({ email: ADMIN.email, name: 'Administrator', role: 'admin', jurisdictions: [], ver: admin.version })
      .setProtectedHeader({ alg: 'EdDSA', kid, typ: 'at+jwt' })
      .setSubject(admin.id)
      .setIssuer(TOKEN_ISSUER)
      .setAudience(TOKEN_AUDIENCE)
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(key);

  beforeAll(async () => {
    env = await createTestEnv('signing_keys', { ACCESS_TOKEN_TTL_SECONDS: String(TTL_SECONDS) });
    api = await startApi(env.env);
    pg = new Client({ connectionString: env.dbUrl });
    await pg.connect();
    const { rows } = await pg.query<{ id: string; token_version: number }>(`SELECT id, token_version FROM app_user WHERE lower(email) = $1`, [ADMIN.email]);
    admin = { id: rows[0].id, version: rows[0].token_version };
  });
  afterAll(async () => {
    await pg?.end();
    await api?.close();
    await env?.drop();
  });

  it('a retired token key verifies until its retirement plus the token lifetime, and not after; a checkpoint key never signs tokens', async () => {
    const recent = await keyPair();
    const old = await keyPair();
    const checkpointKey = await keyPair();
    const insert = (k: { kid: string; publicJwk: JWK }, purpose: string, retiredSecondsAgo: number | null) =>
      pg.query(`INSERT INTO server_signing_key (kid, purpose, public_jwk, retired_at) VALUES ($1, $2, $3, now() - make_interval(secs => $4))`, [
        k.kid,
        purpose,
        k.publicJwk,
        retiredSecondsAgo,
      ]);
    await insert(recent, 'access_token', TTL_SECONDS - 120);
    await insert(old, 'access_token', TTL_SECONDS + 60);
    await insert(checkpointKey, 'audit_checkpoint', null);
    const fresh = await startApi(env.env); // reads the key table at start
    try {
      await request(fresh.http)
        .get('/auth/me')
        .set(...bearer(await tokenSignedBy(recent.privateKey, recent.kid)))
        .expect(200);
      await request(fresh.http)
        .get('/auth/me')
        .set(...bearer(await tokenSignedBy(old.privateKey, old.kid)))
        .expect(401);
      await request(fresh.http)
        .get('/auth/me')
        .set(...bearer(await tokenSignedBy(checkpointKey.privateKey, checkpointKey.kid)))
        .expect(401);
      const published = (await request(fresh.http).get('/.well-known/jwks.json').expect(200)).body as { keys: JWK[] };
      const kids = published.keys.map((k) => k.kid);
      expect(kids).toContain(recent.kid);
      expect(kids).not.toContain(old.kid);
      expect(kids).not.toContain(checkpointKey.kid);
    } finally {
      await fresh.close();
    }
  });

  it('forged tokens naming unknown kids cost no database query after the first', async () => {
    const forger = await keyPair();
    const db = api.app.get(DataSource);
    const query = jest.spyOn(db, 'query');
    try {
      const keyQueries = () => query.mock.calls.filter(([sql]) => String(sql).includes('server_signing_key')).length;
      await request(api.http)
        .get('/auth/me')
        .set(...bearer(await tokenSignedBy(forger.privateKey, `forged-${randomUUID()}`)))
        .expect(401);
      expect(keyQueries()).toBeLessThanOrEqual(1);
      query.mockClear();
      for (let i = 0; i < 50; i++) {
        await request(api.http)
          .get('/auth/me')
          .set(...bearer(await tokenSignedBy(forger.privateKey, `forged-${randomUUID()}`)))
          .expect(401);
      }
      expect(keyQueries()).toBe(0);
      // and a real token still works
      await request(api.http)
        .get('/auth/me')
        .set(...bearer(await signIn(api.http, ADMIN.email, ADMIN.password)))
        .expect(200);
    } finally {
      query.mockRestore();
    }
  });

  it('a key-encryption key that does not open the stored keys stops the start with a clear message', async () => {
    const { code, stderr } = await runApiProcess({
      ...env.env,
      LOG_FILE: '',
      LOG_LEVEL: 'silent',
      PORT: somePort(),
      KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    });
    expect(code).toBe(1);
    expect(stderr).toMatch(
      /^api failed to start: KEY_ENCRYPTION_KEY does not open the stored access_token key \S+: start with the key-encryption key that sealed it/m,
    );
  });

  it('no private key is in the database in clear: generated keys are sealed, configured ones are not stored at all', async () => {
    const { rows: columns } = await pg.query<{ column_name: string }>(
      `SELECT column_name FROM information_schema.columns WHERE table_name = 'server_signing_key'`,
    );
    expect(columns.map((c) => c.column_name).sort()).toEqual([
      'activates_at',
      'created_at',
      'kid',
      'public_jwk',
      'purpose',
      'retired_at',
      'sealed_private_key',
      'verifies_until',
    ]);
    const rows = async () =>
      (
        await pg.query<{ kid: string; purpose: string; sealed_private_key: string | null; text: string }>(
          `SELECT kid, purpose, sealed_private_key, row_to_json(k)::text AS text FROM server_signing_key k`,
        )
      ).rows;

    // Generated (the test environment gives a KEY_ENCRYPTION_KEY): sealed, and the sealed text holds no part of the key.
    const sealed = (await rows()).filter((r) => r.sealed_private_key !== null);
    expect(sealed.map((r) => r.purpose).sort()).toEqual(['access_token', 'audit_checkpoint', 'incident_pack']);
    const kek = Buffer.from(env.env.KEY_ENCRYPTION_KEY, 'base64');
    for (const row of sealed) {
      const opened = JSON.parse(unseal(kek, row.sealed_private_key!, `server_signing_key:${row.purpose}:${row.kid}`)!) as JWK;
      expect(opened.d).toEqual(expect.any(String));
      expect(row.text).not.toContain(opened.d);
    }
    for (const row of await rows()) expect(JSON.parse(row.text).public_jwk).not.toHaveProperty('d');

    // Configured: only the public half is stored.
    const token = await keyPair();
    const checkpoint = await keyPair();
    const configured = await startApi({
      ...env.env,
      AUTH_SIGNING_KEY: JSON.stringify(token.privateJwk),
      CHECKPOINT_SIGNING_KEY: JSON.stringify(checkpoint.privateJwk),
    });
    try {
      await request(configured.http)
        .get('/auth/me')
        .set(...bearer(await signIn(configured.http, ADMIN.email, ADMIN.password)))
        .expect(200);
      const all = await rows();
      for (const key of [token, checkpoint]) {
        expect(all.find((r) => r.kid === key.kid)).toMatchObject({ sealed_private_key: null });
        expect(all.map((r) => r.text).join('\n')).not.toContain(key.privateJwk.d);
      }
    } finally {
      await configured.close();
    }
  });
});

describe('signing keys: the migration from keys stored in clear', () => {
  it('erases the private half of every key stored before, retires it, and keeps its public half for checkpoints', async () => {
    const url = await createTestDatabase('keys_migration');
    const pg = new Client({ connectionString: url });
    await pg.connect();
    try {
      await pg.query(`DROP SCHEMA public CASCADE; CREATE SCHEMA public;`);
      const index = migrations.findIndex((m) => m.name === 'TokenVersionsAndSealedKeys1765000050000');
      expect(index).toBeGreaterThan(0);
      const before = new DataSource({ ...dataSourceOptions(url, { poolSize: 1 }), migrations: migrations.slice(0, index) });
      await before.initialize();
      await before.runMigrations({ transaction: 'each' });
      await before.destroy();
      const legacy = await keyPair();
      await pg.query(`INSERT INTO server_signing_key (kid, public_jwk, private_jwk) VALUES ($1, $2, $3)`, [legacy.kid, legacy.publicJwk, legacy.privateJwk]);

      // This migration first; the ones after it come along.
      expect((await runMigrations(url, DEVELOPMENT_MATCHING_HASH_KEY))[0]).toBe('TokenVersionsAndSealedKeys1765000050000');
      const { rows } = await pg.query<{ purpose: string; retired: boolean; sealed_private_key: string | null; text: string }>(
        `SELECT purpose, retired_at IS NOT NULL AS retired, sealed_private_key, row_to_json(k)::text AS text FROM server_signing_key k`,
      );
      expect(rows).toEqual([{ purpose: 'audit_checkpoint', retired: true, sealed_private_key: null, text: expect.any(String) }]);
      expect(rows[0].text).not.toContain(legacy.privateJwk.d);
      expect(JSON.parse(rows[0].text).public_jwk).toMatchObject({ x: legacy.publicJwk.x });
    } finally {
      await pg.end();
      await dropTestDatabase(url);
    }
  });
});
