import { createHash, randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import request from 'supertest';
import type { AuditBundle, DeviceChainsVerification } from '@app/audit';
import { runCli } from '../apps/cli/src/cli';
import { checkInMany } from './support/accountability';
import { TestStation } from './support/offline-station';
import { bearer } from './support/test-app';
import { createIncident, staffFor, startWorld, type IncidentFixture, type World } from './support/world';

jest.setTimeout(180_000);

interface CliRun {
  code: number;
  out: string;
  err: string;
}

/**
 * The offline stations' device chains as audit evidence (docs/offline.md, "Audit"): the export carries them, and
 * `audit-verify` checks each synced entry's hash, link and device signature, the device key against its registration
 * in the audit chain, and each entry against the audit entry that recorded it; a tampered device entry is detected
 * by the auditor with no server.
 */
describe('offline: device chains in the audit export, checked by audit-verify', () => {
  let world: World;
  let pg: Client;
  let dir: string;
  let pinnedKeys: string;
  let incident: IncidentFixture;
  let checkin: { id: string; token: string };
  let first: TestStation;
  let second: TestStation;

  const issue = async (slug: string, qualification: string, name: string) =>
    world.issuer.board(slug).issue({ format: 'vc+jwt', qualification, subject: { name } });

  async function auditVerify(args: string[]): Promise<CliRun> {
    let out = '';
    let err = '';
    const code = await runCli(['audit-verify', ...args], {
      stdout: { write: (t: string) => (out += t) },
      stderr: { write: (t: string) => (err += t) },
      readStdin: async () => '',
      env: {},
    });
    return { code, out, err };
  }

  /** The incident's audit bundle as GET /audit/export streams it, saved to a file. */
  async function exportBundle(): Promise<string> {
    const res = await request(world.http)
      .get(`/audit/export?incidentId=${incident.id}`)
      .set(...bearer(world.adminToken))
      .buffer(true)
      .parse((r, cb) => {
        let text = '';
        r.on('data', (c: Buffer) => (text += c.toString()));
        r.on('end', () => cb(null, text));
      });
    expect(res.status).toBe(200);
    const file = join(dir, `bundle-${randomUUID().slice(0, 8)}.json`);
    await writeFile(file, res.body as string);
    return file;
  }

  /** audit-verify --json on a copy of `file` changed by `edit`. */
  async function verifyEdited(file: string, edit: (bundle: AuditBundle) => void | Promise<void>): Promise<{ run: CliRun; devices: DeviceChainsVerification }> {
    const bundle = JSON.parse(await readFile(file, 'utf8')) as AuditBundle;
    await edit(bundle);
    const edited = join(dir, `edited-${randomUUID().slice(0, 8)}.json`);
    await writeFile(edited, JSON.stringify(bundle));
    const run = await auditVerify([edited, '--jwks', pinnedKeys, '--json']);
    return { run, devices: (JSON.parse(run.out) as { deviceChains: DeviceChainsVerification }).deviceChains };
  }

  const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

  beforeAll(async () => {
    world = await startWorld('offline-audit');
    pg = new Client({ connectionString: world.env.env.DATABASE_URL });
    await pg.connect();
    dir = await mkdtemp(join(tmpdir(), 'offline-audit-'));
    pinnedKeys = join(dir, 'pinned-checkpoint-keys.json');
    await writeFile(pinnedKeys, JSON.stringify((await request(world.http).get('/.well-known/audit-checkpoint-keys.json').expect(200)).body));
    incident = await createIncident(world.http, world.adminToken);
    checkin = await staffFor(world.http, world.adminToken, incident.id, 'checkin');

    // Two stations scan offline and sync: admitted, denied in the pack, admitted; one more at the second station.
    first = await TestStation.register(world.http, checkin.token, incident.id, checkin.id, 'Gate A');
    second = await TestStation.register(world.http, checkin.token, incident.id, checkin.id, 'Gate B');
    const packTime = new Date(Date.now() - 600_000).toISOString();
    const revoked = await issue('fl-nursing', 'RN', 'Rita Revoked');
    world.issuer.board('fl-nursing').revoke(revoked.statusIndex);
    await first.scan((await issue('fl-nursing', 'RN', 'Ada Admitted')).jws, 'admitted', { packTime });
    await first.scan(revoked.jws, 'denied', { packTime, reasons: [{ code: 'revoked', message: 'revoked (pack)' }] });
    await first.scan((await issue('fl-ems', 'PARAMEDIC', 'Paul Paramedic')).jws, 'admitted', { packTime });
    await second.scan((await issue('fl-medicine', 'MD', 'Dora Doctor')).jws, 'admitted', { packTime });
    await first.sync(world.http, checkin.token).expect(200);
    await second.sync(world.http, checkin.token).expect(200);
  });
  afterAll(async () => {
    await pg.end();
    await world.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('the export carries each station: its key, its synced entries as the station signed them, its head', async () => {
    const bundle = JSON.parse(await readFile(await exportBundle(), 'utf8')) as AuditBundle;
    const chains = bundle.deviceChains ?? [];
    expect(chains.map((c) => [c.deviceId, c.label, c.head.seq, c.entries.length])).toEqual(
      expect.arrayContaining([
        [first.deviceId, 'Gate A', 3, 3],
        [second.deviceId, 'Gate B', 1, 1],
      ]),
    );
    const a = chains.find((c) => c.deviceId === first.deviceId)!;
    expect(a.entries.map(({ seq, prevHash, hash, signature, record }) => ({ seq, prevHash, hash, signature, record }))).toEqual(first.entries);
    expect(a.head.hash).toBe(first.entries[2].hash);
  });

  it('an intact bundle: audit-verify checks every device entry and exits 0', async () => {
    const file = await exportBundle();
    const run = await auditVerify([file, '--jwks', pinnedKeys]);
    expect(run.err).toBe('');
    expect(run.out).toContain('device chains: 2 station(s), 4 synced entries checked');
    expect(run.out).toContain('OK: every device entry matches its hash, its device signature and the audit chain');
    expect(run.code).toBe(0);
  });

  it('a device record edited after sync (hash kept): detected as modified, exit 1', async () => {
    const { run, devices } = await verifyEdited(await exportBundle(), (b) => {
      const e = b.deviceChains!.find((c) => c.deviceId === first.deviceId)!.entries[1];
      e.record = e.record.replace('"decision":"denied"', '"decision":"admitted"');
    });
    expect(run.code).toBe(1);
    expect(devices.problems).toEqual([expect.objectContaining({ kind: 'device_entry_modified', deviceId: first.deviceId, seq: 2 })]);
  });

  it('an edited record with its hash recomputed (and the next link fixed): the device signature no longer matches', async () => {
    const { run, devices } = await verifyEdited(await exportBundle(), (b) => {
      const entries = b.deviceChains!.find((c) => c.deviceId === first.deviceId)!.entries;
      entries[1].record = entries[1].record.replace('"decision":"denied"', '"decision":"admitted"');
      entries[1].hash = sha256(`${entries[1].prevHash}\n${entries[1].record}`);
      entries[2].prevHash = entries[1].hash;
    });
    expect(run.code).toBe(1);
    expect(devices.problems.map((p) => [p.kind, p.seq])).toEqual(
      expect.arrayContaining([
        ['device_signature_invalid', 2],
        ['device_entry_modified', 3],
      ]),
    );
  });

  it("a station's whole log re-signed with another key: the key is not the registered one, and the audit chain recorded other entries", async () => {
    const { privateKey, publicKey } = await TestStation.newKey();
    const { run, devices } = await verifyEdited(await exportBundle(), async (b) => {
      const chain = b.deviceChains!.find((c) => c.deviceId === first.deviceId)!;
      chain.publicJwk = publicKey;
      chain.keyThumbprint = createHash('sha256')
        .update(JSON.stringify({ crv: publicKey.crv, kty: publicKey.kty, x: publicKey.x, y: publicKey.y }))
        .digest('base64url');
      for (const e of chain.entries)
        e.signature = Buffer.from(await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, privateKey, new TextEncoder().encode(e.hash))).toString(
          'base64url',
        );
    });
    expect(run.code).toBe(1);
    const kinds = devices.problems.map((p) => p.kind);
    expect(kinds).toContain('device_key_mismatch');
    expect(kinds.filter((k) => k === 'device_entry_replaced')).toHaveLength(3);
  });

  it('a device entry removed, a whole chain removed, or all device chains stripped: each detected', async () => {
    const file = await exportBundle();
    const removed = await verifyEdited(file, (b) => {
      const chain = b.deviceChains!.find((c) => c.deviceId === first.deviceId)!;
      chain.entries.splice(1, 1);
    });
    expect(removed.run.code).toBe(1);
    // The audit chain recorded entry 2 at sync: its absence is a removal, not a gap the station left.
    expect(removed.devices.problems.map((p) => [p.kind, p.seq])).toEqual([['device_entry_missing', 2]]);
    expect(removed.devices.gaps).toBe(1);

    const chainGone = await verifyEdited(file, (b) => {
      b.deviceChains = b.deviceChains!.filter((c) => c.deviceId !== second.deviceId);
    });
    expect(chainGone.run.code).toBe(1);
    expect(chainGone.devices.problems).toEqual([expect.objectContaining({ kind: 'device_chain_missing', deviceId: second.deviceId })]);

    const stripped = await verifyEdited(file, (b) => {
      delete b.deviceChains;
    });
    expect(stripped.run.code).toBe(1);
    expect(stripped.devices.problems).toEqual([expect.objectContaining({ kind: 'device_chains_missing' })]);
  });

  it('status changes and PAR acknowledgements queued offline, applied or refused: each anchored in the audit chain and checked', async () => {
    const commander = await staffFor(world.http, world.adminToken, incident.id, 'commander');
    const [assigned, gone] = await checkInMany(world, incident.id, 2, 'Tablet Queue');
    const par = await request(world.http)
      .post(`/incidents/${incident.id}/pars`)
      .set(...bearer(world.adminToken))
      .send({ reason: 'collapse' })
      .expect(201);
    const tablet = await TestStation.register(world.http, commander.token, incident.id, commander.id, 'Command tablet');
    await tablet.statusChange(assigned, { status: 'assigned', assignment: 'Division A' });
    await tablet.statusChange(gone, { status: 'out_of_service', reason: 'personnel' });
    await tablet.parAck(par.body.id as string, assigned);
    await tablet.parAck(par.body.id as string, randomUUID());
    await request(world.http)
      .post(`/incidents/${incident.id}/deployments/${gone}/check-out`)
      .set(...bearer(world.adminToken))
      .send({})
      .expect(200);
    const synced = await tablet.sync(world.http, commander.token).expect(200);
    expect((synced.body.results as Array<{ outcome: string; code?: string }>).map((r) => [r.outcome, r.code])).toEqual([
      ['reconfirmed', undefined],
      ['refused', 'deployment_not_active'],
      ['reconfirmed', undefined],
      ['refused', 'par_not_in_scope'],
    ]);

    const file = await exportBundle();
    const run = await auditVerify([file, '--jwks', pinnedKeys]);
    expect(run.out).toContain('device chains: 3 station(s), 8 synced entries checked');
    expect(run.code).toBe(0);

    const edited = await verifyEdited(file, (b) => {
      const e = b.deviceChains!.find((c) => c.deviceId === tablet.deviceId)!.entries[0];
      e.record = e.record.replace('"Division A"', '"Division B"');
    });
    expect(edited.run.code).toBe(1);
    expect(edited.devices.problems).toEqual([expect.objectContaining({ kind: 'device_entry_modified', deviceId: tablet.deviceId, seq: 1 })]);

    // A refused entry is recorded in the audit chain too: removing it from the bundle is a removal, not a gap.
    const removed = await verifyEdited(file, (b) => {
      b.deviceChains!.find((c) => c.deviceId === tablet.deviceId)!.entries.splice(1, 1);
    });
    expect(removed.devices.problems.map((p) => [p.kind, p.seq])).toEqual([['device_entry_missing', 2]]);
  });

  it('an entry edited in the database after sync: the next export fails audit-verify, naming the station and the entry', async () => {
    await pg.query(`UPDATE offline_scan SET record = replace(record, '"decision":"admitted"', '"decision":"denied"') WHERE device_id = $1 AND seq = 1`, [
      second.deviceId,
    ]);
    const run = await auditVerify([await exportBundle(), '--jwks', pinnedKeys]);
    expect(run.code).toBe(1);
    expect(run.out).toContain('TAMPERED: 1 problem(s) in the device chains');
    expect(run.out).toContain(`device_entry_modified: station "Gate B" (device ${second.deviceId}): entry 1 was changed after it was synced`);
    // The incident's audit chain itself is intact: the line says so before the device chains'.
    expect(run.out).toContain('OK: the chain is intact');
  });
});
