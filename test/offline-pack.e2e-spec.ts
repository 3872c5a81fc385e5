import { generateKeyPairSync, sign } from 'node:crypto';
import { randomUUID } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import request from 'supertest';
import { PackVerifier } from '../libs/credentials/src/offline/pack-verifier';
import { PACK_FORMAT, PackRefused, verifyIncidentPack, type IncidentPack, type PackKey, type SignedIncidentPack } from '@app/offline';
import { bearer } from './support/test-app';
import { createIncident, staffFor, startWorld, type IncidentFixture, type World } from './support/world';

jest.setTimeout(120_000);

/** GET /incidents/{id}/pack: what a station verifies with offline, signed with the server's pack key (docs/offline.md). */
describe('offline: the signed incident pack', () => {
  let world: World;
  let incident: IncidentFixture;
  let other: IncidentFixture;
  let checkin: { id: string; token: string };
  let packKeys: PackKey[];

  const getPack = (incidentId: string, token: string, etag?: string) => {
    const req = request(world.http)
      .get(`/incidents/${incidentId}/pack`)
      .set(...bearer(token));
    return etag ? req.set('If-None-Match', etag) : req;
  };

  beforeAll(async () => {
    world = await startWorld('offline-pack');
    incident = await createIncident(world.http, world.adminToken, { mutualAidJurisdictions: ['US-GA'] });
    other = await createIncident(world.http, world.adminToken, { name: 'Other incident', jurisdiction: 'US-TX' });
    checkin = await staffFor(world.http, world.adminToken, incident.id, 'checkin');
    const { jws } = await world.issuer.board('fl-nursing').issue({ format: 'vc+jwt', qualification: 'RN', subject: { name: 'Nora Online' } });
    const res = await request(world.http)
      .post(`/incidents/${incident.id}/check-ins`)
      .set(...bearer(checkin.token))
      .set('Idempotency-Key', randomUUID())
      .send({ credential: jws })
      .expect(201);
    expect(res.body.decision).toBe('admitted');
    packKeys = (await request(world.http).get('/.well-known/incident-pack-keys.json').expect(200)).body.keys as PackKey[];
  });
  afterAll(() => world.close());

  it('is signed by a pack key of its own, published apart from the access-token keys', async () => {
    expect(packKeys).toHaveLength(1);
    expect(packKeys[0]).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig' });
    const tokenKeys = (await request(world.http).get('/.well-known/jwks.json').expect(200)).body.keys as PackKey[];
    const checkpointKeys = (await request(world.http).get('/.well-known/audit-checkpoint-keys.json').expect(200)).body.keys as PackKey[];
    for (const k of [...tokenKeys, ...checkpointKeys]) expect(k.kid).not.toBe(packKeys[0].kid);
  });

  it('holds the setup, the trust slice (jurisdiction + mutual aid), issuer keys, compressed status lists with fetch times and the roster', async () => {
    const res = await getPack(incident.id, checkin.token).expect(200);
    expect(res.headers.etag).toMatch(/^"[A-Za-z0-9_-]{32}"$/);
    const pack = await verifyIncidentPack(res.body as SignedIncidentPack, packKeys, incident.id);
    expect(pack.format).toBe(PACK_FORMAT);
    expect(Date.now() - Date.parse(pack.packedAt)).toBeLessThan(60_000);
    expect(pack.incident).toMatchObject({ id: incident.id, jurisdiction: 'US-FL', mutualAidJurisdictions: ['US-GA'], state: 'active' });
    expect(pack.incident.positions.map((p) => p.name).sort()).toEqual(['Paramedic', 'Rescue Specialist', 'Triage Nurse']);
    expect(pack.incident.locations).toHaveLength(2);
    expect(pack.policy).toMatchObject({ statusUnavailable: 'admit_with_warning', offlineStatusMaxAgeSeconds: 86_400 });

    // FL boards, the GA board (mutual aid) and the national certifiers; nobody else.
    const slugs = ['fl-nursing', 'fl-medicine', 'fl-ems', 'ga-nursing', 'nremt', 'fema-usar'];
    const dids = slugs.map((s) => world.issuer.board(s).did).sort();
    expect(pack.trust.issuers.map((i) => i.id).sort()).toEqual(dids);
    expect(pack.trust.qualificationRules.length).toBeGreaterThan(0);
    expect(pack.keys.map((k) => k.issuer).sort()).toEqual(dids);
    for (const k of pack.keys) expect(k.keys[0].jwk).not.toHaveProperty('d');

    const nursing = world.issuer.board('fl-nursing').did;
    const lists = pack.statusLists.filter((l) => l.issuer === nursing);
    expect(lists.length).toBeGreaterThan(0);
    for (const l of lists) {
      expect(l.bitLength).toBeGreaterThanOrEqual(131_072);
      expect(Date.now() - Date.parse(l.fetchedAt)).toBeLessThan(120_000);
      // Kept compressed: a few dozen bytes for 16 KiB of bits.
      expect(Buffer.from(l.gzip, 'base64url').length).toBeLessThan(1000);
      expect(gunzipSync(Buffer.from(l.gzip, 'base64url')).length * 8).toBe(l.bitLength);
    }
    expect(pack.roster).toEqual([expect.objectContaining({ name: 'Nora Online', qualifications: ['RN'] })]);
    expect(Object.keys(pack.roster[0]).sort()).toEqual(['checkedInAt', 'deploymentId', 'name', 'qualifications', 'responderId']);
  });

  it('answers 304 to its ETag while nothing changed, and a new pack once the roster changes', async () => {
    const first = await getPack(incident.id, checkin.token).expect(200);
    const again = await getPack(incident.id, checkin.token, first.headers.etag).expect(304);
    expect(again.text).toBe('');
    const same = await getPack(incident.id, checkin.token).expect(200);
    expect(same.body).toEqual(first.body);

    const { jws } = await world.issuer.board('fl-ems').issue({ format: 'vc+jwt', qualification: 'PARAMEDIC', subject: { name: 'Pat Second' } });
    await request(world.http)
      .post(`/incidents/${incident.id}/check-ins`)
      .set(...bearer(checkin.token))
      .set('Idempotency-Key', randomUUID())
      .send({ credential: jws })
      .expect(201);
    const changed = await getPack(incident.id, checkin.token, first.headers.etag).expect(200);
    expect(changed.headers.etag).not.toBe(first.headers.etag);
    const pack = await verifyIncidentPack(changed.body as SignedIncidentPack, packKeys, incident.id);
    expect(pack.roster.map((r) => r.name).sort()).toEqual(['Nora Online', 'Pat Second']);
  });

  it('a station refuses a tampered pack, a pack for another incident, and a pack signed by another key', async () => {
    const signed = (await getPack(incident.id, checkin.token).expect(200)).body as SignedIncidentPack;
    const refusal = async (p: Promise<IncidentPack>): Promise<string> => {
      try {
        await p;
        return 'accepted';
      } catch (err) {
        return err instanceof PackRefused ? err.code : String(err);
      }
    };
    // Someone adds a revoked nurse back to the roster, or drops a status list: one byte changed is enough.
    const tampered = { ...signed, payload: signed.payload.replace('"statusUnavailable":"admit_with_warning"', '"statusUnavailable":"admit_with_warninh"') };
    expect(tampered.payload).not.toBe(signed.payload);
    expect(await refusal(verifyIncidentPack(tampered, packKeys, incident.id))).toBe('pack_signature_invalid');
    // A genuine pack of another incident.
    expect(await refusal(verifyIncidentPack(signed, packKeys, other.id))).toBe('pack_foreign');
    // A pack made elsewhere: well formed, signed by a key this server never published.
    const foreign = generateKeyPairSync('ed25519');
    const header = Buffer.from(JSON.stringify({ alg: 'EdDSA', kid: packKeys[0].kid, typ: 'incident-pack+jws', b64: false, crit: ['b64'] })).toString(
      'base64url',
    );
    const forged = {
      payload: signed.payload,
      protected: header,
      signature: sign(null, Buffer.from(`${header}.${signed.payload}`), foreign.privateKey).toString('base64url'),
    };
    expect(await refusal(verifyIncidentPack(forged, packKeys, incident.id))).toBe('pack_signature_invalid');
    const otherKid = {
      ...forged,
      protected: Buffer.from(JSON.stringify({ alg: 'EdDSA', kid: 'elsewhere', typ: 'incident-pack+jws', b64: false, crit: ['b64'] })).toString('base64url'),
    };
    expect(await refusal(verifyIncidentPack(otherKid, packKeys, incident.id))).toBe('pack_key_unknown');
    // An access token is not a pack, even though the server signed it.
    const [h, p, s] = checkin.token.split('.');
    expect(await refusal(verifyIncidentPack({ protected: h, payload: p, signature: s }, packKeys, incident.id))).toBe('pack_malformed');
    // The genuine one passes.
    expect(await refusal(verifyIncidentPack(signed, packKeys, incident.id))).toBe('accepted');
  });

  it('is for the incident staff only', async () => {
    const outsider = await staffFor(world.http, world.adminToken, other.id, 'checkin');
    await getPack(incident.id, outsider.token).expect(403);
  });

  // Last: it changes the incident's policy, which the tests above read.
  it("carries the incident's offline limit, set by a commander; a list older than it is admitted with a warning or denied, per policy", async () => {
    const commander = await staffFor(world.http, world.adminToken, incident.id, 'commander');
    const patch = (token: string, body: Record<string, unknown>) =>
      request(world.http)
        .patch(`/incidents/${incident.id}`)
        .set(...bearer(token))
        .send(body);
    for (const bad of [0, 169, 2.5, '6']) expect((await patch(commander.token, { offlineStatusMaxAgeHours: bad }).expect(400)).body.code).toBeDefined();
    await patch(checkin.token, { offlineStatusMaxAgeHours: 2 }).expect(403);
    const before = await getPack(incident.id, checkin.token).expect(200);

    const updated = await patch(commander.token, { offlineStatusMaxAgeHours: 2, statusUnavailablePolicy: 'deny' }).expect(200);
    expect(updated.body).toMatchObject({ offlineStatusMaxAgeHours: 2, statusUnavailablePolicy: 'deny' });
    const res = await getPack(incident.id, checkin.token, before.headers.etag).expect(200);
    const pack = await verifyIncidentPack(res.body as SignedIncidentPack, packKeys, incident.id);
    expect(pack.policy).toMatchObject({ statusUnavailable: 'deny', offlineStatusMaxAgeSeconds: 7200 });

    // A nurse's badge on the list the pack holds (Nora's board): within the limit admitted, beyond it per the policy.
    const { jws } = await world.issuer.board('fl-nursing').issue({ format: 'vc+jwt', qualification: 'RN', subject: { name: 'Lena Limit' } });
    const list = pack.statusLists.find((l) => l.issuer === world.issuer.board('fl-nursing').did)!;
    const fetched = Date.parse(list.fetchedAt);
    const hours = (h: number) => new Date(fetched + h * 3600_000);
    expect((await new PackVerifier(pack).verify(jws, { now: hours(1.5) })).decision).toBe('admitted');
    const late = await new PackVerifier(pack).verify(jws, { now: hours(2.5) });
    expect(late.decision).toBe('denied');
    // One warning per status entry of the badge (revocation and suspension lists), then the policy's denial.
    const codes = late.reasons.map((r) => r.code);
    expect(codes.at(-1)).toBe('status_unavailable_policy');
    expect(codes.slice(0, -1).length).toBeGreaterThan(0);
    expect(new Set(codes.slice(0, -1))).toEqual(new Set(['status_unavailable']));
    expect(late.reasons[0].message).toMatch(/is 2\.\d h old \(limit 2 h\)/);

    await patch(commander.token, { statusUnavailablePolicy: 'admit_with_warning' }).expect(200);
    const relaxed = await verifyIncidentPack((await getPack(incident.id, checkin.token).expect(200)).body as SignedIncidentPack, packKeys, incident.id);
    expect(relaxed.policy).toMatchObject({ statusUnavailable: 'admit_with_warning', offlineStatusMaxAgeSeconds: 7200 });
    const warned = await new PackVerifier(relaxed).verify(jws, { now: hours(2.5) });
    expect(warned.decision).toBe('admitted_with_warnings');
    expect(new Set(warned.reasons.map((r) => r.code))).toEqual(new Set(['status_unavailable']));

    // A new incident starts at 24 h unless its creator sets otherwise.
    const created = await createIncident(world.http, world.adminToken, { name: 'Limit set at creation', offlineStatusMaxAgeHours: 72 });
    const view = await request(world.http)
      .get(`/incidents/${created.id}`)
      .set(...bearer(world.adminToken))
      .expect(200);
    expect(view.body.offlineStatusMaxAgeHours).toBe(72);
    const fresh = await request(world.http)
      .get(`/incidents/${other.id}`)
      .set(...bearer(world.adminToken))
      .expect(200);
    expect(fresh.body.offlineStatusMaxAgeHours).toBe(24);
  });
});
