import { Client } from 'pg';
import request from 'supertest';
import { ADMIN, bearer, createTestEnv, createUser, signIn, startApi, type TestApi, type TestEnv } from './support/test-app';

/** The trust registry admin API: CRUD with audit entries, roles, the trust-list document and its round trip. */
describe('trust registry', () => {
  let env: TestEnv;
  let api: TestApi;
  let admin: string;
  let auditor: string;
  let checkin: string;
  let db: Client;

  const nursing = {
    id: 'did:web:boards.example.org:fl:nursing',
    name: 'Florida Board of Nursing',
    jurisdictions: ['US-FL'],
    qualifications: ['RN', 'LPN', 'APRN'],
  };
  const path = (id: string) => `/trust/issuers/${encodeURIComponent(id)}`;

  beforeAll(async () => {
    env = await createTestEnv('trust');
    api = await startApi(env.env);
    admin = await signIn(api.http, ADMIN.email, ADMIN.password);
    auditor = (await createUser(api.http, admin, 'auditor', { jurisdictions: ['US-FL'] })).token;
    checkin = (await createUser(api.http, admin, 'checkin')).token;
    db = new Client({ connectionString: env.dbUrl });
    await db.connect();
  });
  afterAll(async () => {
    await db?.end();
    await api?.close();
    await env?.drop();
  });

  const auditActions = async (): Promise<Array<{ action: string; target_id: string; actor: { kind: string; role: string; userId: string } }>> =>
    (await db.query(`SELECT action, target_id, actor FROM audit_entry WHERE action LIKE 'trust.%' ORDER BY id`)).rows;

  it('seeds the default qualification rules', async () => {
    const res = await request(api.http)
      .get('/trust/qualifications')
      .set(...bearer(checkin))
      .expect(200);
    const byCode = Object.fromEntries((res.body as Array<{ code: string; name: string; rules: unknown[] }>).map((q) => [q.code, q]));
    expect(Object.keys(byCode)).toEqual(['RN', 'LPN', 'APRN', 'MD', 'PARAMEDIC', 'EMT', 'USAR_TECH']);
    expect(byCode.RN.rules).toEqual([{ achievementTypes: ['License'], achievementName: 'Registered Nurse' }]);
    expect(byCode.PARAMEDIC.rules).toEqual([{ achievementTypes: ['License', 'Certification'], achievementName: 'Paramedic' }]);
    expect(byCode.USAR_TECH.rules).toEqual([{ achievementTypes: ['Certification'], achievementName: 'Structural Collapse Rescue Technician' }]);
  });

  it('creates, reads, updates and retires issuers; every write is audited in the same transaction', async () => {
    const created = await request(api.http)
      .post('/trust/issuers')
      .set(...bearer(admin))
      .send(nursing)
      .expect(201);
    expect(created.body).toMatchObject({ ...nursing, algorithms: ['ES256', 'ES384', 'EdDSA'], retiredAt: null, active: true });
    await request(api.http)
      .post('/trust/issuers')
      .set(...bearer(admin))
      .send(nursing)
      .expect(409);

    const got = await request(api.http)
      .get(path(nursing.id))
      .set(...bearer(auditor))
      .expect(200);
    expect(got.body.name).toBe('Florida Board of Nursing');

    const updated = await request(api.http)
      .patch(path(nursing.id))
      .set(...bearer(admin))
      .send({ name: 'Florida Board of Nursing (DOH)', algorithms: ['ES256', 'RS256'], validUntil: '2030-01-01T00:00:00Z' })
      .expect(200);
    expect(updated.body).toMatchObject({
      name: 'Florida Board of Nursing (DOH)',
      algorithms: ['ES256', 'RS256'],
      validUntil: '2030-01-01T00:00:00.000Z',
      jurisdictions: ['US-FL'],
    });

    const retired = await request(api.http)
      .post(`${path(nursing.id)}/retire`)
      .set(...bearer(admin))
      .send({ reason: 'merged' })
      .expect(200);
    expect(retired.body).toMatchObject({ active: false, retiredAt: expect.any(String) });
    await request(api.http)
      .post(`${path(nursing.id)}/retire`)
      .set(...bearer(admin))
      .send({})
      .expect(409);

    const entries = await auditActions();
    expect(entries.map((e) => e.action)).toEqual(['trust.issuer_created', 'trust.issuer_updated', 'trust.issuer_retired']);
    expect(entries.every((e) => e.target_id === nursing.id && e.actor.kind === 'user' && e.actor.role === 'admin')).toBe(true);
    const updatedEntry = await db.query(`SELECT payload FROM audit_entry WHERE action = 'trust.issuer_updated'`);
    expect(updatedEntry.rows[0].payload.changed).toEqual(expect.arrayContaining(['name', 'algorithms', 'validUntil']));
  });

  it('refuses bad entries with field errors, unknown qualifications with 422, unknown issuers with 404', async () => {
    const bad = await request(api.http)
      .post('/trust/issuers')
      .set(...bearer(admin))
      .send({ id: 'not a did', name: '', jurisdictions: ['Florida'], qualifications: [], algorithms: ['HS256'] })
      .expect(400);
    expect((bad.body.errors as Array<{ field: string }>).map((e) => e.field)).toEqual(expect.arrayContaining(['id', 'name', 'jurisdictions', 'algorithms']));
    await request(api.http)
      .post('/trust/issuers')
      .set(...bearer(admin))
      .send({ ...nursing, id: 'did:web:x.example', qualifications: ['PILOT'] })
      .expect(422);
    await request(api.http)
      .get(path('did:web:nobody.example'))
      .set(...bearer(admin))
      .expect(404);
    await request(api.http)
      .patch(path('did:web:nobody.example'))
      .set(...bearer(admin))
      .send({ name: 'x' })
      .expect(404);
    await request(api.http)
      .post('/trust/issuers')
      .set(...bearer(admin))
      .send({ ...nursing, id: 'did:web:y.example', validFrom: '2030-01-01T00:00:00Z', validUntil: '2029-01-01T00:00:00Z' })
      .expect(400);
  });

  it('reads for admin and auditor, writes for admin only', async () => {
    await request(api.http)
      .get('/trust/issuers')
      .set(...bearer(auditor))
      .expect(200);
    await request(api.http)
      .get('/trust/list')
      .set(...bearer(auditor))
      .expect(200);
    await request(api.http)
      .get('/trust/issuers')
      .set(...bearer(checkin))
      .expect(403);
    await request(api.http)
      .post('/trust/issuers')
      .set(...bearer(auditor))
      .send({ ...nursing, id: 'did:web:z.example' })
      .expect(403);
    await request(api.http)
      .put('/trust/list')
      .set(...bearer(checkin))
      .send({})
      .expect(403);
    await request(api.http).get('/trust/issuers').expect(401);
  });

  it('filters by jurisdiction (US covers US-FL) and qualification', async () => {
    await request(api.http)
      .post('/trust/issuers')
      .set(...bearer(admin))
      .send({ id: 'https://registry.example.org', name: 'National Registry', jurisdictions: ['US'], qualifications: ['EMT', 'PARAMEDIC'] })
      .expect(201);
    const fl = await request(api.http)
      .get('/trust/issuers?jurisdiction=US-FL&qualification=EMT')
      .set(...bearer(admin))
      .expect(200);
    expect(fl.body.map((i: { id: string }) => i.id)).toEqual(['https://registry.example.org']);
    const active = await request(api.http)
      .get('/trust/issuers?includeRetired=false')
      .set(...bearer(admin))
      .expect(200);
    expect(active.body.map((i: { id: string }) => i.id)).not.toContain(nursing.id);
  });

  it('export then import gives the same registry (issuers, retirements, qualifications and rules)', async () => {
    const exported = (
      await request(api.http)
        .get('/trust/list')
        .set(...bearer(admin))
        .expect(200)
    ).body;
    expect(exported).toMatchObject({ format: 'responder-checkin/trust-list', version: 1 });
    expect(exported.issuers).toHaveLength(2);

    // Change the registry, then put the exported document back.
    await request(api.http)
      .post('/trust/issuers')
      .set(...bearer(admin))
      .send({ id: 'did:web:extra.example', name: 'Extra', jurisdictions: ['US-GA'], qualifications: ['RN'] })
      .expect(201);
    await request(api.http)
      .patch(path('https://registry.example.org'))
      .set(...bearer(admin))
      .send({ jurisdictions: ['US-AL'] })
      .expect(200);
    const summary = await request(api.http)
      .put('/trust/list')
      .set(...bearer(admin))
      .send(exported)
      .expect(200);
    expect(summary.body).toMatchObject({
      issuers: 2,
      qualifications: 7,
      added: [],
      updated: ['https://registry.example.org'],
      removed: ['did:web:extra.example'],
    });

    const again = (
      await request(api.http)
        .get('/trust/list')
        .set(...bearer(admin))
        .expect(200)
    ).body;
    const strip = (d: { issuedAt?: string }) => ({ ...d, issuedAt: undefined });
    expect(strip(again)).toEqual(strip(exported));
    const imported = await db.query(`SELECT payload FROM audit_entry WHERE action = 'trust.list_imported'`);
    expect(imported.rows[0].payload).toMatchObject({ removed: ['did:web:extra.example'], digest: expect.stringMatching(/^[0-9a-f]{64}$/) });
  });

  it('a list with new qualifications and rules replaces the old ones; an invalid list changes nothing', async () => {
    const before = (
      await request(api.http)
        .get('/trust/list')
        .set(...bearer(admin))
    ).body;
    const invalid = await request(api.http)
      .put('/trust/list')
      .set(...bearer(admin))
      .send({ ...before, version: 2 })
      .expect(422);
    expect(invalid.body.code).toBe('trust_list_invalid');
    const dangling = await request(api.http)
      .put('/trust/list')
      .set(...bearer(admin))
      .send({ ...before, issuers: [{ ...before.issuers[0], qualifications: ['PILOT'] }] })
      .expect(422);
    expect(dangling.body.errors[0]).toMatchObject({ field: 'issuers.0.qualifications' });
    expect(
      (
        await request(api.http)
          .get('/trust/list')
          .set(...bearer(admin))
      ).body.issuers,
    ).toEqual(before.issuers);

    const next = {
      ...before,
      qualifications: [
        ...before.qualifications,
        {
          code: 'PHARMACIST',
          name: 'Pharmacist',
          rules: [{ achievementId: 'https://boards.example.org/fl/pharmacy/rph' }, { credentialType: 'PharmacistLicense' }],
        },
      ],
      issuers: [
        ...before.issuers,
        { id: 'did:web:boards.example.org:fl:pharmacy', name: 'Florida Board of Pharmacy', jurisdictions: ['US-FL'], qualifications: ['PHARMACIST'] },
      ],
    };
    await request(api.http)
      .put('/trust/list')
      .set(...bearer(admin))
      .send(next)
      .expect(200);
    const qualifications = (
      await request(api.http)
        .get('/trust/qualifications')
        .set(...bearer(admin))
    ).body;
    expect(qualifications.at(-1)).toEqual(next.qualifications.at(-1));
  });
});
