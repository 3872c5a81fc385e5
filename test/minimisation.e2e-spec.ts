import { randomBytes, randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { Client } from 'pg';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { matchingHash } from '@app/common';
import { createTestDatabase, Database, dataSourceOptions, dropTestDatabase, runMigrations } from '@app/db';
import type { CredentialSummary } from '@app/credentials';
import { ResponderRepository, RetentionService } from '@app/incidents';
import { migrations } from '../libs/db/src/migrations';
import { bearer, freePort } from './support/test-app';
import { withDb } from './support/reverification';
import { createIncident, staffFor, startWorld, type IncidentFixture, type World } from './support/world';

jest.setTimeout(120_000);

const decode = (jwt: string): Record<string, any> => JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString('utf8'));

/**
 * Minimisation (docs/operations.md, data map; docs/security.md, "Matching key"): `responder` keeps the credential
 * subject's id and the licence number only as keyed hashes under MATCHING_HASH_KEY; the same person is still matched
 * across credentials, the deployment record is still issued to the holder's subject id (read from the retained
 * credential copy), and no clear subject id reaches the audit trail, the board's events or the logs.
 */
describe('minimisation: subject ids and licence numbers kept as matching hashes', () => {
  const key = randomBytes(32);
  let world: World;
  let incident: IncidentFixture;
  let checkin: { token: string };
  let did: string;

  const scan = (credential: string) =>
    request(world.http)
      .post(`/incidents/${incident.id}/check-ins`)
      .set(...bearer(checkin.token))
      .set('Idempotency-Key', randomUUID())
      .send({ credential });
  const checkOut = (deploymentId: string) =>
    request(world.http)
      .post(`/incidents/${incident.id}/deployments/${deploymentId}/check-out`)
      .set(...bearer(checkin.token))
      .send({})
      .expect(200);
  const record = async (deploymentId: string): Promise<Record<string, any>> =>
    (
      await request(world.http)
        .get(`/incidents/${incident.id}/deployments/${deploymentId}/record`)
        .set(...bearer(checkin.token))
        .expect(200)
    ).body as Record<string, any>;
  const responderRows = () =>
    withDb(world.env.dbUrl, async (db) =>
      (await db.query(`SELECT to_jsonb(r) AS row FROM responder r`)).rows.map((r: { row: Record<string, unknown> }) => r.row),
    );

  beforeAll(async () => {
    const port = await freePort();
    did = `did:web:127.0.0.1%3A${port}`;
    world = await startWorld('minimisation', {
      listen: true,
      port,
      env: { MATCHING_HASH_KEY: key.toString('base64'), RECORDS_ISSUER_DID: did, RECORDS_ISSUER_JURISDICTION: 'US-FL' },
    });
    incident = await createIncident(world.http, world.adminToken);
    checkin = await staffFor(world.http, world.adminToken, incident.id, 'checkin');
  });
  afterAll(async () => world?.close());

  it('stores hashes only, matches a second credential of the same subject, issues the record to the holder, keeps the chain', async () => {
    const subject = `did:example:minimise-${randomUUID()}`;
    const licence = `RN${randomUUID().replace(/-/g, '').slice(0, 7).toUpperCase()}`;
    const first = await world.issuer
      .board('fl-nursing')
      .issue({ format: 'vc+jwt', qualification: 'RN', subject: { id: subject, name: 'Mina Hash' }, licenseNumber: licence });
    const admitted = await scan(first.jws).expect(201);
    expect(admitted.body.decision).toBe('admitted');
    const responderId: string = admitted.body.responder.id;

    const rows = await responderRows();
    const text = JSON.stringify(rows);
    expect(text).not.toContain(subject);
    expect(text).not.toContain(licence);
    expect(Object.keys(rows[0])).not.toContain('subject_id');
    expect(Object.keys(rows[0])).not.toContain('license_number');
    const byId = new Map(rows.map((r) => [r.id as string, r]));
    expect(byId.get(responderId)).toMatchObject({ subject_hash: matchingHash(key, subject), licence_hash: null });
    // The licence number the ICS 211 shows stays on the credential row.
    expect(admitted.body.deployment.credential.licenseNumber).toBe(licence);

    // The deployment record is issued to the holder's subject id.
    const deploymentId: string = admitted.body.deployment.id;
    await checkOut(deploymentId);
    const issued = await record(deploymentId);
    expect(issued.state).toBe('issued');
    expect(decode(issued.jwt as string).credentialSubject.id).toBe(subject);

    // The same person with a second credential from another board: the same responder.
    const second = await world.issuer.board('fl-ems').issue({ format: 'vc+jwt', qualification: 'PARAMEDIC', subject: { id: subject, name: 'Mina Hash' } });
    const again = await scan(second.jws).expect(201);
    expect(again.body).toMatchObject({ decision: 'admitted', responder: { id: responderId } });
    expect(await responderRows()).toHaveLength(1);

    // Nothing but the retained copy carries the clear subject id: not the audit trail, the board's events or the logs.
    await withDb(world.env.dbUrl, async (db) => {
      const leaks = await db.query(
        `SELECT 'audit' AS place FROM audit_entry WHERE payload::text LIKE '%' || $1 || '%' OR actor::text LIKE '%' || $1 || '%'
         UNION ALL SELECT 'audit licence' FROM audit_entry WHERE payload::text LIKE '%' || $2 || '%'
         UNION ALL SELECT 'board' FROM outbox_event WHERE payload::text LIKE '%' || $1 || '%'`,
        [subject, licence],
      );
      expect(leaks.rows).toEqual([]);
      const { rows: audited } = await db.query(`SELECT payload FROM audit_entry WHERE action = 'deployment_record.issued' AND payload->>'deploymentId' = $1`, [
        deploymentId,
      ]);
      expect(audited).toEqual([{ payload: expect.objectContaining({ subjectBound: true }) }]);
    });
    const logs = await readFile(world.env.env.LOG_FILE, 'utf8');
    expect(logs).not.toContain(subject);

    const chain = await request(world.http)
      .get(`/audit/verify?incidentId=${incident.id}`)
      .set(...bearer(world.adminToken))
      .expect(200);
    expect(chain.body).toMatchObject({ ok: true });
  });

  it('issues the record without a subject binding when the credential copy was purged before check-out, and says so', async () => {
    const subject = `did:example:purged-${randomUUID()}`;
    const { jws } = await world.issuer.board('fl-nursing').issue({ format: 'vc+jwt', qualification: 'RN', subject: { id: subject, name: 'Pat Purged' } });
    const admitted = await scan(jws).expect(201);
    const hash = admitted.body.verification.evidence.credentialHash as string;
    // The copy purged as the purge does it (only an out-of-band purge can reach an active deployment's copy).
    await withDb(world.env.dbUrl, (db) =>
      db.query(`UPDATE presented_credential SET jws = NULL, purged_at = now(), summary = summary #- '{subject,id}' WHERE hash = $1`, [hash]),
    );
    await checkOut(admitted.body.deployment.id);
    const issued = await record(admitted.body.deployment.id);
    expect(issued.state).toBe('issued');
    const credentialSubject = decode(issued.jwt as string).credentialSubject;
    expect(credentialSubject.id).toBeUndefined();
    expect(credentialSubject.identifier).toEqual([expect.objectContaining({ identityType: 'name', identityHash: 'Pat Purged' })]);
    await withDb(world.env.dbUrl, async (db) => {
      const { rows } = await db.query(`SELECT payload FROM audit_entry WHERE action = 'deployment_record.issued' AND payload->>'deploymentId' = $1`, [
        admitted.body.deployment.id,
      ]);
      expect(rows).toEqual([{ payload: expect.objectContaining({ subjectBound: false }) }]);
    });
  });

  it('a credential without a subject id is matched by its issuer and the hash of its licence number', async () => {
    const issuerId = world.issuer.board('fl-nursing').did;
    const id = await withDb(
      world.env.dbUrl,
      async (db) =>
        (
          await db.query(`INSERT INTO responder (issuer_id, licence_hash, name) VALUES ($1, $2, 'Lee Licence') RETURNING id`, [
            issuerId,
            matchingHash(key, 'RN7770001'),
          ])
        ).rows[0].id as string,
    );
    const holder = (licenseNumber: string, issuer = issuerId) =>
      world.api.app
        .get(ResponderRepository)
        .onSceneHolder(
          world.api.app.get(Database),
          incident.id,
          { subject: { name: 'Lee Licence' }, issuer: { id: issuer }, licenseNumber } as CredentialSummary,
          randomUUID(),
        );
    expect(await holder('RN7770001')).toEqual({ responderId: id, deploymentId: null });
    expect(await holder('RN7770002')).toBeNull();
    expect(await holder('RN7770001', world.issuer.board('ga-nursing').did)).toBeNull();
  });

  it('the retention purge takes the subject id out of the summary with the copy', async () => {
    const subject = `did:example:retained-${randomUUID()}`;
    const { jws } = await world.issuer.board('fl-nursing').issue({ format: 'vc+jwt', qualification: 'RN', subject: { id: subject, name: 'Ray Retained' } });
    const admitted = await scan(jws).expect(201);
    const hash = admitted.body.verification.evidence.credentialHash as string;
    await checkOut(admitted.body.deployment.id);
    await withDb(world.env.dbUrl, async (db) => {
      await db.query(
        `UPDATE presented_credential SET first_seen_at = now() - interval '400 days', last_verified_at = now() - interval '400 days' WHERE hash = $1`,
        [hash],
      );
      await db.query(`UPDATE deployment SET checked_out_at = now() - interval '400 days' WHERE id = $1`, [admitted.body.deployment.id]);
    });
    await world.api.app.get(RetentionService).purge(new Date());
    const row = await withDb(
      world.env.dbUrl,
      async (db) => (await db.query(`SELECT jws, summary FROM presented_credential WHERE hash = $1`, [hash])).rows[0] as { jws: string | null; summary: any },
    );
    expect(row.jws).toBeNull();
    expect(row.summary.subject).toEqual({ name: 'Ray Retained' });
    expect(JSON.stringify(row.summary)).not.toContain(subject);
    // Presented again, the same responder (matched by the hash) and the copy and subject id are back.
    const again = await scan(jws).expect(201);
    expect(again.body.responder.id).toBe(admitted.body.responder.id);
  });
});

