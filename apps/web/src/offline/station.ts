/**
 * The offline station (docs/offline.md): a device key (ECDSA P-256, non-extractable, kept in IndexedDB) registered
 * while online, the signed incident pack verified with the pinned pack keys, verification on the device from the pack,
 * a hash-chained signed log written before a result is shown, and sync of that log when the network returns.
 */
import { PackVerifier, type OfflineVerification } from '../../../../libs/credentials/src/offline/pack-verifier';
import { entryHash, genesisHash, type DeviceLogEntry, type DeviceLogRecord } from '../../../../libs/offline/src/devices/device-log';
import type { IncidentPack, SignedIncidentPack } from '../../../../libs/offline/src/pack/incident-pack';
import { verifyIncidentPack, type PackKey } from '../../../../libs/offline/src/pack/verify-incident-pack';
import { api, uuid } from '../session';
import { all, get, LOG, put, STATIONS } from './idb';

export interface StationRecord {
  incidentId: string;
  incidentName: string;
  deviceId: string;
  userId: string;
  privateKey: CryptoKey;
  packKeys: PackKey[];
  signedPack?: SignedIncidentPack;
  etag?: string;
  /** When the server last confirmed this pack is current (200 or 304). */
  packCheckedAt?: string;
  head: { seq: number; hash: string };
  /** The PARs running when the station was last online, with their expected lists: what it may acknowledge offline. */
  pars?: RunningPar[];
}

export interface RunningPar {
  id: string;
  assignment: string | null;
  startedAt: string;
  members: Array<{ deploymentId: string; name: string; state: 'unaccounted' | 'accounted' | 'missing' }>;
}

export type ResourceStatusChange = Pick<DeviceLogRecord, 'assignment' | 'reason' | 'note'> & { status: NonNullable<DeviceLogRecord['status']> };

export interface LoggedScan {
  deviceId: string;
  seq: number;
  incidentId: string;
  entry: DeviceLogEntry;
  name?: string;
  decision: DeviceLogRecord['decision'];
  reasons: DeviceLogRecord['reasons'];
  scannedAt: string;
  synced: boolean;
  sync?: { status: string; outcome?: string; onlineDecision?: string | null; code?: string; message?: string };
}

interface SyncResponse {
  results: Array<{ seq: number; status: string; outcome?: string; onlineDecision?: string | null; code?: string; message?: string }>;
}

const SYNC_BATCH = 50;
const b64url = (bytes: ArrayBuffer): string => {
  let text = '';
  for (const b of new Uint8Array(bytes)) text += String.fromCharCode(b);
  return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
};
/** The server's ETag of a pack: the first 32 characters of the base64url SHA-256 of its payload. */
const etagOf = async (payload: string): Promise<string> => `"${b64url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(payload))).slice(0, 32)}"`;

const verifiers = new Map<string, { etag: string; pack: IncidentPack; verifier: PackVerifier }>();

export const loadStation = (incidentId: string): Promise<StationRecord | undefined> => get<StationRecord>(STATIONS, incidentId);
export const allStations = (): Promise<StationRecord[]> => all<StationRecord>(STATIONS);

export async function stationLog(station: StationRecord): Promise<LoggedScan[]> {
  const rows = await all<LoggedScan>(LOG, IDBKeyRange.bound([station.deviceId, 0], [station.deviceId, Number.MAX_SAFE_INTEGER]));
  return rows.sort((a, b) => a.seq - b.seq);
}

/** While online: registers this device for the incident (once), pins the pack keys and downloads the pack. */
export async function prepareStation(incidentId: string, incidentName: string, userId: string): Promise<StationRecord> {
  let station = await loadStation(incidentId);
  if (!station || station.userId !== userId) {
    const pair = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify'])) as CryptoKeyPair;
    const jwk = await crypto.subtle.exportKey('jwk', pair.publicKey);
    const device = await api.post<{ id: string; headHash: string }>(`/incidents/${incidentId}/devices`, {
      label: `${navigator.userAgent.slice(0, 60)} (${new Date().toISOString().slice(0, 10)})`,
      publicKey: { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y },
    });
    if (device.headHash !== (await genesisHash(device.id))) throw new Error('The server answered a device registration this station cannot follow.');
    const { keys } = await api.get<{ keys: PackKey[] }>('/.well-known/incident-pack-keys.json');
    station = { incidentId, incidentName, deviceId: device.id, userId, privateKey: pair.privateKey, packKeys: keys, head: { seq: 0, hash: device.headHash } };
    await put([{ store: STATIONS, value: station }]);
  }
  return refreshPack(station);
}

