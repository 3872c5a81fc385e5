import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import request from 'supertest';
import { REVERIFY_TEST_ENV, startWorker, sweepOnce } from './support/reverification';
import { bearer, createUser } from './support/test-app';
import { createIncident, DEFAULT_TRUST, staffFor, startWorld, type IncidentFixture, type World } from './support/world';

const DAY = 86_400_000;
const iso = (offsetDays: number): string => new Date(Date.now() + offsetDays * DAY).toISOString();

/** Florida rules in force now: the NLC with Texas, an EMAC mission from Georgia, an order narrowing LPN practice. */
function floridaRules(): Record<string, unknown> {
  return {
    format: 'responder-checkin/practice-rules',
    version: 1,
    publisher: 'Florida Division of Emergency Management',
    compacts: [
      {
        id: 'NLC',
        professions: ['RN', 'LPN'],
        requiresMultistate: true,
        members: [
          { state: 'US-TX', from: '2000-01-01T00:00:00Z', until: null },
          { state: 'US-FL', from: '2018-01-19T00:00:00Z', until: null },
        ],
      },
    ],
    missions: [
      {
        id: 'FL-2026-0142',
        requestingState: 'US-FL',
        assistingState: 'US-GA',
        requestNumber: 'REQ-A-0142',
        signedAt: iso(-2),
        order: 'EO 26-117',
        professions: ['PARAMEDIC', 'EMT'],
        from: iso(-1),
        until: iso(30),
        roster: ['GA-PM-1001'],
        conditions: [],
      },
    ],
    orders: [
      {
        id: 'EO 26-118',
        state: 'US-FL',
        issuedBy: 'Florida Department of Health',
        effect: 'restrict',
        professions: ['LPN'],
        homeStates: [],
        from: iso(-1),
        until: iso(30),
        conditions: ['only in shelters'],
        suspends: false,
      },
    ],
  };
}

