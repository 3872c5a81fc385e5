import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import request from 'supertest';
import { bearer, signIn, startApi, ADMIN, type TestApi } from './support/test-app';
import { createIncident, staffFor, startWorld, type IncidentFixture, type World } from './support/world';

/**
 * The backup procedure of docs/operations.md ("Backup and restore"), run for real: pg_dump of a live database with
 * check-ins and signed checkpoints, pg_restore into a new database, an api started on it with the same
 * key-encryption key. Every audit chain and checkpoint verifies after the restore, and the restored system goes on
 * appending to the same chains.
 */
jest.setTimeout(180_000);

const run = promisify(execFile);

interface Verdict {
  ok: boolean;
  entries: number;
  head: { seq: number; hash: string } | null;
  checkpoints: { verified: number };
}

describe('backup and restore', () => {
  let world: World;
  let incident: IncidentFixture;
  let restored: TestApi | undefined;
  let restoredUrl = '';
  const folder = mkdtempSync(join(tmpdir(), 'checkin-backup-'));

  beforeAll(async () => {
    world = await startWorld('backup');
    incident = await createIncident(world.http, world.adminToken);
    const checkin = await staffFor(world.http, world.adminToken, incident.id, 'checkin');
    for (const name of ['Ana Lima', 'Ben Ortiz', 'Cleo Park']) {
      const badge = (await world.issuer.board('fl-nursing').issue({ format: 'vc+jwt', qualification: 'RN', subject: { name } })).jws;
      const res = await request(world.http)
        .post(`/incidents/${incident.id}/check-ins`)
        .set(...bearer(checkin.token))
        .set('Idempotency-Key', randomUUID())
        .send({ credential: badge });
      expect(res.body).toMatchObject({ decision: 'admitted' });
    }
    await request(world.http)
      .post('/audit/checkpoints')
      .set(...bearer(world.adminToken))
      .expect(200);
  });

  afterAll(async () => {
    await restored?.close();
    if (restoredUrl) {
      const admin = new Client({ connectionString: restoredUrl.replace(/\/[^/]+$/, '/postgres') });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS ${new URL(restoredUrl).pathname.slice(1)} WITH (FORCE)`);
      await admin.end();
    }
    await world?.close();
    rmSync(folder, { recursive: true, force: true });
  });

  const verify = async (http: TestApi['http'], token: string, query: string): Promise<Verdict> =>
    (
      await request(http)
        .get(`/audit/verify?${query}`)
        .set(...bearer(token))
        .expect(200)
    ).body as Verdict;

  it('restores a dump whose audit chains and checkpoints verify, and carries on appending to them', async () => {
    const before = await verify(world.http, world.adminToken, `incidentId=${incident.id}`);
    expect(before).toMatchObject({ ok: true });
    expect(before.checkpoints.verified).toBeGreaterThan(0);

    // The documented commands: a custom-format dump, then a restore into an empty database.
    const dump = join(folder, 'checkin.dump');
    await run('pg_dump', ['--format=custom', '--file', dump, world.env.dbUrl]);
    expect(statSync(dump).size).toBeGreaterThan(0);
    restoredUrl = world.env.dbUrl.replace(/\/([^/]+)$/, '/$1_restored');
    await run('createdb', ['--host', '127.0.0.1', '--username', 'postgres', new URL(restoredUrl).pathname.slice(1)]);
    await run('pg_restore', ['--exit-on-error', '--dbname', restoredUrl, dump]);

    restored = await startApi({ ...world.env.env, DATABASE_URL: restoredUrl });
    const token = await signIn(restored.http, ADMIN.email, ADMIN.password);
    const after = await verify(restored.http, token, `incidentId=${incident.id}`);
    expect(after).toMatchObject({ ok: true, head: before.head, entries: before.entries });
    expect(after.checkpoints.verified).toBe(before.checkpoints.verified);
    expect(await verify(restored.http, token, 'chainId=system')).toMatchObject({ ok: true });

    // The restored system goes on: a check-in there extends the same chain, which still verifies.
    const checkin = await staffFor(restored.http, token, incident.id, 'checkin');
    const badge = (await world.issuer.board('fl-nursing').issue({ format: 'vc+jwt', qualification: 'RN', subject: { name: 'Dee Quinn' } })).jws;
    const res = await request(restored.http)
      .post(`/incidents/${incident.id}/check-ins`)
      .set(...bearer(checkin.token))
      .set('Idempotency-Key', randomUUID())
      .send({ credential: badge });
    expect(res.body).toMatchObject({ decision: 'admitted' });
    await request(restored.http)
      .post('/audit/checkpoints')
      .set(...bearer(token))
      .expect(200);
    const extended = await verify(restored.http, token, `incidentId=${incident.id}`);
    expect(extended.ok).toBe(true);
    expect(extended.head!.seq).toBeGreaterThan(before.head!.seq);
    expect(extended.checkpoints.verified).toBeGreaterThan(before.checkpoints.verified);
  });
});
