import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import { startIssuerServer, type IssuerServer } from '../apps/issuer/src';
import { startLicenceBoard, type LicenceBoard } from '../apps/licence-board/src';
import { CREDENTIAL_FORMATS } from '../apps/issuer/src';
import {
  ApiClient,
  addWalkUps,
  DEMO_LICENCE_CHECK_INS,
  DEMO_MISSION,
  DEMO_NOTICE_SECRET,
  checkInByLicence,
  demoPrimarySources,
  DEMO_TRUST,
  admitOnePerFormat,
  buildRoster,
  handOutRecord,
  issueBadges,
  runRollCall,
  runSurge,
  seedDemo,
  writeBadges,
  type DemoSeed,
  type ManifestEntry,
  type WrittenBadges,
} from '../apps/demo/src';
import { ADMIN, createTestEnv, startApi, type TestApi, type TestEnv } from './support/test-app';

/**
 * The demo's pieces, in-process against a test api and a demo issuer on free ports: the seeding over the HTTP API,
 * badges written and read back from their QR codes, a surge that admits and refuses exactly as the manifest says,
 * and a revocation on the issuer that the verifier sees once the list's ttl has run out.
 */

interface VerifyBody {
  verified: boolean;
  errors: Array<{ id: string; code: string }>;
  credential?: { qualification?: string; subject: { name?: string }; issuer: { registryName?: string } };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** What a phone camera or a handheld scanner gets from a badge: the text in its QR code. */
async function readQrCode(file: string): Promise<string> {
  const png = PNG.sync.read(await readFile(file));
  const code = jsQR(new Uint8ClampedArray(png.data.buffer, png.data.byteOffset, png.data.length), png.width, png.height);
  if (!code) throw new Error(`no QR code found in ${file}`);
  return code.data;
}

describe('demo: issuer, badges and verifier together', () => {
  const TTL_MS = 1000;
  let issuer: IssuerServer;
  let licenceBoard: LicenceBoard;
  let env: TestEnv;
  let api: TestApi;
  let client: ApiClient;
  let seed: DemoSeed;
  let adminToken: string;
  let checkinToken: string;
  let dir: string;
  let written: WrittenBadges;

  const verify = (credential: string) =>
    client.post<VerifyBody>(
      '/credentials/verify',
      { verifiableCredential: credential, options: { jurisdiction: 'US-FL', mutualAidJurisdictions: ['US-GA'] } },
      { token: checkinToken, expect: [200, 400] },
    );
  const checkIn = (credential: string, positionId?: string) =>
    client.post<{ decision: string; reasons: Array<{ code: string }> }>(
      `/incidents/${seed.incident.id}/check-ins`,
      { credential, positionId },
      {
        token: checkinToken,
        headers: { 'Idempotency-Key': `demo-test-${Math.random().toString(36).slice(2)}`, 'X-Device-Id': 'demo-test-scanner' },
        expect: [201],
      },
    );
  const badge = (predicate: (b: ManifestEntry) => boolean): ManifestEntry => {
    const found = written.manifest.badges.find(predicate);
    if (!found) throw new Error('no such badge in the manifest');
    return found;
  };

  beforeAll(async () => {
    issuer = await startIssuerServer({ port: 0, statusListTtlMs: TTL_MS });
    licenceBoard = await startLicenceBoard({ noticeSecret: DEMO_NOTICE_SECRET, latencyMs: 1 });
    // The agency issues deployment records at check-out (its did:web need not resolve for the hand-out itself).
    env = await createTestEnv('demo', {
      RECORDS_ISSUER_DID: 'did:web:records.demo.example',
      RECORDS_ISSUER_NAME: 'Florida Division of Emergency Management',
      PRIMARY_SOURCES: JSON.stringify(demoPrimarySources(licenceBoard.url)),
    });
    api = await startApi(env.env, { listen: true });
    client = new ApiClient(api.url as string);
    seed = await seedDemo(client, issuer.boards, ADMIN);
    adminToken = await client.signIn(ADMIN.email, ADMIN.password);
    const checkin = seed.users.find((u) => u.role === 'checkin');
    checkinToken = await client.signIn(checkin!.email, checkin!.password);
    dir = await mkdtemp(join(tmpdir(), 'demo-badges-'));
    const badges = await issueBadges(issuer, buildRoster({ size: 40 }));
    written = await writeBadges(dir, badges, { issuerUrl: issuer.url, incident: seed.incident });
  }, 60_000);

  afterAll(async () => {
    await api?.close();
    await issuer?.close();
    await licenceBoard?.close();
    await env?.drop();
    if (dir) await rm(dir, { recursive: true, force: true });
  }, 30_000);

  it('seeds the trust list over the API: the Florida boards, Georgia and the national certifiers, never the rogue board', async () => {
    const res = await client.get<Array<{ id: string; jurisdictions: string[]; qualifications: string[]; active: boolean }>>('/trust/issuers', {
      token: adminToken,
      expect: [200],
    });
    for (const grant of DEMO_TRUST) {
      const entry = res.body.find((i) => i.id === issuer.board(grant.slug).did);
      expect(entry).toMatchObject({ jurisdictions: grant.jurisdictions, active: true });
      expect([...(entry?.qualifications ?? [])].sort()).toEqual([...grant.qualifications].sort());
    }
    expect(res.body.map((i) => i.id)).not.toContain(issuer.board('rogue-board').did);
    expect(Object.keys(seed.incident.positions)).toEqual(expect.arrayContaining(['Triage Nurse', 'Physician', 'Paramedic', 'EMT', 'Rescue Specialist']));
    expect(seed.incident.mutualAidJurisdictions).toEqual(['US-GA']);
  });

  it('writes a QR PNG per badge that reads back to the credential, which verifies (or fails for the reason the manifest gives)', async () => {
    expect(written.manifest.badges).toHaveLength(40);
    const sheet = await readFile(written.sheetPath, 'utf8');
    const onDisk = JSON.parse(await readFile(written.manifestPath, 'utf8')) as { badges: ManifestEntry[] };
    expect(onDisk.badges.map((b) => b.file)).toEqual(written.manifest.badges.map((b) => b.file));

    const samples = [
      badge((b) => b.spotlight),
      badge((b) => b.format === 'ob3-jwt' && b.expected.decision === 'admitted'),
      // JSON in a QR code, and an SD-JWT with its Disclosures, compact and in the JSON serialization.
      badge((b) => b.format === 'ldp-vc' && b.expected.decision === 'admitted'),
      badge((b) => b.format === 'dc+sd-jwt' && b.expected.decision === 'admitted'),
      badge((b) => b.format === 'dc+sd-jwt-json' && b.expected.decision === 'admitted'),
      badge((b) => b.board === 'ga-nursing' && b.expected.decision === 'admitted'),
      badge((b) => b.expected.reason === 'expired'),
      badge((b) => b.expected.reason === 'untrusted_issuer'),
    ];
    for (const entry of samples) {
      const scanned = await readQrCode(join(dir, entry.file));
      expect(scanned).toBe(entry.credential);
      expect(sheet).toContain(entry.file);
      const res = await verify(scanned);
      if (entry.expected.decision === 'admitted') {
        expect({ who: entry.name, status: res.status, verified: res.body.verified }).toEqual({ who: entry.name, status: 200, verified: true });
        expect(res.body.credential).toMatchObject({
          qualification: entry.qualification,
          subject: { name: entry.name },
          issuer: { registryName: entry.boardName },
        });
      } else {
        expect(res.status).toBe(400);
        expect(res.body.errors.map((e) => e.code)).toContain(entry.expected.reason);
      }
    }
  }, 30_000);

  it('the demo starts by admitting one responder per credential format; a surge then admits and refuses every other badge as the manifest expects', async () => {
    let seedValue = 7;
    const random = (): number => (seedValue = (seedValue * 16807) % 2147483647) / 2147483647;
    const checkin = seed.users.find((u) => u.role === 'checkin')!;
    const describeScan = (s: { entry: ManifestEntry; decision?: string; error?: string; reasons: Array<{ code: string }> }): string =>
      `${s.entry.name} (${s.entry.format}): ${s.decision ?? s.error} ${s.reasons.map((r) => r.code).join(',')}`;

    // Every format the issuer issues is in the roster, and one responder of each is admitted first.
    const first = await admitOnePerFormat({ api: client, incident: seed.incident, checkinUser: checkin }, written.manifest.badges);
    expect(first.unexpected.map(describeScan)).toEqual([]);
    expect(first.scans.map((s) => s.entry.format).sort()).toEqual([...CREDENTIAL_FORMATS].sort());
    expect(first.admittedByFormat).toEqual(Object.fromEntries(CREDENTIAL_FORMATS.map((f) => [f, 1])));
    expect(first.scans.every((s) => s.decision === 'admitted' && !s.alreadyCheckedIn && !s.entry.spotlight)).toBe(true);

    const report = await runSurge({ api: client, incident: seed.incident, checkinUser: checkin }, written.manifest.badges, {
      count: 40,
      ratePerSecond: 200,
      scanners: 4,
      random,
    });
    expect(report.unexpected.map(describeScan)).toEqual([]);
    expect(report.scanned).toBe(40 - CREDENTIAL_FORMATS.length);
    const admitted = written.manifest.badges.filter((b) => b.expected.decision === 'admitted').length;
    expect(report.admitted + report.admittedWithWarnings).toBe(admitted - CREDENTIAL_FORMATS.length);
    expect(report.denied).toBe(40 - admitted);
    // Refusals come in several formats too: the revocation of an SD-JWT VC, the suspension of a Data Integrity credential.
    const refused = (reason: string): string | undefined => report.scans.find((s) => s.entry.expected.reason === reason)?.entry.format;
    expect([refused('revoked'), refused('suspended')]).toEqual(['dc+sd-jwt', 'ldp-vc']);

    const roster = await client.get<Array<{ responder: { name: string } }>>(`/incidents/${seed.incident.id}/deployments`, {
      token: checkinToken,
      expect: [200],
    });
    expect(roster.body).toHaveLength(admitted);
    // The Georgia strike team practises under its EMAC mission, the Texas nurse on her multistate licence.
    const deployments = (
      await client.get<Array<{ responder: { name: string }; practiceAuthority: { basis: { kind: string; text: string } } | null }>>(
        `/incidents/${seed.incident.id}/deployments`,
        { token: checkinToken, expect: [200] },
      )
    ).body;
    const basisOf = (name: string) => deployments.find((d) => d.responder.name === name)?.practiceAuthority?.basis;
    const strikeTeam = written.manifest.badges.filter((b) => b.board === 'ga-ems');
    expect(strikeTeam.length).toBeGreaterThan(0);
    for (const member of strikeTeam) {
      expect(basisOf(member.name)).toMatchObject({
        kind: 'emac_mission',
        text: expect.stringContaining(`under EMAC mission ${DEMO_MISSION} (REQ-A-0142 signed`),
      });
    }
    const texan = badge((b) => b.board === 'tx-nursing');
    expect(basisOf(texan.name)).toEqual(expect.objectContaining({ kind: 'compact', text: 'multistate RN licence (NLC, home state TX).' }));
    const georgiaNurse = badge((b) => b.board === 'ga-nursing' && b.expected.decision === 'admitted');
    expect(basisOf(georgiaNurse.name)?.text).toContain('under emergency order EO 26-117 (Governor of Florida');
    // A second surge finds everyone admitted already on the roster and scans only the refused badges again.
    const again = await runSurge({ api: client, incident: seed.incident, checkinUser: checkin }, written.manifest.badges, {
      count: 40,
      ratePerSecond: 200,
      scanners: 2,
      random,
    });
    expect(again.scanned).toBe(40 - admitted);
    expect(again.denied).toBe(40 - admitted);

    // Then the commander's PAR: everyone on scene expected, all but one accounted for, one missing.
    const par = await runRollCall(client, seed.incident.id);
    expect(par).toMatchObject({ expected: admitted, accounted: admitted - 1, missing: 1 });
  }, 60_000);

  it('checks in the responders without a badge by licence number, as the demo lists them', async () => {
    const results = await checkInByLicence(client, seed.incident, checkinToken);
    expect(results.map((r) => ({ who: r.entry.name, decision: r.decision }))).toEqual(
      DEMO_LICENCE_CHECK_INS.map((e) => ({ who: e.name, decision: e.expected })),
    );
    expect(results.find((r) => r.entry.name === 'Tamika Ruiz')?.reasons).toEqual(['expired']);
    expect(results.find((r) => r.entry.name === 'Daniel Cho')?.reasons).toEqual(['suspended']);
    expect(results.every((r) => r.lookedUpAt !== undefined)).toBe(true);
  });

  it('hands out a deployment record at check-out: the QR code reads back to the signed record, naming the seeded kind', async () => {
    const before = await client.get<unknown[]>(`/incidents/${seed.incident.id}/deployments`, { token: checkinToken, expect: [200] });
    const record = await handOutRecord(client, seed.incident.id, checkinToken, join(dir, 'records'));
    expect(record).toBeDefined();
    expect(record!.achievement).toBe('Disaster Deployment: Structural Collapse, Medical Unit');
    expect(await readQrCode(record!.files.png)).toBe(record!.jwt);
    expect((await readFile(record!.files.jwt, 'utf8')).trim()).toBe(record!.jwt);
    const json = JSON.parse(await readFile(record!.files.json, 'utf8'));
    expect(json).toMatchObject({ type: expect.arrayContaining(['AchievementCredential']), issuer: { id: 'did:web:records.demo.example' } });
    const after = await client.get<unknown[]>(`/incidents/${seed.incident.id}/deployments`, { token: checkinToken, expect: [200] });
    expect(after.body).toHaveLength(before.body.length - 1);
  });

  it('issue -> verified and admitted; revoke on the issuer -> revoked once the status list ttl has passed', async () => {
    const board = issuer.board('fl-nursing');
    const nurse = await board.issue({ format: 'ob3-jwt', qualification: 'RN', subject: { name: 'Marisol Acosta' } });
    const before = await verify(nurse.jws);
    expect(before.status).toBe(200);
    expect(before.body.verified).toBe(true);
    const admitted = await checkIn(nurse.jws, seed.incident.positions['Triage Nurse']);
    expect(admitted.body.decision).toBe('admitted');

    const late = await board.issue({ format: 'vc+jwt', qualification: 'RN', subject: { name: 'Fabienne Desir' } });
    // Revoke the way the CLI does: over the issuer's HTTP API.
    for (const index of [nurse.statusIndex, late.statusIndex]) {
      const res = await fetch(`${issuer.url}/boards/fl-nursing/credentials/${index}/revoke`, { method: 'POST' });
      expect(res.status).toBe(200);
    }
    await sleep(TTL_MS + 200);

    const after = await verify(nurse.jws);
    expect(after.status).toBe(400);
    expect(after.body.verified).toBe(false);
    expect(after.body.errors.map((e) => e.code)).toEqual(['revoked']);
    const denied = await checkIn(late.jws, seed.incident.positions['Triage Nurse']);
    expect(denied.body.decision).toBe('denied');
    expect(denied.body.reasons.map((r) => r.code)).toContain('revoked');
  }, 30_000);

  it('takes walk-ups in pending verification, prints a temporary badge the station admits, and verifies one in place', async () => {
    const out = await addWalkUps(
      client,
      seed.incident,
      checkinToken,
      async (name, qualification) => (await issuer.board('fl-nursing').issue({ format: 'vc+jwt', qualification, subject: { name } })).jws,
      join(dir, 'walk-ups'),
    );
    expect(out.walkUps).toEqual([
      { name: 'Jordan Ellis', status: 'pending_verification', position: 'Shelter Support' },
      { name: 'Priya Natarajan', status: 'verified', position: 'Shelter Support' },
      { name: 'Tom Becker', status: 'pending_verification', position: null },
    ]);
    const read = await readQrCode(out.badge!.png);
    expect(read).toBe((await readFile(out.badge!.jwt, 'utf8')).trim());
    const scanned = await checkIn(read);
    expect(scanned.body).toMatchObject({ decision: 'admitted_with_warnings', reasons: [{ code: 'walk_up_pending_verification' }] });
  });
});