/** Fetches the pack if it changed (If-None-Match); a pack that does not verify with the pinned keys is refused. */
export async function refreshPack(station: StationRecord): Promise<StationRecord> {
  const headers: Record<string, string> = station.etag ? { 'If-None-Match': station.etag } : {};
  const body = await api.request<SignedIncidentPack | string>('GET', `/incidents/${station.incidentId}/pack`, { headers, accept: [304] });
  const now = new Date().toISOString();
  if (typeof body === 'string') {
    const confirmed = { ...station, packCheckedAt: now };
    await put([{ store: STATIONS, value: confirmed }]);
    return confirmed;
  }
  await verifyIncidentPack(body, station.packKeys, station.incidentId);
  const next = { ...station, signedPack: body, etag: await etagOf(body.payload), packCheckedAt: now };
  await put([{ store: STATIONS, value: next }]);
  return next;
}

/** While online: keeps the running PARs and their expected lists, so people can be acknowledged with no network. */
export async function refreshPars(station: StationRecord): Promise<StationRecord> {
  const list = await api.get<Array<{ id: string; state: string }>>(`/incidents/${station.incidentId}/pars`);
  const pars: RunningPar[] = [];
  for (const p of list.filter((x) => x.state === 'running')) {
    const { par, members } = await api.get<{ par: { id: string; assignment: string | null; startedAt: string }; members: RunningPar['members'] }>(
      `/incidents/${station.incidentId}/pars/${p.id}`,
    );
    pars.push({
      id: par.id,
      assignment: par.assignment,
      startedAt: par.startedAt,
      members: members.map(({ deploymentId, name, state }) => ({ deploymentId, name, state })),
    });
  }
  // The stored record, not the caller's: a scan may have moved the head meanwhile.
  const current = (await loadStation(station.incidentId)) ?? station;
  const next = { ...current, pars };
  await put([{ store: STATIONS, value: next }]);
  return next;
}

/** The station's pack, verified again from storage (a pack edited in IndexedDB is refused here). */
export async function packOf(station: StationRecord): Promise<{ pack: IncidentPack; verifier: PackVerifier } | undefined> {
  if (!station.signedPack || !station.etag) return undefined;
  const cached = verifiers.get(station.incidentId);
  if (cached?.etag === station.etag) return cached;
  const pack = await verifyIncidentPack(station.signedPack, station.packKeys, station.incidentId);
  const verifier = new PackVerifier(pack, { dataIntegrity: () => import('./data-integrity').then((m) => m.dataIntegrityVerifier()) });
  const entry = { etag: station.etag, pack, verifier };
  verifiers.set(station.incidentId, entry);
  return entry;
}

/**
 * Verifies a badge from the pack and logs the scan (hash-chained, signed with the device key) in IndexedDB; the
 * result is returned only once the log entry is durable.
 */
export async function scanOffline(
  incidentId: string,
  credential: string,
  opts: { locationId?: string; positionId?: string } = {},
): Promise<{ verification: OfflineVerification; logged: LoggedScan }> {
  const station = await loadStation(incidentId);
  if (!station) throw new Error('This station was not prepared for offline use while online.');
  const loaded = await packOf(station);
  if (!loaded) throw new Error('This station has no incident pack: prepare it while online.');
  const scannedAt = new Date();
  const verification = await loaded.verifier.verify(credential, { positionId: opts.positionId, now: scannedAt });
  const record: DeviceLogRecord = {
    scanId: uuid(),
    seq: station.head.seq + 1,
    kind: 'check_in',
    incidentId,
    deviceId: station.deviceId,
    userId: station.userId,
    scannedAt: scannedAt.toISOString(),
    packTime: loaded.pack.packedAt,
    credential,
    ...(opts.locationId ? { locationId: opts.locationId } : {}),
    ...(opts.positionId ? { positionId: opts.positionId } : {}),
    decision: verification.decision,
    reasons: verification.reasons,
  };
  const logged = await append(station, record, verification.name);
  return { verification, logged };
}

/** Logs a check-out of a deployment on the pack's roster (applied by the server when the station syncs). */
export async function checkOutOffline(incidentId: string, deploymentId: string): Promise<LoggedScan> {
  const station = await loadStation(incidentId);
  const loaded = station && (await packOf(station));
  const entry = loaded?.pack.roster.find((r) => r.deploymentId === deploymentId);
  if (!station || !loaded || !entry) throw new Error("That deployment is not on this station's incident pack.");
  const record: DeviceLogRecord = {
    scanId: uuid(),
    seq: station.head.seq + 1,
    kind: 'check_out',
    incidentId,
    deviceId: station.deviceId,
    userId: station.userId,
    scannedAt: new Date().toISOString(),
    packTime: loaded.pack.packedAt,
    deploymentId,
    decision: 'checked_out',
    reasons: [],
  };
  return append(station, record, entry.name);
}

