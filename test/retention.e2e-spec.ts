import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { RetentionService } from '@app/incidents';
import { bearer } from './support/test-app';
import { withDb } from './support/reverification';
import { createIncident, staffFor, startWorld, type IncidentFixture, type World } from './support/world';

/**
 * Retention (docs/operations.md, "Retention and the data map"): past their periods, credential copies that no active
 * deployment uses are purged and scan responses are redacted, in audited batches; audit chains still verify, an
 * active responder's credential is kept, a repeated request replays the redacted answer, and presenting a purged
 * credential again stores it again.
 */
jest.setTimeout(120_000);

describe('retention', () => {
  let world: World;
  let incident: IncidentFixture;
  let checkin: { token: string };
  let commander: { token: string };

  beforeAll(async () => {
    world = await startWorld('retention');
    incident = await createIncident(world.http, world.adminToken);
    checkin = await staffFor(world.http, world.adminToken, incident.id, 'checkin');
    commander = await staffFor(world.http, world.adminToken, incident.id, 'commander');
  });

  afterAll(async () => {
    await world?.close();
  });

  const scan = (credential: string, key = randomUUID()) =>
    request(world.http)
      .post(`/incidents/${incident.id}/check-ins`)
      .set(...bearer(checkin.token))
      .set('Idempotency-Key', key)
      .send({ credential });
  const issue = async (name: string) => (await world.issuer.board('fl-nursing').issue({ format: 'vc+jwt', qualification: 'RN', subject: { name } })).jws;
  const credentialRow = (hash: string) =>
    withDb(
      world.env.dbUrl,
      async (db) =>
        (await db.query(`SELECT jws, purged_at FROM presented_credential WHERE hash = $1`, [hash])).rows[0] as { jws: string | null; purged_at: Date | null },
    );

  it('purges what is past its period, keeps what is in use, and keeps every chain verifiable', async () => {
    const staying = await scan(await issue('Ana Active'));
    const leftKey = randomUUID();
    const leftBadge = await issue('Ben Departed');
    const left = await scan(leftBadge, leftKey);
    expect(staying.body.decision).toBe('admitted');
    expect(left.body.decision).toBe('admitted');
    await request(world.http)
      .post(`/incidents/${incident.id}/deployments/${left.body.deployment.id}/check-out`)
      .set(...bearer(commander.token))
      .send({})
      .expect(200);
    const stayingHash = staying.body.verification.evidence.credentialHash as string;
    const leftHash = left.body.verification.evidence.credentialHash as string;

    // Half a year later: Ben left 200 days ago, Ana is still deployed; every scan is 40 days old.
    await withDb(world.env.dbUrl, async (db) => {
      await db.query(`UPDATE presented_credential SET first_seen_at = now() - interval '200 days', last_verified_at = now() - interval '200 days'`);
      await db.query(`UPDATE deployment SET checked_out_at = now() - interval '200 days' WHERE id = $1`, [left.body.deployment.id]);
      await db.query(`UPDATE check_in_attempt SET performed_at = now() - interval '40 days' WHERE incident_id = $1`, [incident.id]);
    });

    const outcome = await world.api.app.get(RetentionService).purge(new Date());
    expect(outcome.credentialCopiesPurged).toBe(1);
    expect(outcome.scanResponsesRedacted).toBe(2);
    expect(await credentialRow(leftHash)).toMatchObject({ jws: null });
    expect((await credentialRow(leftHash)).purged_at).not.toBeNull();
    expect(await credentialRow(stayingHash)).toMatchObject({ jws: expect.any(String), purged_at: null });

    const responses = await withDb(
      world.env.dbUrl,
      async (db) => (await db.query(`SELECT response FROM check_in_attempt WHERE incident_id = $1`, [incident.id])).rows as Array<{ response: string }>,
    );
    for (const { response } of responses) {
      expect(response).not.toContain('Ana Active');
      expect(response).not.toContain('Ben Departed');
      expect(JSON.parse(response)).toMatchObject({ decision: 'admitted', redacted: true });
    }
    // A repeated request replays the redacted answer.
    const replay = await scan(leftBadge, leftKey);
    expect(replay.status).toBe(201);
    expect(replay.body).toMatchObject({ attemptId: left.body.attemptId, decision: 'admitted', redacted: true, responder: null });

    // Audited on the system chain, by hash; every chain still verifies.
    const entries = await withDb(
      world.env.dbUrl,
      async (db) =>
        (await db.query(`SELECT action, payload FROM audit_entry WHERE action LIKE 'retention.%' ORDER BY seq`)).rows as Array<{
          action: string;
          payload: { credentialHashes?: string[]; count?: number };
        }>,
    );
    expect(entries.map((e) => e.action)).toEqual(['retention.credential_copies_purged', 'retention.scan_responses_redacted']);
    expect(entries[0].payload.credentialHashes).toEqual([leftHash]);
    expect(entries[1].payload.count).toBe(2);
    for (const query of [`incidentId=${incident.id}`, 'chainId=system']) {
      const verdict = await request(world.http)
        .get(`/audit/verify?${query}`)
        .set(...bearer(world.adminToken))
        .expect(200);
      expect(verdict.body.ok).toBe(true);
    }

    // Nothing left to do: a second run changes nothing.
    expect(await world.api.app.get(RetentionService).purge(new Date())).toEqual({ credentialCopiesPurged: 0, scanResponsesRedacted: 0 });

    // Ben comes back with the same badge: it is stored again.
    const back = await scan(leftBadge);
    expect(back.body.decision).toBe('admitted');
    expect(await credentialRow(leftHash)).toMatchObject({ jws: leftBadge, purged_at: null });
  });
});
