import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { runCli } from '../apps/cli/src/cli';
import { REVERIFY_TEST_ENV, startWorker, sweepOnce, withDb, type TestWorker } from './support/reverification';
import { bearer } from './support/test-app';
import { createIncident, staffFor, startWorld, type IncidentFixture, type World } from './support/world';

jest.setTimeout(60000);

/**
 * The Open Badges 3.0 JWT form as the demo issuer signs it (the payload is the credential, typ JWT, registered
 * claims beside it) through everything that reads credentials: POST /credentials/verify, check-in, the stored
 * credential and its reverification, the audit trail and the CLI. Real PostgreSQL, Redis, demo issuer and worker.
 */
describe('Open Badges 3.0 JWT form, end to end', () => {
  let world: World;
  let worker: TestWorker;
  let incident: IncidentFixture;
  let checkin: { id: string; token: string };
  let commander: { id: string; token: string };

  const issue = (slug: string, qualification: string, name: string) => world.issuer.board(slug).issue({ format: 'ob3-jwt', qualification, subject: { name } });
  const verify = (verifiableCredential: unknown) =>
    request(world.http)
      .post('/credentials/verify')
      .set(...bearer(checkin.token))
      .send({ verifiableCredential, options: { jurisdiction: 'US-FL' } });
  const scan = (credential: string, positionName = 'Triage Nurse') =>
    request(world.http)
      .post(`/incidents/${incident.id}/check-ins`)
      .set(...bearer(checkin.token))
      .set('Idempotency-Key', randomUUID())
      .send({ credential, positionId: incident.positions[positionName] })
      .expect(201);
  const check = (body: { checks: Array<{ id: string }> }, id: string) => body.checks.find((c) => c.id === id);
  /** Past the demo issuer's status list ttl (1 s), so the next read sees the list as the board now publishes it. */
  const listsTurnOver = () => new Promise((resolve) => setTimeout(resolve, 1100));

  beforeAll(async () => {
    world = await startWorld('ob3jwt', { env: REVERIFY_TEST_ENV });
    worker = await startWorker(world.env.env);
    incident = await createIncident(world.http, world.adminToken);
    checkin = await staffFor(world.http, world.adminToken, incident.id, 'checkin');
    commander = await staffFor(world.http, world.adminToken, incident.id, 'commander');
  });
  afterAll(async () => {
    await worker?.close();
    await world?.close();
  });

  it('POST /credentials/verify verifies it as a JWS, in an envelope typed by a list, as a data: URL and in a URL fragment', async () => {
    const { jws } = await issue('fl-nursing', 'RN', 'Olivia Badge');
    const [header] = jws.split('.');
    expect(JSON.parse(Buffer.from(header, 'base64url').toString())).toMatchObject({ typ: 'JWT' });
    for (const input of [
      jws,
      { '@context': 'https://www.w3.org/ns/credentials/v2', type: ['EnvelopedVerifiableCredential'], id: `data:application/vc+jwt,${jws}` },
      `data:application/vc+jwt,${jws}`,
      `https://badges.example.org/show#vc=${jws}`,
    ]) {
      const res = await verify(input).expect(200);
      expect(res.body).toMatchObject({ verified: true, errors: [], warnings: [] });
      expect(res.body.credential).toMatchObject({
        format: 'ob3-jwt',
        qualification: 'RN',
        subject: { name: 'Olivia Badge' },
        issuer: { registryName: 'Florida Board of Nursing' },
      });
      expect(check(res.body, 'format')).toMatchObject({ message: expect.stringContaining('Open Badges 3.0 JWT') });
    }
  });

  it('refuses it when its status list revokes it, when it was altered, and when its issuer is not trusted', async () => {
    const revoked = await issue('fl-nursing', 'RN', 'Rita Revoked');
    world.issuer.board('fl-nursing').revoke(revoked.statusIndex);
    await listsTurnOver();
    const res = await verify(revoked.jws).expect(400);
    expect(res.body.credential).toMatchObject({ format: 'ob3-jwt' });
    expect(check(res.body, 'status')).toMatchObject({ status: 'fail', code: 'revoked' });
    expect(res.body.evidence.status).toEqual(
      expect.arrayContaining([expect.objectContaining({ purpose: 'revocation', index: revoked.statusIndex, value: 1 })]),
    );

    const [h, p, s] = (await issue('fl-nursing', 'RN', 'Tom Tampered')).jws.split('.');
    const payload = JSON.parse(Buffer.from(p, 'base64url').toString());
    payload.credentialSubject.name = 'Somebody Else';
    const tampered = await verify(`${h}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${s}`).expect(400);
    expect(check(tampered.body, 'signature')).toMatchObject({ status: 'fail', code: 'signature_invalid' });

    const rogue = await verify((await issue('rogue-board', 'RN', 'Rogue Nurse')).jws).expect(400);
    expect(rogue.body.credential).toMatchObject({ format: 'ob3-jwt' });
    expect(check(rogue.body, 'issuer_trust')).toMatchObject({ status: 'fail', code: 'untrusted_issuer' });
  });

  it('check-in admits a responder holding it; the credential is stored with its format and a sweep re-checks it by that format', async () => {
    const nurse = await issue('fl-nursing', 'RN', 'Nadia Ob');
    const res = await scan(nurse.jws);
    expect(res.body).toMatchObject({
      decision: 'admitted',
      reasons: [],
      responder: { name: 'Nadia Ob', qualifications: ['RN'] },
      deployment: { credential: { qualification: 'RN' } },
    });
    const deploymentId = res.body.deployment.id as string;

    const stored = await withDb(
      world.env.dbUrl,
      async (db) =>
        (await db.query(`SELECT c.format, c.jws FROM presented_credential c JOIN deployment d ON d.credential_id = c.id WHERE d.id = $1`, [deploymentId])).rows,
    );
    expect(stored).toEqual([{ format: 'ob3-jwt', jws: nurse.jws }]);
    const audit = await withDb(world.env.dbUrl, async (db) =>
      (await db.query(`SELECT action FROM audit_entry WHERE target_id = $1 ORDER BY seq`, [deploymentId])).rows.map((r: { action: string }) => r.action),
    );
    expect(audit).toContain('checkin.admitted');

    world.issuer.board('fl-nursing').revoke(nurse.statusIndex);
    await listsTurnOver();
    const sweep = await sweepOnce(world.http, world.adminToken);
    expect(sweep).toMatchObject({ state: 'completed', error: null });
    const deployment = (
      await request(world.http)
        .get(`/incidents/${incident.id}/deployments/${deploymentId}`)
        .set(...bearer(commander.token))
        .expect(200)
    ).body;
    expect(deployment).toMatchObject({ status: 'out_of_service', statusReason: 'credential', credentialFlag: { code: 'revoked' } });
    const verifications = await withDb(
      world.env.dbUrl,
      async (db) =>
        (
          await db.query(
            `SELECT v.kind, v.verified, v.checks FROM verification v JOIN deployment d ON d.credential_id = v.credential_id WHERE d.id = $1 ORDER BY v.performed_at`,
            [deploymentId],
          )
        ).rows,
    );
    expect(verifications.map((v: { kind: string; verified: boolean }) => [v.kind, v.verified])).toEqual([
      ['check_in', true],
      ['reverification', false],
    ]);
    // Re-read by its own format: the format and signature checks pass again, only the status fails.
    const recheck = verifications[1].checks as Array<{ id: string; status: string; code: string }>;
    expect(recheck.find((c) => c.id === 'format')).toMatchObject({ status: 'pass' });
    expect(recheck.find((c) => c.id === 'status')).toMatchObject({ status: 'fail', code: 'revoked' });

    const chain = await request(world.http)
      .get(`/audit/verify?incidentId=${incident.id}`)
      .set(...bearer(world.adminToken))
      .expect(200);
    expect(chain.body).toMatchObject({ ok: true });
  });

  it('check-in denies a revoked badge and one from an untrusted issuer, with the reason', async () => {
    const revoked = await issue('fl-ems', 'PARAMEDIC', 'Paul Revoked');
    world.issuer.board('fl-ems').revoke(revoked.statusIndex);
    await listsTurnOver();
    const untrusted = await issue('rogue-board', 'PARAMEDIC', 'Rogue Medic');
    for (const [credential, code] of [
      [revoked.jws, 'revoked'],
      [untrusted.jws, 'untrusted_issuer'],
    ] as const) {
      const res = await scan(credential, 'Paramedic');
      expect(res.body.decision).toBe('denied');
      expect(res.body.reasons.map((r: { code: string }) => r.code)).toContain(code);
      expect(res.body.deployment).toBeNull();
    }
  });

  it('the CLI verifies a file holding it', async () => {
    const { jws } = await issue('fl-medicine', 'MD', 'Mia Cli');
    const dir = mkdtempSync(join(tmpdir(), 'ob3-'));
    try {
      const file = join(dir, 'badge.jwt');
      writeFileSync(file, `${jws}\n`);
      const out: string[] = [];
      const io = { stdout: { write: (t: string) => out.push(t) }, stderr: { write: () => undefined }, readStdin: async () => '', env: world.env.env };
      expect(await runCli(['verify', '--jurisdiction', 'US-FL', file], io)).toBe(0);
      expect(JSON.parse(out.join(''))).toMatchObject({ verified: true, credential: { format: 'ob3-jwt', qualification: 'MD' } });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
