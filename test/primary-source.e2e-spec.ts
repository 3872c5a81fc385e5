import request from 'supertest';
import { signNotice, startLicenceBoard, type LicenceBoard } from '../apps/licence-board/src';
import { REFUSED_NOTICES_RECORDED_PER_MINUTE } from '@app/primary-source';
import { withDb } from './support/reverification';
import { awayFromMinuteEdge, bearer, freePort } from './support/test-app';
import { createIncident, staffFor, startWorld, type IncidentFixture, type World } from './support/world';

jest.setTimeout(120_000);

const SECRET = 'enotify-shared-secret-for-tests';

interface CheckInBody {
  decision: string;
  reasons: Array<{ code: string; message: string }>;
  alreadyCheckedIn: boolean;
  responder: { id: string; name: string } | null;
  deployment: { id: string; credential: { qualification: string | null; licenseNumber: string | null } } | null;
  verification: {
    verified: boolean;
    evidence: {
      primarySource?: {
        source: string;
        result: string;
        cached: boolean;
        lookedUpAt: string;
        responseHash: string | null;
        detail?: string;
        request: { state: string; profession: string; licenceNumberHash: string };
        identity?: { statement: string; confirmedBy: { userId: string; name: string } };
        assurance: string;
      };
    };
  };
}

describe('primary-source licence checks against the simulated board', () => {
  let board: LicenceBoard;
  let world: World;
  let incident: IncidentFixture;
  let checkin: { id: string; token: string };
  let commander: { id: string; token: string };

  beforeAll(async () => {
    board = await startLicenceBoard({ noticeSecret: SECRET, latencyMs: 5 });
    const port = await freePort();
    const sources = [
      {
        id: 'nursys',
        kind: 'nursys',
        name: 'Nurse licensure database',
        baseUrl: board.url,
        states: ['FL', 'GA', 'TX', 'NC'],
        professions: ['RN', 'LPN', 'APRN'],
        noticeSecret: SECRET,
        freshnessSeconds: 300,
        timeoutMs: 1000,
      },
      {
        id: 'fl-ems',
        kind: 'state-board',
        name: 'Florida Bureau of EMS',
        baseUrl: board.url,
        states: ['FL'],
        professions: ['PARAMEDIC', 'EMT', 'MD'],
        freshnessSeconds: 0,
        timeoutMs: 500,
      },
      {
        id: 'tx-board',
        kind: 'state-board',
        name: 'Texas licensing boards',
        baseUrl: board.url,
        states: ['TX'],
        professions: ['PARAMEDIC', 'MD'],
        freshnessSeconds: 0,
        rateLimitPerMinute: 2,
      },
    ];
    world = await startWorld('primary_source', {
      listen: true,
      port,
      env: { PRIMARY_SOURCES: JSON.stringify(sources), PRIMARY_SOURCE_NOTICE_URL: `http://127.0.0.1:${port}`, CHECKIN_RATE_LIMIT_PER_MINUTE: '1000' },
    });
    incident = await createIncident(world.http, world.adminToken);
    checkin = await staffFor(world.http, world.adminToken, incident.id, 'checkin');
    commander = await staffFor(world.http, world.adminToken, incident.id, 'commander');
  });

  afterAll(async () => {
    await world?.close();
    await board?.close();
  });

  const licenceCheckIn = async (body: Record<string, unknown>, incidentId = incident.id): Promise<request.Response> =>
    request(world.http)
      .post(`/incidents/${incidentId}/check-ins/licence`)
      .set(...bearer(checkin.token))
      .send({ twoFormsOfIdSeen: true, ...body });

  const deployment = async (id: string): Promise<{ credentialFlag: { code: string } | null; status: string; statusReason: string | null }> => {
    const res = await request(world.http)
      .get(`/incidents/${incident.id}/deployments/${id}`)
      .set(...bearer(world.adminToken));
    expect(res.status).toBe(200);
    return res.body as { credentialFlag: { code: string } | null; status: string; statusReason: string | null };
  };

  const auditEntries = async (action: string, incidentId?: string): Promise<Array<{ action: string; payload: Record<string, unknown> }>> => {
    const res = await request(world.http)
      .get('/audit/entries')
      .query({ action, ...(incidentId ? { incidentId } : {}) })
      .set(...bearer(world.adminToken));
    expect(res.status).toBe(200);
    return (res.body as { entries: Array<{ action: string; payload: Record<string, unknown> }> }).entries;
  };

  it('admits a licensed nurse verified with the primary source, with the lookup as evidence in the response and the audit trail', async () => {
    const res = await licenceCheckIn({ licenceNumber: 'rn 987-6543', state: 'FL', profession: 'RN', positionId: incident.positions['Triage Nurse'] });
    expect(res.status).toBe(201);
    const body = res.body as CheckInBody;
    expect(body.decision).toBe('admitted');
    expect(body.responder?.name).toBe('Maria Delgado');
    expect(body.deployment?.credential.qualification).toBe('RN');
    const ps = body.verification.evidence.primarySource!;
    expect(ps).toMatchObject({ source: 'nursys', result: 'licensed', cached: false, request: { state: 'FL', profession: 'RN' } });
    expect(ps.request.licenceNumberHash).toMatch(/^[0-9a-f]{64}$/);
    expect(ps.responseHash).toMatch(/^[0-9a-f]{64}$/);
    expect(ps.identity).toMatchObject({ statement: 'Two forms of ID seen', confirmedBy: { userId: checkin.id } });
    expect(ps.assurance).toContain(`Verified with the primary source (Nurse licensure database) at ${ps.lookedUpAt}`);
    expect(ps.assurance).toContain('ranks below a verified signed credential');

    const [entry] = await auditEntries('checkin.admitted', incident.id);
    const evidence = entry.payload.primarySource as Record<string, unknown>;
    expect(evidence).toMatchObject({ source: 'nursys', result: 'licensed', responseHash: ps.responseHash, request: ps.request });
    // The licence number itself is not in the lookup's evidence, only its keyed hash.
    expect(JSON.stringify(evidence)).not.toContain('9876543');
  });

  it('answers a second check-in of the same licence from the cache within the source’s stated freshness', async () => {
    const before = board.stats().nursys;
    const res = await licenceCheckIn({ licenceNumber: 'RN9876543', state: 'FL', profession: 'RN' });
    expect(res.status).toBe(201);
    const body = res.body as CheckInBody;
    expect(body.alreadyCheckedIn).toBe(true);
    expect(body.verification.evidence.primarySource).toMatchObject({ result: 'licensed', cached: true });
    expect(board.stats().nursys).toBe(before);
  });

  it('denies expired, suspended, revoked and unknown licences, and requires the two-IDs statement', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ licenceNumber: 'PN3332211', state: 'FL', profession: 'LPN' }, 'expired'],
      [{ licenceNumber: 'RN314159', state: 'GA', profession: 'RN' }, 'suspended'],
      [{ licenceNumber: '1187342', state: 'NC', profession: 'RN' }, 'revoked'],
      [{ licenceNumber: 'RN0000000', state: 'FL', profession: 'RN' }, 'licence_not_found'],
      [{ licenceNumber: 'PMD500012', state: 'FL', profession: 'PARAMEDIC' }, 'expired'],
      [{ licenceNumber: 'NOPE123', state: 'FL', profession: 'PARAMEDIC' }, 'licence_not_found'],
    ];
    for (const [query, code] of cases) {
      const res = await licenceCheckIn(query);
      expect(res.status).toBe(201);
      const body = res.body as CheckInBody;
      expect({ query, decision: body.decision, codes: body.reasons.map((r) => r.code) }).toEqual({ query, decision: 'denied', codes: [code] });
      expect(body.deployment).toBeNull();
      expect(body.verification.evidence.primarySource?.result).toBe(code === 'licence_not_found' ? 'not_found' : 'not_licensed');
    }
    const unconfirmed = await licenceCheckIn({ licenceNumber: 'RN271828', state: 'GA', profession: 'RN', twoFormsOfIdSeen: false });
    expect(unconfirmed.status).toBe(422);
    expect(unconfirmed.body.code).toBe('identity_not_confirmed');
    const unsupported = await licenceCheckIn({ licenceNumber: 'X1', state: 'WA', profession: 'RN' });
    expect(unsupported.status).toBe(422);
    expect(unsupported.body.code).toBe('primary_source_not_configured');
  });

  it('never admits on a timeout or error: the incident’s policy denies, or admits to non-clinical work with a warning', async () => {
    board.injectFault('state-board', 'timeout', 1);
    const denied = await licenceCheckIn({ licenceNumber: 'PMD522871', state: 'FL', profession: 'PARAMEDIC' });
    expect((denied.body as CheckInBody).decision).toBe('denied');
    expect((denied.body as CheckInBody).reasons.map((r) => r.code)).toEqual(['primary_source_unavailable']);
    expect((denied.body as CheckInBody).verification.evidence.primarySource).toMatchObject({ result: 'indeterminate', detail: 'timeout' });

    const set = await request(world.http)
      .put(`/incidents/${incident.id}/primary-source-policy`)
      .set(...bearer(commander.token))
      .send({ acceptPrimarySource: true, onIndeterminate: 'non_clinical_with_warning', signedCredentialPositions: [incident.positions['Rescue Specialist']] });
    expect(set.status).toBe(200);
    expect((await auditEntries('primary_source.policy_set', incident.id)).length).toBe(1);

    board.injectFault('state-board', 'error', 1);
    const clinical = await licenceCheckIn({ licenceNumber: 'PMD522871', state: 'FL', profession: 'PARAMEDIC', positionId: incident.positions.Paramedic });
    expect((clinical.body as CheckInBody).decision).toBe('denied');
    expect((clinical.body as CheckInBody).verification.evidence.primarySource).toMatchObject({ result: 'indeterminate', detail: 'error 503' });

    for (const mode of ['garbage', 'oversized'] as const) {
      board.injectFault('state-board', mode, 1);
      const res = await licenceCheckIn({ licenceNumber: 'PMD522871', state: 'FL', profession: 'PARAMEDIC', positionId: incident.positions.Paramedic });
      expect((res.body as CheckInBody).decision).toBe('denied');
      expect((res.body as CheckInBody).verification.evidence.primarySource?.result).toBe('indeterminate');
    }

    board.injectFault('state-board', 'timeout', 1);
    const support = await licenceCheckIn({ licenceNumber: 'PMD522871', state: 'FL', profession: 'PARAMEDIC', name: 'Luis Herrera' });
    const body = support.body as CheckInBody;
    expect(body.decision).toBe('admitted_with_warnings');
    expect(body.reasons.map((r) => r.code)).toEqual(['primary_source_unavailable']);
    expect(body.responder?.name).toBe('Luis Herrera');
    // An unconfirmed licence qualifies for nothing.
    expect(body.deployment?.credential.qualification).toBeNull();

    const reserved = await licenceCheckIn({
      licenceNumber: 'P-44120',
      state: 'FL',
      profession: 'PARAMEDIC',
      positionId: incident.positions['Rescue Specialist'],
    });
    expect(reserved.status).toBe(422);
    expect(reserved.body.code).toBe('primary_source_not_accepted');
  });

  it('counts lookups against each source’s rate limit: over it, the lookup is not made and is indeterminate', async () => {
    await awayFromMinuteEdge();
    const other = await createIncident(world.http, world.adminToken, { jurisdiction: 'US-TX' });
    const asAdmin = (licenceNumber: string): Promise<request.Response> =>
      request(world.http)
        .post(`/incidents/${other.id}/check-ins/licence`)
        .set(...bearer(world.adminToken))
        .send({ twoFormsOfIdSeen: true, licenceNumber, state: 'TX', profession: 'PARAMEDIC' });
    const before = board.stats().stateBoard;
    const first = await asAdmin('1203344');
    const second = await asAdmin('1203344');
    const third = await asAdmin('1203344');
    expect((first.body as CheckInBody).verification.evidence.primarySource?.result).toBe('not_licensed');
    expect((second.body as CheckInBody).verification.evidence.primarySource?.result).toBe('not_licensed');
    expect((third.body as CheckInBody).verification.evidence.primarySource).toMatchObject({
      result: 'indeterminate',
      detail: 'rate limit of this source reached',
    });
    expect((third.body as CheckInBody).decision).toBe('denied');
    expect(board.stats().stateBoard - before).toBe(2);
  });

  it('flags the deployed nurse on the board and in the audit trail when the source pushes a suspension, and clears it when lifted', async () => {
    const res = await licenceCheckIn({ licenceNumber: 'RN5550101', state: 'FL', profession: 'RN' });
    const admitted = res.body as CheckInBody;
    expect(admitted.decision).toBe('admitted');
    const deploymentId = admitted.deployment!.id;
    // Enrolment for notices happens after the check-in answers.
    let delivered: number[] = [];
    for (let i = 0; i < 50 && delivered.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 50));
      delivered = await board.changeStatus('FL', 'RN', 'RN5550101', 'active');
    }
    expect(delivered).toEqual([200]);
    expect((await deployment(deploymentId)).credentialFlag).toBeNull();

    expect(await board.changeStatus('FL', 'RN', 'RN5550101', 'suspended')).toEqual([200]);
    const flagged = await deployment(deploymentId);
    expect(flagged.credentialFlag?.code).toBe('suspended');
    expect(flagged).toMatchObject({ status: 'out_of_service', statusReason: 'credential' });
    const [entry] = await auditEntries('credential.flagged', incident.id);
    expect(entry.payload).toMatchObject({ flag: { code: 'suspended' }, evidence: { basis: 'primary_source' } });

    expect(await board.changeStatus('FL', 'RN', 'RN5550101', 'active')).toEqual([200]);
    expect((await deployment(deploymentId)).credentialFlag).toBeNull();
    expect((await auditEntries('credential.cleared', incident.id)).length).toBeGreaterThan(0);
  });

  it('verifies a walk-up volunteer in place by a licence lookup, and the source’s notices then reach that deployment', async () => {
    const walkUp = await request(world.http)
      .post(`/incidents/${incident.id}/walk-ups`)
      .set(...bearer(checkin.token))
      .send({
        name: 'Ana Torres',
        contact: '+1 512 555 0199',
        claimedQualifications: ['RN'],
        idSeen: { type: 'driver licence', statement: 'Photo and name match.' },
      })
      .expect(201);
    const w = walkUp.body as { id: string; status: string; deployment: { id: string } };
    expect(w.status).toBe('pending_verification');
    const check = (body: Record<string, unknown>) =>
      request(world.http)
        .post(`/incidents/${incident.id}/walk-ups/${w.id}/licence-check`)
        .set(...bearer(checkin.token))
        .send({ twoFormsOfIdSeen: true, state: 'TX', profession: 'RN', ...body });

    // A licence the source does not confirm leaves the volunteer pending, with what the source said.
    const refused = await check({ licenceNumber: '1187342', state: 'NC' }).expect(422);
    expect(refused.body.code).toBe('walk_up_credential_refused');
    expect((refused.body as { reasons: Array<{ code: string }> }).reasons.map((r) => r.code)).toContain('revoked');
    expect((await check({ licenceNumber: '845120', twoFormsOfIdSeen: false }).expect(422)).body.code).toBe('identity_not_confirmed');

    const verified = await check({ licenceNumber: '845120' }).expect(200);
    expect(verified.body).toMatchObject({
      status: 'verified',
      verifiedQualifications: ['RN'],
      deployment: { id: w.deployment.id, walkUp: { status: 'verified' } },
    });
    const [entry] = (await auditEntries('walk_up.verified', incident.id)).filter((e) => e.payload.walkUpId === w.id);
    expect(entry.payload).toMatchObject({ evidence: { kind: 'primary_source', source: 'Nurse licensure database', state: 'TX', qualification: 'RN' } });
    // The audit trail keeps the licence number only as its matching hash.
    expect(entry.payload.evidence).toMatchObject({ licenceHash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(JSON.stringify(entry.payload)).not.toContain('845120');

    // The deployment now rests on the licence: a suspension pushed by the source flags the same person.
    let delivered: number[] = [];
    for (let i = 0; i < 50 && delivered.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 50));
      delivered = await board.changeStatus('TX', 'RN', '845120', 'active');
    }
    expect(delivered).toEqual([200]);
    expect(await board.changeStatus('TX', 'RN', '845120', 'suspended')).toEqual([200]);
    expect((await deployment(w.deployment.id)).credentialFlag?.code).toBe('suspended');
  });

  it('refuses a notice with a bad signature or for a licence nobody holds here, with a reason code, and keeps it on record', async () => {
    const body = JSON.stringify({
      NoticeId: 'n-1',
      SentAt: new Date().toISOString(),
      JurisdictionAbbreviation: 'FL',
      LicenseType: 'RN',
      LicenseNumber: 'RN9876543',
      LicenseStatus: 'Revoked',
    });
    const forged = await request(world.http)
      .post('/primary-source/notices/nursys')
      .set('content-type', 'application/json')
      .set('x-notice-signature', signNotice('not-the-shared-secret-at-all', body))
      .send(body);
    expect(forged.status).toBe(400);
    expect(forged.body.code).toBe('notice_signature_invalid');
    const unsigned = await request(world.http).post('/primary-source/notices/nursys').set('content-type', 'application/json').send(body);
    expect(unsigned.body.code).toBe('notice_signature_invalid');
    const stale = await request(world.http)
      .post('/primary-source/notices/nursys')
      .set('content-type', 'application/json')
      .set('x-notice-signature', signNotice(SECRET, body, Math.floor(Date.now() / 1000) - 3600))
      .send(body);
    expect(stale.body.code).toBe('notice_signature_invalid');

    const nobody = JSON.stringify({ ...JSON.parse(body), NoticeId: 'n-2', LicenseNumber: 'RN271828', JurisdictionAbbreviation: 'GA' });
    const unknown = await request(world.http)
      .post('/primary-source/notices/nursys')
      .set('content-type', 'application/json')
      .set('x-notice-signature', signNotice(SECRET, nobody))
      .send(nobody);
    expect(unknown.status).toBe(422);
    expect(unknown.body.code).toBe('notice_licence_unknown');

    const refused = await auditEntries('primary_source.notice_refused');
    expect(refused.map((e) => e.payload.code)).toEqual(
      expect.arrayContaining(['notice_signature_invalid', 'notice_signature_invalid', 'notice_signature_invalid', 'notice_licence_unknown']),
    );
    // The forged revocation changed nothing.
    const maria = await request(world.http)
      .get(`/incidents/${incident.id}/deployments`)
      .set(...bearer(world.adminToken));
    const row = (maria.body as Array<{ responder: { name: string }; credentialFlag: unknown }>).find((d) => d.responder.name === 'Maria Delgado');
    expect(row?.credentialFlag).toBeNull();
  });

  it('records refused notices only up to a budget per source: a flood of forged notices is answered 429, not recorded', async () => {
    const body = JSON.stringify({ NoticeId: 'flood', LicenseNumber: 'P1', JurisdictionAbbreviation: 'TX', LicenseStatus: 'Revoked' });
    const send = () => request(world.http).post('/primary-source/notices/tx-board').set('content-type', 'application/json').send(body);
    await awayFromMinuteEdge(); // the budget is per clock minute
    const codes: string[] = [];
    for (let i = 0; i < REFUSED_NOTICES_RECORDED_PER_MINUTE + 5; i++) codes.push((await send()).body.code as string);
    expect(codes.filter((c) => c === 'notice_signature_invalid')).toHaveLength(REFUSED_NOTICES_RECORDED_PER_MINUTE);
    expect(codes.filter((c) => c === 'rate_limited')).toHaveLength(5);
    const refused = (await auditEntries('primary_source.notice_refused')).filter((e) => e.payload.source === 'tx-board');
    expect(refused).toHaveLength(REFUSED_NOTICES_RECORDED_PER_MINUTE);
  });

  it('looks up again, on schedule, licences whose source sends no notices, and flags a revocation', async () => {
    const res = await licenceCheckIn({ licenceNumber: 'ME134567', state: 'FL', profession: 'MD' });
    const admitted = res.body as CheckInBody;
    expect(admitted.decision).toBe('admitted');
    expect(await board.changeStatus('FL', 'MD', 'ME134567', 'revoked')).toEqual([]);
    const run = await request(world.http)
      .post('/primary-source/relookups')
      .set(...bearer(world.adminToken));
    expect(run.status).toBe(200);
    expect(run.body).toMatchObject({ flagged: 1 });
    expect((await deployment(admitted.deployment!.id)).credentialFlag?.code).toBe('revoked');
    // The nurses’ source notifies: only the two Florida EMS-board licences (this physician, the paramedic) are looked up again.
    expect(run.body.checked).toBe(2);
  });

  describe('a licence admitted to non-clinical work while its source gave no usable answer', () => {
    let other: IncidentFixture;

    beforeAll(async () => {
      other = await createIncident(world.http, world.adminToken);
      await request(world.http)
        .put(`/incidents/${other.id}/primary-source-policy`)
        .set(...bearer(world.adminToken))
        .send({ acceptPrimarySource: true, onIndeterminate: 'non_clinical_with_warning', signedCredentialPositions: [] })
        .expect(200);
    });

    const admitDuringTimeout = async (query: Record<string, unknown>): Promise<string> => {
      board.injectFault('nursys', 'timeout', 1);
      const res = await request(world.http)
        .post(`/incidents/${other.id}/check-ins/licence`)
        .set(...bearer(world.adminToken))
        .send({ twoFormsOfIdSeen: true, ...query });
      expect(res.status).toBe(201);
      const body = res.body as CheckInBody;
      expect(body.decision).toBe('admitted_with_warnings');
      expect(body.reasons.map((r) => r.code)).toEqual(['primary_source_unavailable']);
      expect(body.verification.evidence.primarySource?.result).toBe('indeterminate');
      expect(body.deployment?.credential.qualification).toBeNull();
      return body.deployment!.id;
    };

    const view = async (id: string): Promise<{ credential: { qualification: string | null }; credentialFlag: { code: string } | null }> => {
      const res = await request(world.http)
        .get(`/incidents/${other.id}/deployments/${id}`)
        .set(...bearer(world.adminToken))
        .expect(200);
      return res.body as { credential: { qualification: string | null }; credentialFlag: { code: string } | null };
    };

    it('is confirmed by a later re-lookup that finds the licence active, even at a source that sends notices: qualified, audited, on the board', async () => {
      const deploymentId = await admitDuringTimeout({ licenceNumber: 'RN271828', state: 'GA', profession: 'RN', name: 'Grace Okafor' });
      const run = await request(world.http)
        .post('/primary-source/relookups')
        .set(...bearer(world.adminToken))
        .expect(200);
      expect(run.body.confirmed).toBeGreaterThanOrEqual(1);
      const confirmed = await view(deploymentId);
      expect(confirmed.credential.qualification).toBe('RN');
      expect(confirmed.credentialFlag).toBeNull();

      const entries = (await auditEntries('primary_source.confirmed', other.id)) as Array<{ payload: Record<string, unknown> }>;
      expect(entries).toHaveLength(1);
      expect(entries[0].payload).toMatchObject({ qualification: 'RN', evidence: { basis: 'primary_source' } });
      expect(String((entries[0].payload.evidence as { note: string }).note)).toMatch(/licence active; response sha256 [0-9a-f]{64}/);
      // The commander's board gets the entry again, now with the qualification.
      const events = await withDb(world.env.dbUrl, (db) =>
        db.query<{ payload: { deployment: { deploymentId: string; qualifications: string[] }; change: string } }>(
          `SELECT payload FROM outbox_event WHERE incident_id = $1 AND name = 'deployment.updated'`,
          [other.id],
        ),
      );
      expect(events.rows.map((r) => r.payload)).toEqual([
        expect.objectContaining({ change: 'verified', deployment: expect.objectContaining({ deploymentId, qualifications: ['RN'] }) }),
      ]);

      // Confirmed once: the next run changes nothing for it (and a nurse's source now notifies instead).
      const again = await request(world.http)
        .post('/primary-source/relookups')
        .set(...bearer(world.adminToken))
        .expect(200);
      expect(again.body.confirmed).toBe(0);
      expect(await auditEntries('primary_source.confirmed', other.id)).toHaveLength(1);
    });

    it('is flagged by a later re-lookup that finds the licence suspended, and never confirmed', async () => {
      const deploymentId = await admitDuringTimeout({ licenceNumber: 'AP20451', state: 'TX', profession: 'APRN', name: 'Dana Whitfield' });
      // Not enrolled for notices while unconfirmed: only the re-lookup can find the change.
      expect(await board.changeStatus('TX', 'APRN', 'AP20451', 'suspended')).toEqual([]);
      const run = await request(world.http)
        .post('/primary-source/relookups')
        .set(...bearer(world.adminToken))
        .expect(200);
      expect(run.body.flagged).toBeGreaterThanOrEqual(1);
      const flagged = await view(deploymentId);
      expect(flagged.credentialFlag?.code).toBe('suspended');
      expect(flagged.credential.qualification).toBeNull();
      const entries = await auditEntries('credential.flagged', other.id);
      expect(entries.map((e) => e.payload)).toEqual([expect.objectContaining({ flag: expect.objectContaining({ code: 'suspended' }) })]);
    });
  });
});
