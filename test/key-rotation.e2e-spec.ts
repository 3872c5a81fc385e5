import { randomBytes } from 'node:crypto';
import { calculateJwkThumbprint, decodeProtectedHeader, exportJWK, generateKeyPair, type JWK } from 'jose';
import { Client } from 'pg';
import request from 'supertest';
import { verifyIncidentPack, type PackKey, type SignedIncidentPack } from '@app/offline';
import { runCli } from '../apps/cli/src/cli';
import { eventually } from './support/live-harness';
import { ADMIN, bearer, freePort, signIn, startApi, type TestApi } from './support/test-app';
import { createIncident, staffFor, startWorld, type World } from './support/world';

jest.setTimeout(120_000);

interface KeyView {
  purpose: string;
  kid: string;
  state: string;
  source: string;
  activatesAt: string;
  retiresAt: string | null;
  verifiesUntil: string | null;
}

const kidOf = (jws: string): string => String(decodeProtectedHeader(jws).kid);
const sleepUntil = async (at: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, Math.max(0, at - Date.now())));

/** POST /admin/keys/{purpose}/rotate and `responder-checkin keys`: every signing key rotates one way, with overlap windows. */
describe('key rotation', () => {
  let world: World;
  let second: TestApi;
  let pg: Client;
  let commander: { id: string; token: string };
  let incidentId: string;
  let did: string;
  /** The admin's access token; replaced by one of the new key once the old key's window has passed. */
  let admin: string;

  const keys = async (http = world.http): Promise<KeyView[]> =>
    (
      await request(http)
        .get('/admin/keys')
        .set(...bearer(admin))
        .expect(200)
    ).body as KeyView[];
  const rotate = (purpose: string, body: Record<string, unknown>) =>
    request(world.http)
      .post(`/admin/keys/${purpose}/rotate`)
      .set(...bearer(admin))
      .send(body);
  const me = (http: TestApi['http'], token: string) =>
    request(http)
      .get('/auth/me')
      .set(...bearer(token));
  const rotations = async (): Promise<{ actor: Record<string, unknown>; payload: Record<string, unknown>; target_id: string }[]> =>
    (await pg.query(`SELECT actor, payload, target_id FROM audit_entry WHERE action = 'signing_key.rotated' ORDER BY chain_id, seq`)).rows;
  const cliWith =
    (env: Record<string, string>) =>
    async (...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> => {
      let stdout = '';
      let stderr = '';
      const code = await runCli(['keys', ...args], {
        stdout: { write: (t: string) => (stdout += t) },
        stderr: { write: (t: string) => (stderr += t) },
        readStdin: async () => '',
        env: { ...world.env.env, ...env },
      });
      return { code, stdout, stderr };
    };
  const cli = Object.assign(cliWith({}), { withEnv: cliWith });

  beforeAll(async () => {
    did = `did:web:127.0.0.1%3A${await freePort()}`;
    world = await startWorld('key-rotation', { env: { RECORDS_ISSUER_DID: did, RECORDS_ISSUER_NAME: 'Florida Division of Emergency Management' } });
    // A second api process on the same database: it must switch keys by itself, without a restart.
    second = await startApi(world.env.env);
    pg = new Client({ connectionString: world.env.dbUrl });
    await pg.connect();
    admin = world.adminToken;
    incidentId = (await createIncident(world.http, admin)).id;
    commander = await staffFor(world.http, admin, incidentId, 'commander');
  });
  afterAll(async () => {
    await pg?.end();
    await second?.close();
    await world?.close();
  });

  it('is for admins only', async () => {
    await request(world.http)
      .get('/admin/keys')
      .set(...bearer(commander.token))
      .expect(403);
    await request(world.http)
      .post('/admin/keys/access_token/rotate')
      .set(...bearer(commander.token))
      .send({})
      .expect(403);
    await rotate('signing_token', {}).expect(404);
    await rotate('access_token', { activateInSeconds: -1 }).expect(400);
    expect(await rotations()).toEqual([]);
  });

  it('access tokens: the new key is published first and signs from its activation in every process; old tokens verify until the window ends, then not', async () => {
    const before = await signIn(second.http, ADMIN.email, ADMIN.password);
    const oldKid = kidOf(before);
    // Used before the rotation, so both processes hold it as verified: that must not outlive the old key's window.
    for (const api of [world.api, second]) await me(api.http, before).expect(200);
    const res = await rotate('access_token', { activateInSeconds: 12, overlapSeconds: 15 }).expect(200);
    const { kid, activatesAt, replaced } = res.body as {
      kid: string;
      activatesAt: string;
      replaced: { kid: string; retiresAt: string; verifiesUntil: string }[];
    };
    expect(kid).not.toBe(oldKid);
    expect(replaced).toEqual([{ kid: oldKid, retiresAt: activatesAt, verifiesUntil: new Date(Date.parse(activatesAt) + 15_000).toISOString() }]);

    // Announced: published, not signing yet.
    const published = ((await request(world.http).get('/.well-known/jwks.json').expect(200)).body as { keys: JWK[] }).keys.map((k) => k.kid);
    expect(published).toEqual(expect.arrayContaining([oldKid, kid]));
    expect(kidOf(await signIn(world.http, ADMIN.email, ADMIN.password))).toBe(oldKid);
    const listed = await keys();
    expect(listed.find((k) => k.kid === kid)).toMatchObject({ purpose: 'access_token', state: 'announced', source: 'generated', activatesAt });
    expect(listed.find((k) => k.kid === oldKid)).toMatchObject({ state: 'active', retiresAt: activatesAt });

    // Active: both processes sign with the new key; tokens of the old one still verify in both.
    await sleepUntil(Date.parse(activatesAt) + 300);
    expect((await keys()).find((k) => k.kid === oldKid)).toMatchObject({ state: 'verifying' });
    for (const api of [world.api, second]) await me(api.http, before).expect(200);
    const after = await signIn(second.http, ADMIN.email, ADMIN.password);
    expect(kidOf(after)).toBe(kid);
    expect(kidOf(await signIn(world.http, ADMIN.email, ADMIN.password))).toBe(kid);
    for (const api of [world.api, second]) await me(api.http, after).expect(200);

    // Past the window: the old key verifies nothing and is no longer published.
    await sleepUntil(Date.parse(replaced[0].verifiesUntil) + 300);
    for (const api of [world.api, second]) {
      await me(api.http, before).expect(401);
      await me(api.http, after).expect(200);
    }
    admin = after;
    const now = ((await request(world.http).get('/.well-known/jwks.json').expect(200)).body as { keys: JWK[] }).keys.map((k) => k.kid);
    expect(now).toContain(kid);
    expect(now).not.toContain(oldKid);
    expect((await keys()).find((k) => k.kid === oldKid)).toMatchObject({ state: 'retired' });

    const [entry] = await rotations();
    expect(entry).toMatchObject({
      target_id: kid,
      actor: { kind: 'user', role: 'admin', email: ADMIN.email },
      payload: { purpose: 'access_token', kid, activatesAt, replaced },
    });
  });

  it('audit checkpoints: new checkpoints are signed with the new kid, older ones keep verifying for good', async () => {
    await request(world.http)
      .post('/audit/checkpoints')
      .set(...bearer(admin))
      .expect(200);
    const oldKid = (await pg.query<{ kid: string }>(`SELECT kid FROM audit_checkpoint WHERE chain_id = 'system' ORDER BY seq DESC LIMIT 1`)).rows[0].kid;
    await rotate('audit_checkpoint', { overlapSeconds: 60 }).expect(400);
    const res = await rotate('audit_checkpoint', { activateInSeconds: 0 }).expect(200);
    expect(res.body.replaced).toEqual([{ kid: oldKid, retiresAt: res.body.activatesAt, verifiesUntil: null }]);
    // The rotation's own audit entry moved the system chain: the next checkpoint is signed with the new key.
    await request(world.http)
      .post('/audit/checkpoints')
      .set(...bearer(admin))
      .expect(200);
    const { rows } = await pg.query<{ kid: string; jws: string }>(`SELECT kid, jws FROM audit_checkpoint WHERE chain_id = 'system' ORDER BY seq`);
    expect(rows.at(-1)!.kid).toBe(res.body.kid);
    expect(kidOf(rows.at(-1)!.jws)).toBe(res.body.kid);
    expect(rows.map((r) => r.kid)).toContain(oldKid);
    const verified = await request(world.http)
      .get('/audit/verify?chainId=system')
      .set(...bearer(admin))
      .expect(200);
    expect(verified.body).toMatchObject({ ok: true, checkpoints: { verified: rows.length } });
    const trusted = ((await request(world.http).get('/.well-known/audit-checkpoint-keys.json').expect(200)).body as { keys: JWK[] }).keys.map((k) => k.kid);
    expect(trusted).toEqual(expect.arrayContaining([oldKid, res.body.kid]));
    expect((await keys()).find((k) => k.kid === oldKid)).toMatchObject({ state: 'verifying', verifiesUntil: null });
  });

  it('incident packs: a pack signed before verifies with the published keys until the window ends; new packs carry the new kid', async () => {
    const checkin = await staffFor(world.http, admin, incidentId, 'checkin');
    const packKeys = async () => ((await request(world.http).get('/.well-known/incident-pack-keys.json').expect(200)).body as { keys: PackKey[] }).keys;
    const getPack = async () =>
      (
        await request(world.http)
          .get(`/incidents/${incidentId}/pack`)
          .set(...bearer(checkin.token))
          .expect(200)
      ).body as SignedIncidentPack;
    const old = await getPack();
    const oldKid = kidOf(`${old.protected}..${old.signature}`);
    const res = await rotate('incident_pack', { activateInSeconds: 0, overlapSeconds: 3 }).expect(200);
    const fresh = await getPack();
    expect(kidOf(`${fresh.protected}..${fresh.signature}`)).toBe(res.body.kid);
    await verifyIncidentPack(fresh, await packKeys(), incidentId);
    await verifyIncidentPack(old, await packKeys(), incidentId);
    await sleepUntil(Date.parse(res.body.replaced[0].verifiesUntil) + 300);
    const later = await packKeys();
    expect(later.map((k) => k.kid)).toEqual([res.body.kid]);
    await expect(verifyIncidentPack(old, later, incidentId)).rejects.toThrow();
    await verifyIncidentPack(fresh, later, incidentId);
    expect(oldKid).not.toBe(res.body.kid);
  });

  it('deployment records: the same action rotates the issuer key; every key stays in the DID document; the older route is audited too', async () => {
    const before = (await keys()).filter((k) => k.purpose === 'deployment_record');
    expect(before).toEqual([expect.objectContaining({ state: 'active', source: 'generated', verifiesUntil: null })]);
    await rotate('deployment_record', { overlapSeconds: 60 }).expect(400);
    const res = await rotate('deployment_record', { activateInSeconds: 0 }).expect(200);
    expect(res.body.replaced).toEqual([{ kid: before[0].kid, retiresAt: res.body.activatesAt, verifiesUntil: null }]);
    const doc = (await request(world.http).get('/.well-known/did.json').expect(200)).body as { verificationMethod: { id: string }[] };
    expect(doc.verificationMethod.map((m) => m.id)).toEqual(expect.arrayContaining([`${did}#${before[0].kid}`, `${did}#${res.body.kid}`]));
    const after = (await keys()).filter((k) => k.purpose === 'deployment_record');
    expect(after.find((k) => k.kid === res.body.kid)).toMatchObject({ state: 'active' });
    expect(after.find((k) => k.kid === before[0].kid)).toMatchObject({ state: 'verifying', retiresAt: res.body.activatesAt });

    const legacy = await request(world.http)
      .post('/deployment-records/issuer-keys/rotate')
      .set(...bearer(admin))
      .send({})
      .expect(200);
    const entries = await rotations();
    expect(entries.map((e) => [e.payload.purpose, e.target_id])).toEqual(
      expect.arrayContaining([
        ['deployment_record', res.body.kid],
        ['deployment_record', legacy.body.kid],
      ]),
    );
  });

  it('the CLI lists and rotates, recorded as the CLI; every process picks the key up without a restart', async () => {
    const listed = await cli('list', '--json');
    expect(listed.code).toBe(0);
    const all = JSON.parse(listed.stdout) as KeyView[];
    expect(new Set(all.map((k) => k.purpose))).toEqual(new Set(['access_token', 'audit_checkpoint', 'incident_pack', 'deployment_record']));
    expect((await cli('rotate', '--purpose', 'nonsense')).code).toBe(2);
    expect((await cli('rotate', '--purpose', 'audit_checkpoint', '--overlap', '5')).code).toBe(1);
    // Another key-encryption key would seal a key no process can open: refused, nothing added.
    const count = async () => (await pg.query<{ n: number }>(`SELECT count(*)::int AS n FROM server_signing_key`)).rows[0].n;
    const keysBefore = await count();
    const wrongKek = await cli.withEnv({ KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64') })('rotate', '--purpose', 'incident_pack');
    expect(wrongKek.code).toBe(1);
    expect(wrongKek.stderr).toMatch(/KEY_ENCRYPTION_KEY does not open the incident_pack key/);
    expect(await count()).toBe(keysBefore);

    const rotated = await cli('rotate', '--purpose', 'access_token', '--activate-in', '0', '--overlap', '600');
    expect(rotated.code).toBe(0);
    const kid = /new key (\S+),/.exec(rotated.stdout)?.[1];
    expect(kid).toBeDefined();
    expect(rotated.stdout).toMatch(/replaces \S+: signs until .+, verifies until /);
    // Both running processes see the new key within their key-table age (10 s).
    for (const api of [world.api, second]) {
      await eventually(async () => kidOf(await signIn(api.http, ADMIN.email, ADMIN.password)) === kid, 12_000, 'the CLI-rotated key signing');
    }
    const text = await cli('list');
    expect(text.stdout).toMatch(new RegExp(`access_token\\s+${kid}\\s+active\\s+generated`));
    const entry = (await rotations()).find((e) => e.target_id === kid);
    expect(entry).toMatchObject({ actor: { kind: 'system', process: 'cli' }, payload: { purpose: 'access_token' } });
    const verified = await request(world.http)
      .get('/audit/verify?chainId=system')
      .set(...bearer(admin))
      .expect(200);
    expect(verified.body.ok).toBe(true);
  });

  it('a key from the environment is not rotated here: 409, and the CLI refuses too', async () => {
    const { privateKey } = await generateKeyPair('EdDSA', { extractable: true });
    const privateJwk = await exportJWK(privateKey);
    const configured = await startApi({ ...world.env.env, AUTH_SIGNING_KEY: JSON.stringify({ ...privateJwk, kid: await calculateJwkThumbprint(privateJwk) }) });
    try {
      const token = await signIn(configured.http, ADMIN.email, ADMIN.password);
      const res = await request(configured.http)
        .post('/admin/keys/access_token/rotate')
        .set(...bearer(token))
        .send({})
        .expect(409);
      expect(res.body.code).toBe('conflict');
      const refused = await cli('rotate', '--purpose', 'access_token');
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/AUTH_SIGNING_KEY/);
    } finally {
      await configured.close();
    }
  });
});