describe('practice authority: rules as versioned data, and the third check-in question', () => {
  let world: World;
  let incident: IncidentFixture;
  let checkin: { id: string; token: string };
  let auditor: { token: string };

  const issue = (slug: string, qualification: string, name: string, extra: Record<string, unknown> = {}) =>
    world.issuer.board(slug).issue({ format: 'vc+jwt', qualification, subject: { name }, ...extra });
  const scan = (credential: string, extra: Record<string, unknown> = {}) =>
    request(world.http)
      .post(`/incidents/${incident.id}/check-ins`)
      .set(...bearer(checkin.token))
      .set('Idempotency-Key', randomUUID())
      .send({ credential, ...extra })
      .expect(201);
  const importRules = (document: unknown, token = world.adminToken) =>
    request(world.http)
      .put('/practice-authority/rules')
      .set(...bearer(token))
      .send(document as object);

  beforeAll(async () => {
    world = await startWorld('authority', {
      env: REVERIFY_TEST_ENV,
      trust: [
        ...DEFAULT_TRUST,
        { slug: 'ga-ems', jurisdictions: ['US-GA'], qualifications: ['PARAMEDIC', 'EMT'] },
        { slug: 'tx-nursing', jurisdictions: ['US-TX'], qualifications: ['RN', 'LPN'] },
      ],
    });
    incident = await createIncident(world.http, world.adminToken);
    checkin = await staffFor(world.http, world.adminToken, incident.id, 'checkin');
    auditor = await createUser(world.http, world.adminToken, 'auditor', { jurisdictions: ['US-FL'] });
  });
  afterAll(() => world?.close());

  it('before any rules: a home-state licence is the basis, out-of-state boards are not trusted, the level is computed', async () => {
    const empty = await request(world.http)
      .get('/practice-authority/rules')
      .set(...bearer(auditor.token))
      .expect(200);
    expect(empty.body).toMatchObject({ format: 'responder-checkin/practice-rules', compacts: [], missions: [], orders: [] });
    const fl = await scan((await issue('fl-nursing', 'RN', 'Flo Rida')).jws);
    expect(fl.body).toMatchObject({
      decision: 'admitted',
      practiceAuthority: {
        authorized: true,
        basis: { kind: 'home_state_licence', text: 'RN licensed in FL.', ruleId: null },
        level: { level: 3, rule: 'level 3: RN licence verified (meets the basic requirements to practise)' },
        ruleSetVersion: 0,
      },
    });
    const tx = await scan((await issue('tx-nursing', 'RN', 'Tex Early', { multistate: true })).jws);
    expect(tx.body.decision).toBe('denied');
    expect(tx.body.reasons[0].code).toBe('issuer_not_authorized');
    expect(tx.body.practiceAuthority).toBeNull();
  });

  it('refuses a bad document with the field named, and changes nothing', async () => {
    const bad = floridaRules();
    (bad.missions as Array<Record<string, unknown>>)[0].until = iso(-3);
    (bad.orders as Array<Record<string, unknown>>)[0].professions = ['WIZARD'];
    const res = await importRules(bad).expect(422);
    expect(res.body.code).toBe('practice_rules_invalid');
    const fields = (res.body.errors as Array<{ field: string }>).map((e) => e.field);
    expect(fields).toContain('orders.0.professions.0');
    const unknownState = floridaRules();
    (unknownState.compacts as Array<{ members: Array<{ state: string }> }>)[0].members[0].state = 'US-ZZ';
    expect((await importRules(unknownState).expect(422)).body.errors).toEqual([expect.objectContaining({ field: 'compacts.0.members.0.state' })]);
    const reversed = floridaRules();
    (reversed.missions as Array<Record<string, unknown>>)[0].until = iso(-3);
    expect((await importRules(reversed).expect(422)).body.errors).toContainEqual({ field: 'missions.0.until', message: 'must be after from' });
    await importRules(floridaRules(), auditor.token).expect(403);
    const versions = await request(world.http)
      .get('/practice-authority/rules/versions')
      .set(...bearer(world.adminToken))
      .expect(200);
    expect(versions.body).toEqual([]);
  });

  it('imports a version with its audit entry, exports it back unchanged, and versions each import', async () => {
    const document = floridaRules();
    const first = await importRules(document).expect(200);
    expect(first.body).toMatchObject({
      version: 1,
      compacts: 1,
      missions: 1,
      orders: 1,
      added: ['compact NLC', 'mission FL-2026-0142', 'order EO 26-118'],
      changed: [],
      removed: [],
    });
    const exported = await request(world.http)
      .get('/practice-authority/rules')
      .set(...bearer(auditor.token))
      .expect(200);
    expect(exported.body).toEqual(document);
    const again = await importRules(exported.body).expect(200);
    expect(again.body).toMatchObject({ version: 2, digest: first.body.digest, added: [], changed: [], removed: [] });
    const versions = await request(world.http)
      .get('/practice-authority/rules/versions')
      .set(...bearer(auditor.token))
      .expect(200);
    expect(versions.body.map((v: { version: number }) => v.version)).toEqual([2, 1]);
    const old = await request(world.http)
      .get('/practice-authority/rules?version=1')
      .set(...bearer(auditor.token))
      .expect(200);
    expect(old.body).toEqual(document);
    await request(world.http)
      .get('/practice-authority/rules?version=9')
      .set(...bearer(auditor.token))
      .expect(404);
    await request(world.http)
      .get('/practice-authority/rules?version=zero')
      .set(...bearer(auditor.token))
      .expect(400);

    const db = new Client({ connectionString: world.env.dbUrl });
    await db.connect();
    try {
      const { rows } = await db.query(`SELECT target_id, payload FROM audit_entry WHERE action = 'practice_rules.imported' ORDER BY seq`);
      expect(rows.map((r) => r.target_id)).toEqual(['1', '2']);
      expect(rows[0].payload).toMatchObject({ digest: first.body.digest, publisher: 'Florida Division of Emergency Management' });
    } finally {
      await db.end();
    }
  });

  it('answers "may this person practise here now, and on what basis", with evidence in the audit trail', async () => {
    const multistate = await scan((await issue('tx-nursing', 'RN', 'Tex Multi', { multistate: true })).jws);
    expect(multistate.body).toMatchObject({
      decision: 'admitted',
      practiceAuthority: {
        authorized: true,
        basis: { kind: 'compact', ruleId: 'NLC', text: 'multistate RN licence (NLC, home state TX).' },
        ruleSetVersion: 2,
      },
    });

    const single = await scan((await issue('tx-nursing', 'RN', 'Tex Single', { multistate: false })).jws);
    expect(single.body).toMatchObject({
      decision: 'denied',
      reasons: [
        {
          code: 'no_practice_authority',
          message:
            'No basis to practise as RN in FL (licensed in TX): nearest rule NLC, the Nurse Licensure Compact needs a multistate licence; this TX licence is single-state.',
        },
      ],
      practiceAuthority: { authorized: false, basis: null, nearest: { kind: 'compact', ruleId: 'NLC' } },
      responder: null,
      deployment: null,
    });

    const lpn = await scan((await issue('tx-nursing', 'LPN', 'Tex Shelter', { multistate: true })).jws);
    expect(lpn.body.practiceAuthority.basis).toEqual({
      kind: 'compact',
      ruleId: 'NLC',
      text: 'multistate LPN licence (NLC, home state TX); only in shelters (EO 26-118).',
      until: null,
      conditions: ['only in shelters (EO 26-118)'],
    });

    const medic = (await issue('ga-ems', 'PARAMEDIC', 'Peach Medic')).jws;
    const unlinked = await scan(medic);
    expect(unlinked.body.decision).toBe('denied');
    expect(unlinked.body.practiceAuthority.nearest).toMatchObject({ kind: 'emac_mission', ruleId: 'FL-2026-0142' });
    const linked = await scan(medic, { ics211: { orderRequestNumber: 'REQ-A-0142' } });
    expect(linked.body.decision).toBe('admitted');
    expect(linked.body.practiceAuthority.basis.text).toMatch(
      /^PARAMEDIC licensed in GA; practising in FL under EMAC mission FL-2026-0142 \(REQ-A-0142 signed \d{4}-\d{2}-\d{2}, order EO 26-117, until \d{4}-\d{2}-\d{2}\)\.$/,
    );
    const rostered = await scan((await issue('ga-ems', 'EMT', 'Roster Emt', { licenseNumber: 'GA-PM-1001' })).jws);
    expect(rostered.body.practiceAuthority.basis).toMatchObject({ kind: 'emac_mission', ruleId: 'FL-2026-0142' });

    // A position can ask for a basis or a level.
    const positions = await request(world.http)
      .patch(`/incidents/${incident.id}`)
      .set(...bearer(world.adminToken))
      .send({ addPositions: [{ name: 'Hospital Medic', requiredQualifications: ['PARAMEDIC'], requiredBasis: ['home_state_licence'], requiredLevel: 2 }] })
      .expect(200);
    const hospitalMedic = positions.body.positions.find((p: { name: string }) => p.name === 'Hospital Medic');
    expect(hospitalMedic).toMatchObject({ requiredBasis: ['home_state_licence'], requiredLevel: 2 });
    const refused = await scan((await issue('ga-ems', 'PARAMEDIC', 'Ward Medic')).jws, {
      positionId: hospitalMedic.id,
      ics211: { orderRequestNumber: 'FL-2026-0142' },
    });
    expect(refused.body).toMatchObject({ decision: 'denied', reasons: [{ code: 'basis_not_accepted' }] });
    const floridian = await scan((await issue('fl-ems', 'PARAMEDIC', 'Local Medic')).jws, { positionId: hospitalMedic.id });
    expect(floridian.body).toMatchObject({ decision: 'denied', reasons: [{ code: 'level_too_low' }] });
    await request(world.http)
      .patch(`/incidents/${incident.id}`)
      .set(...bearer(world.adminToken))
      .send({ addPositions: [{ name: 'Bad', requiredQualifications: ['RN'], requiredBasis: ['vibes'], requiredLevel: 9 }] })
      .expect(400);

    // A national certification is not a state licence once rules govern the state.
    const national = await scan((await issue('nremt', 'PARAMEDIC', 'Nat Registry')).jws);
    expect(national.body.reasons[0].code).toBe('no_practice_authority');
    const usar = await scan((await issue('fema-usar', 'USAR_TECH', 'Rescue Tech')).jws);
    expect(usar.body).toMatchObject({ decision: 'admitted', practiceAuthority: { basis: { kind: 'not_licensed' }, level: { level: 4 } } });

    const db = new Client({ connectionString: world.env.dbUrl });
    await db.connect();
    try {
      const { rows } = await db.query(`SELECT payload FROM audit_entry WHERE action = 'checkin.admitted' AND payload->>'attemptId' = $1`, [
        linked.body.attemptId,
      ]);
      expect(rows[0].payload.practiceAuthority).toMatchObject({ authorized: true, basis: { kind: 'emac_mission', ruleId: 'FL-2026-0142' }, ruleSetVersion: 2 });
    } finally {
      await db.end();
    }
  });

  it('keeps basis and level with the deployment: the roster counts and filters by level, the report and its CSV show the basis', async () => {
    const commander = await staffFor(world.http, world.adminToken, incident.id, 'commander');
    const roster = await request(world.http)
      .get(`/incidents/${incident.id}/roster`)
      .set(...bearer(commander.token))
      .expect(200);
    const medic = roster.body.entries.find((e: { responder: { name: string } }) => e.responder.name === 'Peach Medic');
    expect(medic.practiceAuthority).toMatchObject({ basis: { kind: 'emac_mission', ruleId: 'FL-2026-0142' }, level: { level: 3 } });
    expect(roster.body.counts.byLevel).toEqual({ '3': 5, '4': 1 });
    const level4 = await request(world.http)
      .get(`/incidents/${incident.id}/roster?level=4`)
      .set(...bearer(commander.token))
      .expect(200);
    expect(level4.body.entries.map((e: { responder: { name: string } }) => e.responder.name)).toEqual(['Rescue Tech']);
    await request(world.http)
      .get(`/incidents/${incident.id}/roster?level=7`)
      .set(...bearer(commander.token))
      .expect(400);

    const report = await request(world.http)
      .get(`/reports/incidents/${incident.id}/deployments`)
      .set(...bearer(world.adminToken))
      .expect(200);
    const tex = report.body.deployments.find((d: { responder: { name: string } }) => d.responder.name === 'Tex Multi');
    expect(tex.practiceAuthority).toMatchObject({
      basis: 'multistate RN licence (NLC, home state TX).',
      kind: 'compact',
      ruleId: 'NLC',
      level: 3,
      ruleSetVersion: 2,
    });
    const csv = await request(world.http)
      .get(`/reports/incidents/${incident.id}/deployments?format=csv`)
      .set(...bearer(world.adminToken))
      .expect(200);
    const [header, ...lines] = csv.text.trim().split(/\r?\n/);
    expect(header.split(',').slice(-4)).toEqual(['practice_basis', 'practice_rule', 'practice_rule_set_version', 'esar_vhp_level']);
    expect(lines.find((l) => l.includes('Tex Multi'))).toMatch(/"multistate RN licence \(NLC, home state TX\)\.",NLC,2,3$/);
  });

  it('reverification follows the basis: a mission that ends flags its responders like a revocation; extended, the flag clears', async () => {
    const worker = await startWorker(world.env.env);
    const flags = async (): Promise<Record<string, string | null>> => {
      const roster = await request(world.http)
        .get(`/incidents/${incident.id}/roster`)
        .set(...bearer(world.adminToken))
        .expect(200);
      return Object.fromEntries(
        roster.body.entries.map((e: { responder: { name: string }; credentialFlag: { code: string } | null }) => [
          e.responder.name,
          e.credentialFlag?.code ?? null,
        ]),
      );
    };
    try {
      const ended = floridaRules();
      Object.assign((ended.missions as Array<Record<string, unknown>>)[0], { from: iso(-3), until: iso(-0.01) });
      await importRules(ended).expect(200);
      const run = await sweepOnce(world.http, world.adminToken);
      expect(run.state).toBe('completed');
      expect(await flags()).toMatchObject({
        'Peach Medic': 'mission_ended',
        'Roster Emt': 'mission_ended',
        'Tex Multi': null,
        'Flo Rida': null,
        'Rescue Tech': null,
      });
      const db = new Client({ connectionString: world.env.dbUrl });
      await db.connect();
      try {
        const { rows } = await db.query(`SELECT payload FROM audit_entry WHERE action = 'credential.flagged' AND payload->'flag'->>'code' = 'mission_ended'`);
        expect(rows).toHaveLength(2);
        expect(JSON.stringify(rows[0].payload)).toContain('EMAC mission FL-2026-0142 ended');
      } finally {
        await db.end();
      }

      await importRules(floridaRules()).expect(200);
      await sweepOnce(world.http, world.adminToken);
      expect(await flags()).toMatchObject({ 'Peach Medic': null, 'Roster Emt': null });
    } finally {
      await worker.close();
    }
  });
});
