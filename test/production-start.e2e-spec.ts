import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DOCUMENTED_BOOTSTRAP_PASSWORD } from '@app/config';
import { runApiProcess, somePort } from './support/api-process';
import { ADMIN, createTestEnv, type TestEnv } from './support/test-app';

const APP_ROLE = 'rc_production_e2e_app';
const OWNER_ROLE = 'rc_production_e2e_owner';
const privateJwk = (): string => JSON.stringify(generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' }));

/** Every line the process wrote to stderr, without Node's own warnings. */
const lines = (stderr: string): string[] =>
  stderr
    .trim()
    .split('\n')
    .filter((l) => l && !l.includes('ExperimentalWarning') && !l.includes('--trace-warnings'));

/**
 * NODE_ENV=production refuses to start with an unsafe setting, naming it in one line. The built api is started as in
 * a deployment: as a login role that is a member of responder_checkin_app, is no superuser and owns nothing, with
 * migrations run by the owner (MIGRATION_DATABASE_URL). That environment starts; each case changes one thing.
 */
describe('production refuses unsafe settings', () => {
  let env: TestEnv;
  let pg: Client;
  let safe: () => Record<string, string>;

  beforeAll(async () => {
    env = await createTestEnv('production');
    pg = new Client({ connectionString: env.dbUrl });
    await pg.connect();
    for (const [role, extra] of [
      [APP_ROLE, 'IN ROLE responder_checkin_app'],
      [OWNER_ROLE, ''],
    ]) {
      await pg.query(`DO $$ BEGIN
          IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${role}') THEN CREATE ROLE ${role} LOGIN ${extra}; END IF;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$`);
    }
    const asApp = new URL(env.dbUrl);
    asApp.username = APP_ROLE;
    const keys = { AUTH_SIGNING_KEY: privateJwk(), CHECKPOINT_SIGNING_KEY: privateJwk() };
    safe = () => ({
      NODE_ENV: 'production',
      PORT: somePort(),
      LOG_LEVEL: env.env.LOG_LEVEL,
      LOG_FILE: env.env.LOG_FILE,
      DATABASE_URL: asApp.toString(),
      MIGRATION_DATABASE_URL: env.dbUrl,
      REDIS_PREFIX: env.env.REDIS_PREFIX,
      BOOTSTRAP_ADMIN_EMAIL: ADMIN.email,
      BOOTSTRAP_ADMIN_PASSWORD: 'a-password-chosen-for-production',
      MATCHING_HASH_KEY: randomBytes(32).toString('base64'),
      ...keys,
    });
  });
  afterAll(async () => {
    await pg?.end();
    await env?.drop();
  });

  it('starts with safe settings (so each refusal below is about its one setting)', async () => {
    const run = await runApiProcess(safe());
    expect(lines(run.stderr)).toEqual([]);
    expect(run.ready).toBe(true);
  });

  const refusals: Array<[string, (env: Record<string, string>) => Record<string, string>, string]> = [
    [
      'a superuser connection',
      (e) => ({ ...e, DATABASE_URL: e.MIGRATION_DATABASE_URL }),
      'api failed to start: DATABASE_URL connects as postgres, a PostgreSQL superuser: in production the api and worker run as a role without SUPERUSER that owns nothing (docs/security.md)',
    ],
    [
      'the documented bootstrap password',
      (e) => ({ ...e, BOOTSTRAP_ADMIN_PASSWORD: DOCUMENTED_BOOTSTRAP_PASSWORD }),
      'Invalid configuration: BOOTSTRAP_ADMIN_PASSWORD must not be the documented default in production',
    ],
    [
      "the first admin's password change switched off",
      (e) => ({ ...e, BOOTSTRAP_ADMIN_MUST_CHANGE_PASSWORD: 'false' }),
      'Invalid configuration: BOOTSTRAP_ADMIN_MUST_CHANGE_PASSWORD must be true in production',
    ],
    [
      'FETCH_ALLOW_PRIVATE_NETWORK set',
      (e) => ({ ...e, FETCH_ALLOW_PRIVATE_NETWORK: 'true' }),
      'Invalid configuration: FETCH_ALLOW_PRIVATE_NETWORK must be false in production',
    ],
    [
      'FETCH_INSECURE_HOSTS set',
      (e) => ({ ...e, FETCH_INSECURE_HOSTS: 'localhost' }),
      'Invalid configuration: FETCH_INSECURE_HOSTS must be empty in production (issuers are fetched over https only)',
    ],
    [
      'no access-token signing key',
      ({ AUTH_SIGNING_KEY: _k, ...e }) => e,
      'Invalid configuration: AUTH_SIGNING_KEY must be set in production (or KEY_ENCRYPTION_KEY, which keeps generated keys sealed in the database)',
    ],
    [
      'no checkpoint signing key',
      ({ CHECKPOINT_SIGNING_KEY: _k, ...e }) => e,
      'Invalid configuration: CHECKPOINT_SIGNING_KEY must be set in production (or KEY_ENCRYPTION_KEY, which keeps generated keys sealed in the database)',
    ],
    [
      'no matching key',
      ({ MATCHING_HASH_KEY: _k, ...e }) => e,
      'Invalid configuration: MATCHING_HASH_KEY must be set in production (LICENCE_HASH_KEY is accepted in its place)',
    ],
  ];
  for (const [name, change, message] of refusals) {
    it(`refuses to start with ${name}, in one line`, async () => {
      const run = await runApiProcess(change(safe()));
      expect({ code: run.code, lines: lines(run.stderr) }).toEqual({ code: 1, lines: [message] });
    });
  }

  it('the worker refuses a superuser connection too', async () => {
    const { PORT: _port, ...e } = safe();
    const run = await runApiProcess({ ...e, DATABASE_URL: e.MIGRATION_DATABASE_URL }, { app: 'worker' });
    expect({ code: run.code, lines: lines(run.stderr) }).toEqual({
      code: 1,
      lines: [expect.stringMatching(/^worker failed to start: DATABASE_URL connects as postgres, a PostgreSQL superuser/)],
    });
  });

  it('refuses a role that owns the audit tables (it could switch their protection off)', async () => {
    await pg.query(`ALTER TABLE audit_entry OWNER TO ${OWNER_ROLE}`);
    try {
      const asOwner = new URL(env.dbUrl);
      asOwner.username = OWNER_ROLE;
      const run = await runApiProcess({ ...safe(), DATABASE_URL: asOwner.toString() });
      expect({ code: run.code, lines: lines(run.stderr) }).toEqual({
        code: 1,
        lines: [
          `api failed to start: DATABASE_URL connects as ${OWNER_ROLE}, which owns the audit tables and could switch their protection off: in production migrate with MIGRATION_DATABASE_URL and run as a role that owns nothing (docs/security.md)`,
        ],
      });
    } finally {
      await pg.query(`ALTER TABLE audit_entry OWNER TO postgres`);
    }
  });
});