describe('minimisation: the migration hashes the identifiers stored before', () => {
  it('replaces clear subject ids and licence numbers with their hashes under the configured key, and the unique indexes guard the hashes', async () => {
    const key = randomBytes(32);
    const url = await createTestDatabase('minimise_migration');
    const pg = new Client({ connectionString: url });
    await pg.connect();
    try {
      await pg.query(`DROP SCHEMA public CASCADE; CREATE SCHEMA public;`);
      const index = migrations.findIndex((m) => m.name === 'ResponderMatchingHashes1765010000000');
      expect(index).toBeGreaterThan(0);
      const before = new DataSource({ ...dataSourceOptions(url, { poolSize: 1 }), migrations: migrations.slice(0, index) });
      await before.initialize();
      await before.runMigrations({ transaction: 'each' });
      await before.destroy();
      await pg.query(
        `INSERT INTO responder (id, subject_id, name) VALUES ('00000000-0000-4000-8000-000000000001', 'did:example:ana', 'Ana');
         INSERT INTO responder (id, issuer_id, license_number, name) VALUES ('00000000-0000-4000-8000-000000000002', 'did:web:board', 'RN 123-4', 'Ben');
         INSERT INTO responder (id, issuer_id, name) VALUES ('00000000-0000-4000-8000-000000000003', 'did:web:board', 'Cy');
         INSERT INTO presented_credential (hash, jws, format, summary, purged_at)
           VALUES ('purged', NULL, 'vc+jwt', '{"subject": {"id": "did:example:ana", "name": "Ana"}}', now()),
                  ('kept', 'x', 'vc+jwt', '{"subject": {"id": "did:example:ana", "name": "Ana"}}', NULL);`,
      );

      // This migration first, then any that came after it.
      expect(await runMigrations(url, key)).toEqual(migrations.slice(index).map((m) => m.name));
      const { rows } = await pg.query(`SELECT to_jsonb(r) - 'created_at' - 'updated_at' AS row FROM responder r ORDER BY id`);
      expect(rows.map((r) => r.row)).toEqual([
        {
          id: '00000000-0000-4000-8000-000000000001',
          subject_hash: matchingHash(key, 'did:example:ana'),
          issuer_id: null,
          licence_hash: null,
          name: 'Ana',
          email: null,
        },
        {
          id: '00000000-0000-4000-8000-000000000002',
          subject_hash: null,
          issuer_id: 'did:web:board',
          licence_hash: matchingHash(key, 'RN 123-4'),
          name: 'Ben',
          email: null,
        },
        { id: '00000000-0000-4000-8000-000000000003', subject_hash: null, issuer_id: 'did:web:board', licence_hash: null, name: 'Cy', email: null },
      ]);
      const { rows: summaries } = await pg.query(`SELECT hash, summary FROM presented_credential ORDER BY hash`);
      expect(summaries).toEqual([
        { hash: 'kept', summary: { subject: { id: 'did:example:ana', name: 'Ana' } } },
        { hash: 'purged', summary: { subject: { name: 'Ana' } } },
      ]);
      // The unique index now guards the hashes.
      await expect(
        pg.query(`INSERT INTO responder (subject_hash, name) VALUES ($1, 'Ana again')`, [matchingHash(key, 'did:example:ana')]),
      ).rejects.toMatchObject({
        constraint: 'responder_subject_key',
      });
    } finally {
      await pg.end();
      await dropTestDatabase(url);
    }
  });
});