/** Logs a resource status change of someone on the pack's roster, queued until the server applies it at sync. */
export async function changeStatusOffline(incidentId: string, deploymentId: string, change: ResourceStatusChange): Promise<LoggedScan> {
  const station = await loadStation(incidentId);
  const loaded = station && (await packOf(station));
  const entry = loaded?.pack.roster.find((r) => r.deploymentId === deploymentId);
  if (!station || !loaded || !entry) throw new Error("That deployment is not on this station's incident pack.");
  return append(
    station,
    {
      scanId: uuid(),
      seq: station.head.seq + 1,
      kind: 'status_change',
      incidentId,
      deviceId: station.deviceId,
      userId: station.userId,
      scannedAt: new Date().toISOString(),
      packTime: loaded.pack.packedAt,
      deploymentId,
      ...change,
      decision: 'queued',
      reasons: [],
    },
    entry.name,
  );
}

/** Logs an acknowledgement of someone on a running PAR's list, queued until the server applies it at sync. */
export async function acknowledgeOffline(incidentId: string, parId: string, deploymentId: string): Promise<LoggedScan> {
  const station = await loadStation(incidentId);
  const member = station?.pars?.find((p) => p.id === parId)?.members.find((m) => m.deploymentId === deploymentId);
  if (!station || !member) throw new Error('That person is not on the list of a PAR this station knows.');
  return append(
    station,
    {
      scanId: uuid(),
      seq: station.head.seq + 1,
      kind: 'par_ack',
      incidentId,
      deviceId: station.deviceId,
      userId: station.userId,
      scannedAt: new Date().toISOString(),
      packTime: station.signedPack ? ((await packOf(station))?.pack.packedAt ?? null) : null,
      parId,
      deploymentId,
      decision: 'queued',
      reasons: [],
    },
    member.name,
  );
}

/** Hashes, signs and stores a record with the station's new head in one IndexedDB transaction. */
async function append(station: StationRecord, record: DeviceLogRecord, name: string | undefined): Promise<LoggedScan> {
  const text = JSON.stringify(record);
  const hash = await entryHash(station.head.hash, text);
  const signature = b64url(await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, station.privateKey, new TextEncoder().encode(hash)));
  const logged: LoggedScan = {
    deviceId: station.deviceId,
    seq: record.seq,
    incidentId: record.incidentId,
    entry: { seq: record.seq, prevHash: station.head.hash, hash, signature, record: text },
    name,
    decision: record.decision,
    reasons: record.reasons,
    scannedAt: record.scannedAt,
    synced: false,
  };
  await put([
    { store: LOG, value: logged },
    { store: STATIONS, value: { ...station, head: { seq: record.seq, hash } } },
  ]);
  return logged;
}

/** Uploads the entries not yet synced, in order and in batches; stops at the first network failure (the rest stays). */
export async function syncStation(incidentId: string): Promise<{ sent: number; rejected: LoggedScan[]; changed: LoggedScan[] }> {
  const station = await loadStation(incidentId);
  if (!station) return { sent: 0, rejected: [], changed: [] };
  const pending = (await stationLog(station)).filter((s) => !s.synced);
  const rejected: LoggedScan[] = [];
  const changed: LoggedScan[] = [];
  for (let i = 0; i < pending.length; i += SYNC_BATCH) {
    const batch = pending.slice(i, i + SYNC_BATCH);
    const res = await api.post<SyncResponse>(`/incidents/${incidentId}/devices/${station.deviceId}/sync`, {
      sentAt: new Date().toISOString(),
      entries: batch.map((b) => b.entry),
    });
    const bySeq = new Map(res.results.map((r) => [r.seq, r]));
    const updated = batch.map((b) => {
      const r = bySeq.get(b.seq);
      return r ? { ...b, synced: true, sync: { status: r.status, outcome: r.outcome, onlineDecision: r.onlineDecision, code: r.code, message: r.message } } : b;
    });
    await put(updated.map((u) => ({ store: LOG, value: u })));
    for (const u of updated) {
      if (u.sync?.status === 'rejected') rejected.push(u);
      if (u.sync?.outcome === 'changed' || u.sync?.outcome === 'refused') changed.push(u);
    }
  }
  return { sent: pending.length, rejected, changed };
}
