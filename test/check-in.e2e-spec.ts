import { randomUUID } from 'node:crypto';
import { CompactSign, exportJWK, generateKeyPair } from 'jose';
import { Client } from 'pg';
import request from 'supertest';
import { RedisConnection } from '@app/common';
import { IdempotencyKeyHints } from '@app/incidents';
import { ADMIN, bearer, createUser } from './support/test-app';
import { createIncident, staffFor, startWorld, type IncidentFixture, type World } from './support/world';
import { matchingHashOf } from './support/matching';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('check-in (ICS 211 flow)', () => {
  let world: World;
  let incident: IncidentFixture;
  let checkin: { id: string; token: string };
  let commander: { id: string; token: string };

  const scan = (credential: string, extra: Record<string, unknown> = {}, key: string = randomUUID(), token = checkin.token, incidentId = incident.id) =>
    request(world.http)
      .post(`/incidents/${incidentId}/check-ins`)
      .set(...bearer(token))
      .set('Idempotency-Key', key)
      .set('X-Device-Id', 'scanner-7')
      .send({ credential, ...extra });

  const issue = (slug: string, qualification: string, name: string, extra: Record<string, unknown> = {}) =>
    world.issuer.board(slug).issue({ format: 'vc+jwt', qualification, subject: { name }, ...extra });

  /** A transaction holding the incident's audit chain head, as a reverification sweep's does while it flags someone. */
  const holdChainHead = async (incidentId: string): Promise<Client> => {
    const sweep = new Client({ connectionString: world.env.dbUrl });
    await sweep.connect();
    await sweep.query('BEGIN');
    await sweep.query('SELECT 1 FROM audit_chain WHERE chain_id = $1 FOR UPDATE', [`incident:${incidentId}`]);
    return sweep;
  };

  /**
   * How many statements wait on `holder`'s transaction, once one does (or after 5 s). Watched from a connection of its
   * own: inside a transaction, pg_stat_activity keeps showing the snapshot of its first read.
   */
  const waitersOn = async (holder: Client): Promise<number> => {
    const {
      rows: [{ pid }],
    } = await holder.query('SELECT pg_backend_pid() AS pid');
    const watch = new Client({ connectionString: world.env.dbUrl });
    await watch.connect();
    try {
      const waiting = async (): Promise<number> =>
        (await watch.query('SELECT count(*)::int AS n FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))', [pid])).rows[0].n;
      for (let i = 0; i < 250 && (await waiting()) === 0; i++) await sleep(20);
      return await waiting();
    } finally {
      await watch.end();
    }
  };

  beforeAll(async () => {
    world = await startWorld('checkin');
    incident = await createIncident(world.http, world.adminToken);
    checkin = await staffFor(world.http, world.adminToken, incident.id, 'checkin');
    commander = await staffFor(world.http, world.adminToken, incident.id, 'commander');
  });
  afterAll(async () => world?.close());

  it('admits a valid credential for its position; the responder is on the roster with the ICS 211 filled in', async () => {
    const { jws } = await issue('fl-nursing', 'RN', 'Ana Diaz', { licenseNumber: 'RN9876543' });
    const res = await scan(jws, {
      positionId: incident.positions['Triage Nurse'],
      locationId: incident.locations['Staging Area 1'],
      ics211: { homeUnit: 'Jackson Memorial Hospital', methodOfTravel: 'POV', orderRequestNumber: 'O-12' },
    }).expect(201);
    expect(res.body).toMatchObject({
      decision: 'admitted',
      reasons: [],
      alreadyCheckedIn: false,
      responder: { name: 'Ana Diaz', qualifications: ['RN'] },
      deployment: {
        status: 'available',
        position: { name: 'Triage Nurse' },
        location: { name: 'Staging Area 1', kind: 'Staging Area' },
        credential: { qualification: 'RN', licenseNumber: 'RN9876543', issuerName: 'Florida Board of Nursing' },
        ics211: {
          homeUnit: 'Jackson Memorial Hospital',
          methodOfTravel: 'POV',
          orderRequestNumber: 'O-12',
          agency: 'Florida Board of Nursing',
          resourceName: 'Ana Diaz',
        },
      },
    });
    expect(res.body.deployment.ics211.preparedBy.position).toBe('Check-in Recorder');
    const roster = await request(world.http)
      .get(`/incidents/${incident.id}/roster`)
      .set(...bearer(commander.token))
      .expect(200);
    expect(roster.body.entries.map((e: { responder: { name: string } }) => e.responder.name)).toContain('Ana Diaz');
  });

  it('records each denial with its reason, visible in the last scans', async () => {
    const revoked = await issue('fl-ems', 'PARAMEDIC', 'Rev Oked');
    world.issuer.board('fl-ems').revoke(revoked.statusIndex);
    const suspended = await issue('fl-medicine', 'MD', 'Sus Pended');
    world.issuer.board('fl-medicine').suspend(suspended.statusIndex);
    await sleep(1100); // past the status lists' ttl, in case an earlier scan cached them
    const expired = await issue('fl-nursing', 'RN', 'Ex Pired', {
      validFrom: new Date(Date.now() - 400 * 86400e3),
      validUntil: new Date(Date.now() - 86400e3),
    });
    const untrusted = await issue('rogue-board', 'MD', 'Rogue Doctor');
    const notAuthorized = await issue('fl-nursing', 'MD', 'Nurse Claiming MD');
    const valid = await issue('fl-nursing', 'RN', 'Tam Pered');
    const [h, p, s] = valid.jws.split('.');
    const flipped = `${h}.${p}.${s.slice(0, -4)}${s.slice(-4) === 'AAAA' ? 'BBBB' : 'AAAA'}`;

    const cases: Array<[string, string]> = [
      [revoked.jws, 'revoked'],
      [suspended.jws, 'suspended'],
      [expired.jws, 'expired'],
      [untrusted.jws, 'untrusted_issuer'],
      [notAuthorized.jws, 'issuer_not_authorized'],
      [flipped, 'signature_invalid'],
      ['hello, I am a nurse', 'unsupported_format'],
    ];
    for (const [credential, code] of cases) {
      const res = await scan(credential).expect(201);
      expect(res.body.decision).toBe('denied');
      expect(res.body.reasons.map((r: { code: string }) => r.code)).toContain(code);
      expect(res.body.deployment).toBeNull();
      for (const r of res.body.reasons as Array<{ message: string }>) expect(r.message.length).toBeGreaterThan(10);
    }
    const recent = await request(world.http)
      .get(`/incidents/${incident.id}/check-ins?limit=50`)
      .set(...bearer(checkin.token))
      .expect(200);
    const denied = (recent.body as Array<{ decision: string; reasons: Array<{ code: string }> }>).filter((a) => a.decision === 'denied');
    for (const [, code] of cases) expect(denied.some((a) => a.reasons.some((r) => r.code === code))).toBe(true);
    const roster = await request(world.http)
      .get(`/incidents/${incident.id}/roster`)
      .set(...bearer(commander.token))
      .expect(200);
    expect(roster.body.entries.map((e: { responder: { name: string } }) => e.responder.name)).not.toContain('Rev Oked');
  });

  it('denies a qualification the position does not accept', async () => {
    const { jws } = await issue('fl-ems', 'EMT', 'Eddie Emt');
    const res = await scan(jws, { positionId: incident.positions['Triage Nurse'] }).expect(201);
    expect(res.body).toMatchObject({
      decision: 'denied',
      reasons: [{ code: 'not_qualified', message: 'EMT does not qualify for Triage Nurse, which requires RN or APRN.' }],
    });
  });

  it('admits out-of-state boards only under mutual aid (EMAC)', async () => {
    const { jws } = await issue('ga-nursing', 'RN', 'Georgia Peach');
    const without = await scan(jws).expect(201);
    expect(without.body.decision).toBe('denied');
    const emac = await createIncident(world.http, world.adminToken, { mutualAidJurisdictions: ['US-GA'] });
    await request(world.http)
      .post(`/incidents/${emac.id}/staff`)
      .set(...bearer(world.adminToken))
      .send({ userId: checkin.id })
      .expect(204);
    const withAid = await scan(jws, {}, randomUUID(), checkin.token, emac.id).expect(201);
    expect(withAid.body.decision).toBe('admitted');
  });

  it('admits a presentation (vp+jwt) enclosing a credential, and keeps the enclosed credential for reverification', async () => {
    const { jws } = await issue('fl-nursing', 'RN', 'Vera Presenter');
    const holder = await generateKeyPair('ES256', { extractable: true });
    const did = `did:jwk:${Buffer.from(JSON.stringify(await exportJWK(holder.publicKey))).toString('base64url')}`;
    const vp = {
      '@context': ['https://www.w3.org/ns/credentials/v2'],
      type: ['VerifiablePresentation'],
      holder: did,
      verifiableCredential: [
        { '@context': 'https://www.w3.org/ns/credentials/v2', type: 'EnvelopedVerifiableCredential', id: `data:application/vc+jwt,${jws}` },
      ],
    };
    const presentation = await new CompactSign(new TextEncoder().encode(JSON.stringify(vp)))
      .setProtectedHeader({ alg: 'ES256', typ: 'vp+jwt', kid: `${did}#0` })
      .sign(holder.privateKey);
    const res = await scan(presentation, { positionId: incident.positions['Triage Nurse'] }).expect(201);
    expect(res.body).toMatchObject({ decision: 'admitted', responder: { name: 'Vera Presenter' } });
    const db = new Client({ connectionString: world.env.dbUrl });
    await db.connect();
    try {
      const { rows } = await db.query(`SELECT c.jws FROM deployment d JOIN presented_credential c ON c.id = d.credential_id WHERE d.id = $1`, [
        res.body.deployment.id,
      ]);
      expect(rows[0].jws).toBe(jws);
    } finally {
      await db.end();
    }
  });

  it('the same badge twice gives one deployment', async () => {
    const { jws } = await issue('nremt', 'PARAMEDIC', 'Pat Medic');
    const first = await scan(jws).expect(201);
    const second = await scan(jws).expect(201);
    expect(first.body.decision).toBe('admitted');
    expect(second.body).toMatchObject({ decision: 'admitted', alreadyCheckedIn: true, deployment: { id: first.body.deployment.id } });
    const roster = await request(world.http)
      .get(`/incidents/${incident.id}/roster`)
      .set(...bearer(commander.token))
      .expect(200);
    expect(roster.body.entries.filter((e: { responder: { name: string } }) => e.responder.name === 'Pat Medic')).toHaveLength(1);
  });

  it('a repeated Idempotency-Key returns the first response exactly; a different body with it is 422', async () => {
    const { jws } = await issue('fema-usar', 'USAR_TECH', 'Ray Rescue');
    const key = randomUUID();
    const first = await scan(jws, { positionId: incident.positions['Rescue Specialist'] }, key).expect(201);
    const again = await scan(jws, { positionId: incident.positions['Rescue Specialist'] }, key).expect(201);
    expect(again.body).toEqual(first.body);
    expect(again.text).toBe(first.text); // the same bytes, key order included
    expect(again.headers['content-type']).toBe(first.headers['content-type']);
    expect(first.headers['content-type']).toMatch(/^application\/json/);
    expect(again.headers['idempotent-replayed']).toBe('true');
    const other = await scan(jws, {}, key).expect(422);
    expect(other.body.code).toBe('idempotency_key_reused');
    // Concurrent repeats of one key: still one attempt and one deployment.
    const { jws: jws2 } = await issue('fema-usar', 'USAR_TECH', 'Concurrent Carla');
    const key2 = randomUUID();
    const results = await Promise.all([1, 2, 3].map(() => scan(jws2, {}, key2)));
    expect(new Set(results.map((r) => r.body.attemptId)).size).toBe(1);
  });

  it('a repeat whose Redis hint is gone (Redis restarted, or past its 10 minutes) still gets its first response, even once the incident has closed', async () => {
    const hints = world.api.app.get(IdempotencyKeyHints);
    const redis = world.api.app.get(RedisConnection);
    const forget = (key: string) => redis.client.del(hints.hintKey(checkin.id, key));
    const { jws } = await issue('fl-nursing', 'RN', 'Hana Hint');
    const key = randomUUID();
    const first = await scan(jws, {}, key).expect(201);
    expect(await redis.client.exists(hints.hintKey(checkin.id, key))).toBe(1);
    await forget(key);
    const again = await scan(jws, {}, key).expect(201);
    expect(again.body).toEqual(first.body);
    expect(again.headers['idempotent-replayed']).toBe('true');
    await forget(key);
    expect((await scan('not a credential', {}, key).expect(422)).body.code).toBe('idempotency_key_reused');

    const closing = await createIncident(world.http, world.adminToken);
    await request(world.http)
      .post(`/incidents/${closing.id}/staff`)
      .set(...bearer(world.adminToken))
      .send({ userId: checkin.id })
      .expect(204);
    const deniedKey = randomUUID();
    const denied = await scan('not a credential', {}, deniedKey, checkin.token, closing.id).expect(201);
    await request(world.http)
      .post(`/incidents/${closing.id}/close`)
      .set(...bearer(world.adminToken))
      .expect(200);
    await forget(deniedKey);
    const late = await scan('not a credential', {}, deniedKey, checkin.token, closing.id).expect(201);
    expect(late.text).toBe(denied.text);

    const pg = new Client({ connectionString: world.env.dbUrl });
    await pg.connect();
    try {
      const { rows } = await pg.query(
        'SELECT idempotency_key, count(*)::int AS n FROM check_in_attempt WHERE idempotency_key = ANY($1) GROUP BY 1 ORDER BY 1',
        [[key, deniedKey]],
      );
      expect(rows).toEqual([key, deniedKey].sort().map((k) => ({ idempotency_key: k, n: 1 })));
    } finally {
      await pg.end();
    }
  });

  it("a check-in batch locks the incident's audit chain head before its event sequence, as a reverification sweep does", async () => {
    const site = await createIncident(world.http, world.adminToken, { name: 'Lock Order Staging' });
    await request(world.http)
      .post(`/incidents/${site.id}/staff`)
      .set(...bearer(world.adminToken))
      .send({ userId: checkin.id })
      .expect(204);
    const [first, second] = await Promise.all([issue('fl-nursing', 'RN', 'Lena Lock'), issue('fl-ems', 'PARAMEDIC', 'Omar Order')]);
    await scan(first.jws, {}, randomUUID(), checkin.token, site.id).expect(201); // the chain head and sequence rows exist now

    // A sweep's transaction at this incident: the chain head first (its audit entry), then the sequence (its event).
    const sweep = await holdChainHead(site.id);
    try {
      const pending = scan(second.jws, {}, randomUUID(), checkin.token, site.id).then((r) => r);
      expect(await waitersOn(sweep)).toBe(1); // the check-in's write, waiting for the chain head
      // The check-in waits for the chain head holding nothing of the sequence, so the sweep can go on: no deadlock.
      await sweep.query('SELECT 1 FROM event_stream WHERE incident_id = $1 FOR UPDATE NOWAIT', [site.id]);
      await sweep.query('COMMIT');
      expect((await pending).status).toBe(201);
    } finally {
      await sweep.end();
    }
  });

  it("a check-in waiting for the incident's audit chain head holds nothing of the credential it presents, which a sweep holding the head may update", async () => {
    const site = await createIncident(world.http, world.adminToken, { name: 'Credential Lock Staging' });
    await request(world.http)
      .post(`/incidents/${site.id}/staff`)
      .set(...bearer(world.adminToken))
      .send({ userId: checkin.id })
      .expect(204);
    const badge = await issue('fl-nursing', 'RN', 'Cora Credential');
    await scan(badge.jws, {}, randomUUID(), checkin.token, site.id).expect(201);

    // A sweep at this incident: the chain head (its audit entry), then the credential it re-verified.
    const sweep = await holdChainHead(site.id);
    try {
      const pending = scan(badge.jws, {}, randomUUID(), checkin.token, site.id).then((r) => r);
      expect(await waitersOn(sweep)).toBe(1);
      // The scan recorded the presentation in a statement of its own (its responder was known) and waits for the chain
      // head holding nothing of the credential, so the sweep can go on: no deadlock.
      await sweep.query(`SET LOCAL lock_timeout = '500ms'`);
      await sweep.query(
        'UPDATE presented_credential SET last_verified_at = now() WHERE hash = (SELECT credential_hash FROM check_in_attempt WHERE incident_id = $1 LIMIT 1)',
        [site.id],
      );
      await sweep.query('COMMIT');
      expect((await pending).body).toMatchObject({ decision: 'admitted', alreadyCheckedIn: true });
    } finally {
      await sweep.end();
    }
  });

  it('a burst of scans is group-committed: each check-in recorded once, commits shared, audit chain and board sequence intact', async () => {
    const burst = await createIncident(world.http, world.adminToken, { name: 'Shift Change Staging' });
    await request(world.http)
      .post(`/incidents/${burst.id}/staff`)
      .set(...bearer(world.adminToken))
      .send({ userId: checkin.id })
      .expect(204);
    const badges = await Promise.all(
      Array.from({ length: 24 }, (_, i) => issue(i % 2 ? 'fl-nursing' : 'fl-ems', i % 2 ? 'RN' : 'PARAMEDIC', `Burst Responder ${i}`)),
    );
    const results = await Promise.all(badges.map((b) => scan(b.jws, {}, randomUUID(), checkin.token, burst.id)));

    expect(results.map((r) => [r.status, r.body.decision])).toEqual(badges.map(() => [201, 'admitted']));
    expect(new Set(results.map((r) => r.body.deployment.id)).size).toBe(24);
    const roster = await request(world.http)
      .get(`/incidents/${burst.id}/roster`)
      .set(...bearer(world.adminToken))
      .expect(200);
    expect(roster.body.entries).toHaveLength(24);

    const pg = new Client({ connectionString: world.env.dbUrl });
    await pg.connect();
    try {
      // Rows written by one statement share a transaction id: fewer commits than check-ins means they were batched.
      const {
        rows: [commits],
      } = await pg.query(`SELECT count(DISTINCT xmin::text)::int AS n FROM check_in_attempt WHERE incident_id = $1`, [burst.id]);
      expect(commits.n).toBeLessThan(24);
      const { rows: events } = await pg.query(`SELECT seq::int FROM outbox_event WHERE incident_id = $1 ORDER BY seq`, [burst.id]);
      expect(events.map((e: { seq: number }) => e.seq)).toEqual(events.map((_: unknown, i: number) => i + 1));
      const {
        rows: [attempts],
      } = await pg.query(`SELECT count(*)::int AS n FROM check_in_attempt WHERE incident_id = $1`, [burst.id]);
      expect(attempts.n).toBe(24);
    } finally {
      await pg.end();
    }
    const chain = await request(world.http)
      .get(`/audit/verify?incidentId=${burst.id}`)
      .set(...bearer(world.adminToken))
      .expect(200);
    expect(chain.body).toMatchObject({ ok: true });
    const admitted = await request(world.http)
      .get(`/audit/entries?incidentId=${burst.id}&action=checkin.admitted&limit=100`)
      .set(...bearer(world.adminToken))
      .expect(200);
    expect(admitted.body.entries).toHaveLength(24);
  });

  it("a responder's first scan is recorded in the check-in's own statement; a known responder, in the same burst as newcomers, is decided on what is known of them", async () => {
    const site = await createIncident(world.http, world.adminToken, { name: 'Returning Staff Staging' });
    await request(world.http)
      .post(`/incidents/${site.id}/staff`)
      .set(...bearer(world.adminToken))
      .send({ userId: checkin.id })
      .expect(204);
    const subject = `urn:uuid:${randomUUID()}`;
    const earlier = await issue('fl-nursing', 'RN', 'Kim Known', { subject: { id: subject, name: 'Kim Known' } });
    const first = (await scan(earlier.jws).expect(201)).body;
    await request(world.http)
      .post(`/incidents/${incident.id}/deployments/${first.deployment.id}/check-out`)
      .set(...bearer(checkin.token))
      .send({})
      .expect(200);

    const newcomers = await Promise.all(Array.from({ length: 8 }, (_, i) => issue('fl-ems', 'EMT', `First Timer ${i}`)));
    const onlyNew = await Promise.all(newcomers.slice(0, 4).map((b) => scan(b.jws, {}, randomUUID(), checkin.token, site.id)));
    const again = await issue('fl-ems', 'PARAMEDIC', 'Kim Known', { subject: { id: subject, name: 'Kim Known' } });
    const [known, ...mixed] = await Promise.all([again, ...newcomers.slice(4)].map((b) => scan(b.jws, {}, randomUUID(), checkin.token, site.id)));

    expect(known.body).toMatchObject({ decision: 'admitted', responder: { id: first.responder.id, qualifications: ['PARAMEDIC', 'RN'] } });
    expect(known.body.deployment).toMatchObject({ responder: { id: first.responder.id }, credential: { qualification: 'PARAMEDIC' } });
    expect([...onlyNew, ...mixed].map((r) => [r.status, r.body.decision, r.body.responder.qualifications])).toEqual(
      newcomers.map(() => [201, 'admitted', ['EMT']]),
    );

    const pg = new Client({ connectionString: world.env.dbUrl });
    await pg.connect();
    try {
      const { rows } = await pg.query(
        `SELECT r.name, r.xmin::text = a.xmin::text AS same_responder_commit, c.xmin::text = a.xmin::text AS same_credential_commit,
                v.xmin::text = a.xmin::text AS same_verification_commit
           FROM check_in_attempt a JOIN verification v ON v.id = a.verification_id JOIN presented_credential c ON c.id = v.credential_id
           JOIN responder r ON r.id = c.responder_id AND r.id = a.responder_id
          WHERE a.incident_id = $1 ORDER BY r.name`,
        [site.id],
      );
      expect(rows.map((r) => r.name)).toEqual([
        'First Timer 0',
        'First Timer 1',
        'First Timer 2',
        'First Timer 3',
        'First Timer 4',
        'First Timer 5',
        'First Timer 6',
        'First Timer 7',
        'Kim Known',
      ]);
      // Newcomers among themselves: responder, credential, verification and attempt in one transaction each.
      expect(rows.slice(0, 4).map(({ name, ...commits }) => commits)).toEqual(
        Array(4).fill({ same_responder_commit: true, same_credential_commit: true, same_verification_commit: true }),
      );
      // Kim was known: her presentation was recorded first, her check-in in a second statement.
      expect(rows[8]).toMatchObject({ same_responder_commit: false, same_credential_commit: false });
      const {
        rows: [kim],
      } = await pg.query(`SELECT count(*)::int AS responders FROM responder WHERE subject_hash = $1`, [matchingHashOf(subject)]);
      expect(kim.responders).toBe(1);
      // Nothing half-written: no responder without a credential, one audit entry and one board event per admission.
      const {
        rows: [orphans],
      } = await pg.query(`SELECT count(*)::int AS n FROM responder r WHERE NOT EXISTS (SELECT 1 FROM presented_credential c WHERE c.responder_id = r.id)`);
      expect(orphans.n).toBe(0);
      const {
        rows: [trail],
      } = await pg.query(
        `SELECT (SELECT count(*)::int FROM audit_entry WHERE incident_id = $1 AND action = 'checkin.admitted') AS audited,
                (SELECT count(*)::int FROM outbox_event WHERE incident_id = $1 AND name = 'deployment.checked_in') AS events`,
        [site.id],
      );
      expect(trail).toEqual({ audited: 9, events: 9 });
      // A statement that wrote only presentations moved neither the audit chain head nor the board's sequence.
      const { rows: events } = await pg.query(`SELECT seq::int FROM outbox_event WHERE incident_id = $1 ORDER BY seq`, [site.id]);
      expect(events.map((e: { seq: number }) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    } finally {
      await pg.end();
    }
    const chain = await request(world.http)
      .get(`/audit/verify?incidentId=${site.id}`)
      .set(...bearer(world.adminToken))
      .expect(200);
    expect(chain.body).toMatchObject({ ok: true });
  });

  it('a responder created by a concurrent transaction while the check-in runs is found, not duplicated', async () => {
    const subject = `urn:uuid:${randomUUID()}`;
    const badge = await issue('fl-ems', 'PARAMEDIC', 'Rae Race', { subject: { id: subject, name: 'Rae Race' } });
    const other = new Client({ connectionString: world.env.dbUrl });
    await other.connect();
    try {
      // Another check-in's transaction has created Rae and not committed: the scan's statement starts without seeing
      // her, and its insert waits on hers.
      await other.query('BEGIN');
      const {
        rows: [created],
      } = await other.query(`INSERT INTO responder (subject_hash, name) VALUES ($1, 'Rae Race') RETURNING id`, [matchingHashOf(subject)]);
      const pending = scan(badge.jws).then((r) => r);
      expect(await waitersOn(other)).toBe(1);
      await other.query('COMMIT');

      const res = await pending;
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ decision: 'admitted', responder: { id: created.id }, deployment: { responder: { id: created.id } } });
      const {
        rows: [rae],
      } = await other.query(`SELECT count(*)::int AS n FROM responder WHERE subject_hash = $1`, [matchingHashOf(subject)]);
      expect(rae.n).toBe(1);
    } finally {
      await other.end();
    }
  });

  it('the same badge scanned at several stations at once opens one deployment', async () => {
    const { jws } = await issue('fl-ems', 'PARAMEDIC', 'Popular Pat');
    const results = await Promise.all([1, 2, 3, 4].map(() => scan(jws)));
    expect(results.map((r) => r.body.decision)).toEqual(['admitted', 'admitted', 'admitted', 'admitted']);
    expect(new Set(results.map((r) => r.body.deployment.id)).size).toBe(1);
    expect(results.filter((r) => !r.body.alreadyCheckedIn)).toHaveLength(1);
  });

  it('a responder active at another incident is denied, naming that incident', async () => {
    const other = await createIncident(world.http, world.adminToken, { name: 'Hurricane Lena Shelter Ops' });
    await request(world.http)
      .post(`/incidents/${other.id}/staff`)
      .set(...bearer(world.adminToken))
      .send({ userId: checkin.id })
      .expect(204);
    const { jws } = await issue('fl-medicine', 'MD', 'Dr Double');
    expect((await scan(jws).expect(201)).body.decision).toBe('admitted');
    const res = await scan(jws, {}, randomUUID(), checkin.token, other.id).expect(201);
    expect(res.body.decision).toBe('denied');
    expect(res.body.reasons[0].code).toBe('active_elsewhere');
    expect(res.body.reasons[0].message).toContain('Surfside Building Collapse');
  });

  it('status changes, ICS 211 edits and check-out are kept in the history; time on scene is computed', async () => {
    const { jws } = await issue('fl-nursing', 'APRN', 'Nora Practitioner');
    const dep = (await scan(jws).expect(201)).body.deployment as { id: string };
    const base = `/incidents/${incident.id}/deployments/${dep.id}`;
    await request(world.http)
      .post(`${base}/status`)
      .set(...bearer(commander.token))
      .send({ status: 'assigned', assignment: 'Division A' })
      .expect(200);
    const oos = await request(world.http)
      .post(`${base}/status`)
      .set(...bearer(commander.token))
      .send({ status: 'out_of_service' })
      .expect(400);
    expect(oos.body.errors.map((e: { field: string }) => e.field)).toContain('reason');
    await request(world.http)
      .post(`${base}/status`)
      .set(...bearer(commander.token))
      .send({ status: 'out_of_service', reason: 'rest', note: '12h shift' })
      .expect(200);
    await request(world.http)
      .patch(`${base}/ics211`)
      .set(...bearer(checkin.token))
      .set('X-Device-Id', 'scanner-7')
      .send({ homeUnit: 'Tampa General', agency: 'Tampa General Hospital' })
      .expect(200);
    const out = await request(world.http)
      .post(`${base}/check-out`)
      .set(...bearer(checkin.token))
      .send({ note: 'demobilized' })
      .expect(200);
    expect(out.body).toMatchObject({ status: 'demobilized', checkedOutAt: expect.any(String) });
    expect(out.body.hoursOnScene).toBeGreaterThanOrEqual(0);
    await request(world.http)
      .post(`${base}/check-out`)
      .set(...bearer(checkin.token))
      .send({})
      .expect(409);
    const history = await request(world.http)
      .get(`${base}/history`)
      .set(...bearer(commander.token))
      .expect(200);
    expect(history.body.status.map((s: { to: { status: string } }) => s.to.status)).toEqual(['available', 'assigned', 'out_of_service', 'demobilized']);
    expect(history.body.status[2]).toMatchObject({
      from: { status: 'assigned', assignment: 'Division A' },
      to: { status: 'out_of_service', reason: 'rest' },
      note: '12h shift',
      changedBy: { kind: 'user', userId: commander.id },
    });
    expect(history.body.ics211Edits[0]).toMatchObject({
      fields: ['agency', 'homeUnit'],
      after: { homeUnit: 'Tampa General' },
      changedBy: { userId: checkin.id, device: 'scanner-7' },
    });
  });

  it('filters the roster and counts by status, assignment and qualification', async () => {
    const roster = await request(world.http)
      .get(`/incidents/${incident.id}/roster`)
      .set(...bearer(commander.token))
      .expect(200);
    const entries = roster.body.entries as Array<{ id: string; status: string; credential: { qualification: string } }>;
    expect(roster.body.counts.total).toBe(entries.length);
    const rn = entries.find((e) => e.credential.qualification === 'RN')!;
    await request(world.http)
      .post(`/incidents/${incident.id}/deployments/${rn.id}/status`)
      .set(...bearer(commander.token))
      .send({ status: 'assigned', assignment: 'Division B' })
      .expect(200);
    const filtered = await request(world.http)
      .get(`/incidents/${incident.id}/roster?status=assigned&assignment=Division%20B`)
      .set(...bearer(commander.token))
      .expect(200);
    expect(filtered.body.entries.map((e: { id: string }) => e.id)).toEqual([rn.id]);
    const byQual = await request(world.http)
      .get(`/incidents/${incident.id}/roster?qualification=PARAMEDIC`)
      .set(...bearer(commander.token))
      .expect(200);
    expect(byQual.body.entries.length).toBe(byQual.body.counts.byQualification.PARAMEDIC);
    expect(byQual.body.counts.byStatus.assigned).toBeGreaterThanOrEqual(1);
    expect(byQual.body.counts.byAssignment['Division B']).toBe(1);
  });

  it('exports the ICS 211 check-in list as CSV with the form blocks as columns', async () => {
    const res = await request(world.http)
      .get(`/incidents/${incident.id}/ics211.csv`)
      .set(...bearer(commander.token))
      .expect(200);
    expect(res.headers['content-type']).toMatch(/text\/csv/);
    const [header, ...rows] = res.text.trim().split('\r\n');
    expect(header.split(',').slice(0, 3)).toEqual(['1 Incident Name', '2 Incident Number', '3 Check-In Location']);
    for (const col of [
      '7 Date/Time Check-In',
      '11 Home Unit or Agency',
      '13 Method of Travel',
      '14 Incident Assignment',
      '15 Other Qualifications',
      '17 Prepared By',
    ]) {
      expect(header).toContain(col);
    }
    const ana = rows.find((r) => r.includes('Ana Diaz'))!;
    expect(ana).toContain('Surfside Building Collapse');
    expect(ana).toContain('Staging Area: Staging Area 1');
    expect(ana).toContain('Jackson Memorial Hospital');
  });

  describe('bad input', () => {
    it('unknown incident 404, closed incident 409, malformed body 400 naming fields, over-large body 413', async () => {
      await request(world.http)
        .post(`/incidents/${randomUUID()}/check-ins`)
        .set(...bearer(world.adminToken))
        .send({ credential: 'x' })
        .expect(404);
      const bad = await request(world.http)
        .post(`/incidents/${incident.id}/check-ins`)
        .set(...bearer(checkin.token))
        .send({ credential: 42, positionId: 'nope' })
        .expect(400);
      expect(bad.body.errors.map((e: { field: string }) => e.field)).toEqual(expect.arrayContaining(['credential', 'positionId']));
      await request(world.http)
        .post(`/incidents/${incident.id}/check-ins`)
        .set(...bearer(checkin.token))
        .send({ credential: 'x'.repeat(300 * 1024) })
        .expect(413);
      const unknownPosition = await scan('x', { positionId: randomUUID() }).expect(422);
      expect(unknownPosition.body.code).toBe('position_unknown');
      const badKey = await scan('x', {}, 'has spaces in it').expect(400);
      expect(badKey.body.code).toBe('malformed_request');

      const closing = await createIncident(world.http, world.adminToken);
      await request(world.http)
        .post(`/incidents/${closing.id}/close`)
        .set(...bearer(world.adminToken))
        .expect(200);
      const closed = await request(world.http)
        .post(`/incidents/${closing.id}/check-ins`)
        .set(...bearer(world.adminToken))
        .send({ credential: 'x' })
        .expect(409);
      expect(closed.body.code).toBe('incident_closed');
    });
  });

  describe('who may do what', () => {
    it('check-in staff act only at incidents they are assigned to; auditors read only their jurisdictions', async () => {
      const { jws } = await issue('fl-nursing', 'RN', 'Role Tester');
      const outsider = await createUser(world.http, world.adminToken, 'checkin');
      const denied = await scan(jws, {}, randomUUID(), outsider.token).expect(403);
      expect(denied.body.code).toBe('forbidden');
      await request(world.http)
        .get(`/incidents/${incident.id}/roster`)
        .set(...bearer(outsider.token))
        .expect(403);
      const list = await request(world.http)
        .get('/incidents')
        .set(...bearer(outsider.token))
        .expect(200);
      expect(list.body).toEqual([]);

      const flAuditor = await createUser(world.http, world.adminToken, 'auditor', { jurisdictions: ['US-FL'] });
      const gaAuditor = await createUser(world.http, world.adminToken, 'auditor', { jurisdictions: ['US-GA'] });
      await request(world.http)
        .get(`/incidents/${incident.id}/roster`)
        .set(...bearer(flAuditor.token))
        .expect(200);
      await request(world.http)
        .get(`/incidents/${incident.id}/ics211.csv`)
        .set(...bearer(flAuditor.token))
        .expect(200);
      await request(world.http)
        .get(`/incidents/${incident.id}/roster`)
        .set(...bearer(gaAuditor.token))
        .expect(403);
      await scan(jws, {}, randomUUID(), flAuditor.token).expect(403);
      const dep = (
        await request(world.http)
          .get(`/incidents/${incident.id}/deployments`)
          .set(...bearer(flAuditor.token))
          .expect(200)
      ).body[0] as { id: string };
      await request(world.http)
        .post(`/incidents/${incident.id}/deployments/${dep.id}/status`)
        .set(...bearer(flAuditor.token))
        .send({ status: 'available' })
        .expect(403);
      await request(world.http)
        .post(`/incidents/${incident.id}/deployments/${dep.id}/check-out`)
        .set(...bearer(flAuditor.token))
        .send({})
        .expect(403);
      await request(world.http)
        .patch(`/incidents/${incident.id}`)
        .set(...bearer(flAuditor.token))
        .send({ name: 'x' })
        .expect(403);
    });

    it('check-in staff cannot change status or manage the incident; commanders manage theirs but neither create incidents nor change their staff', async () => {
      const dep = (
        await request(world.http)
          .get(`/incidents/${incident.id}/deployments`)
          .set(...bearer(checkin.token))
          .expect(200)
      ).body[0] as { id: string };
      await request(world.http)
        .post(`/incidents/${incident.id}/deployments/${dep.id}/status`)
        .set(...bearer(checkin.token))
        .send({ status: 'available' })
        .expect(403);
      await request(world.http)
        .patch(`/incidents/${incident.id}`)
        .set(...bearer(checkin.token))
        .send({ name: 'x' })
        .expect(403);
      await request(world.http)
        .post(`/incidents/${incident.id}/staff`)
        .set(...bearer(checkin.token))
        .send({ userId: checkin.id })
        .expect(403);
      await request(world.http)
        .post('/incidents')
        .set(...bearer(commander.token))
        .send({})
        .expect(403);
      await request(world.http)
        .patch(`/incidents/${incident.id}`)
        .set(...bearer(commander.token))
        .send({ addLocations: [{ name: 'Helibase North', kind: 'Helibase' }] })
        .expect(200);
      const newStaff = await createUser(world.http, world.adminToken, 'checkin');
      await request(world.http)
        .post(`/incidents/${incident.id}/staff`)
        .set(...bearer(commander.token))
        .send({ userId: newStaff.id })
        .expect(403);
      const otherCommander = await createUser(world.http, world.adminToken, 'commander');
      await request(world.http)
        .post(`/incidents/${incident.id}/staff`)
        .set(...bearer(commander.token))
        .send({ userId: otherCommander.id })
        .expect(403);
      await request(world.http)
        .get(`/incidents/${incident.id}`)
        .set(...bearer(otherCommander.token))
        .expect(403);
      await request(world.http).post('/auth/token').send(ADMIN).expect(200);
    });

    it('a commander cannot remove a fellow commander, nor check-in staff: only admins change incident staff', async () => {
      const fellow = await staffFor(world.http, world.adminToken, incident.id, 'commander');
      const removed = await request(world.http)
        .delete(`/incidents/${incident.id}/staff/${fellow.id}`)
        .set(...bearer(commander.token))
        .expect(403);
      expect(removed.body.code).toBe('forbidden');
      await request(world.http)
        .delete(`/incidents/${incident.id}/staff/${checkin.id}`)
        .set(...bearer(commander.token))
        .expect(403);
      const staff = (
        await request(world.http)
          .get(`/incidents/${incident.id}/staff`)
          .set(...bearer(commander.token))
          .expect(200)
      ).body as Array<{ userId: string }>;
      expect(staff.map((s) => s.userId)).toEqual(expect.arrayContaining([fellow.id, checkin.id, commander.id]));
      await request(world.http)
        .delete(`/incidents/${incident.id}/staff/${fellow.id}`)
        .set(...bearer(world.adminToken))
        .expect(204);
    });
  });
});
