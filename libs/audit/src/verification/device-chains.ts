import { createHash, createPublicKey, verify } from 'node:crypto';
import type { Transaction } from '@app/db';

/**
 * Offline stations' device chains as evidence in an audit bundle, and their check by `audit-verify` (docs/offline.md).
 *
 * A station hash-chains and signs its scans with its device key; the server keeps every synced entry. The bundle
 * carries those chains beside the incident's audit chain, and the audit chain anchors them: the device's key
 * thumbprint is in its `offline.device_registered` entry, and each synced scan's hash and signature are in the
 * `payload.offline` of the entry that recorded it. So an auditor detects, with no server, an entry edited after it was
 * synced (hash), one forged (signature), a key swapped (thumbprint), and an entry removed or substituted (anchors).
 *
 * The device-log formulas are restated from @app/offline (which records into this library, so cannot be imported):
 * hash = SHA-256(prevHash + "\n" + record), the first prevHash SHA-256("responder-checkin/device-log/" + deviceId),
 * signature = ECDSA P-256 / SHA-256 over the hash text, IEEE P1363, base64url.
 */

export interface DeviceChainEntry {
  seq: number;
  prevHash: string;
  hash: string;
  signature: string;
  /** The record's JSON text exactly as the station hashed it. */
  record: string;
  receivedAt: string;
}

export interface DeviceChain {
  deviceId: string;
  label: string;
  publicJwk: { kty: string; crv: string; x: string; y: string };
  keyThumbprint: string;
  registeredAt: string;
  revokedAt: string | null;
  /** The head of the synced chain as the server recorded it (seq 0 before the first sync). */
  head: { seq: number; hash: string };
  /** Synced entries, by seq. */
  entries: DeviceChainEntry[];
}

/**
 * The device chains of an incident, read inside the export's snapshot. Declared here, provided by @app/offline (which
 * owns offline_device and offline_scan); without a provider the export carries no device chains.
 */
export abstract class DeviceChainEvidence {
  abstract forIncident(tx: Transaction, incidentId: string): Promise<DeviceChain[]>;
}

/** What an audit entry says about a device: its registered key, or one synced scan. */
export type DeviceAnchor =
  | { kind: 'registered'; auditSeq: number; deviceId: string; keyThumbprint: string }
  | { kind: 'scan'; auditSeq: number; deviceId: string; seq: number; hash: string; signature: string };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The anchor an audit entry holds, if any. */
export function deviceAnchorOf(entry: { seq: number; action: string; payload: Record<string, unknown> }): DeviceAnchor | null {
  const p = entry.payload;
  if (entry.action === 'offline.device_registered' && typeof p.deviceId === 'string' && typeof p.keyThumbprint === 'string')
    return { kind: 'registered', auditSeq: entry.seq, deviceId: p.deviceId, keyThumbprint: p.keyThumbprint };
  const o = p.offline;
  if (isObject(o) && typeof o.deviceId === 'string' && typeof o.seq === 'number' && typeof o.hash === 'string' && typeof o.signature === 'string')
    return { kind: 'scan', auditSeq: entry.seq, deviceId: o.deviceId, seq: o.seq, hash: o.hash, signature: o.signature };
  return null;
}

/** Cheap test on an exported entry line before parsing it for an anchor (most lines have none). */
export const mayHoldDeviceAnchor = (line: string): boolean => line.includes('"offline":{') || line.startsWith('{"action":"offline.device_registered"');

export type DeviceChainProblemKind =
  | 'device_chains_missing'
  | 'device_chain_missing'
  | 'device_key_unregistered'
  | 'device_key_mismatch'
  | 'device_entry_modified'
  | 'device_signature_invalid'
  | 'device_entry_unlinked'
  | 'device_entry_malformed'
  | 'device_entry_missing'
  | 'device_entry_unaudited'
  | 'device_entry_replaced'
  | 'device_head_mismatch';

export interface DeviceChainProblem {
  kind: DeviceChainProblemKind;
  deviceId: string | null;
  /** The device entry's seq, when the problem is one entry's. */
  seq: number | null;
  message: string;
}

export interface DeviceChainsVerification {
  ok: boolean;
  /** False when the bundle carries no device chains (and its audit chain names no offline scan). */
  included: boolean;
  devices: number;
  entries: number;
  /** Entries whose predecessor was never synced (the station's log was truncated): accepted, flagged, not tampering. */
  gaps: number;
  problems: DeviceChainProblem[];
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** RFC 7638 thumbprint of an EC public key (what the server stored at registration). */
export function ecThumbprint(jwk: { crv: string; kty: string; x: string; y: string }): string {
  return createHash('sha256')
    .update(JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y }))
    .digest('base64url');
}

function signatureOk(jwk: DeviceChain['publicJwk'], hash: string, signature: string): boolean {
  try {
    const key = createPublicKey({ key: { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y }, format: 'jwk' });
    return verify('sha256', Buffer.from(hash), { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(signature, 'base64url'));
  } catch {
    return false;
  }
}

/**
 * Checks every device chain against its own hashes and signatures and against the anchors in the (separately
 * verified) audit chain. `chains` undefined: the bundle has none, which is a problem only if the audit chain records
 * offline scans.
 */
export function verifyDeviceChains(chains: readonly DeviceChain[] | undefined, anchors: readonly DeviceAnchor[]): DeviceChainsVerification {
  const problems: DeviceChainProblem[] = [];
  const scanAnchors = anchors.filter((a): a is Extract<DeviceAnchor, { kind: 'scan' }> => a.kind === 'scan');
  if (chains === undefined) {
    if (scanAnchors.length > 0)
      problems.push({
        kind: 'device_chains_missing',
        deviceId: null,
        seq: null,
        message: `the audit chain records ${scanAnchors.length} offline scan(s) but the bundle carries no device chains`,
      });
    return { ok: problems.length === 0, included: false, devices: 0, entries: 0, gaps: 0, problems };
  }

  const registered = new Map<string, string[]>();
  for (const a of anchors) if (a.kind === 'registered') registered.set(a.deviceId, [...(registered.get(a.deviceId) ?? []), a.keyThumbprint]);
  const anchorsOf = new Map<string, typeof scanAnchors>();
  for (const a of scanAnchors) {
    const key = `${a.deviceId}/${a.seq}`;
    anchorsOf.set(key, [...(anchorsOf.get(key) ?? []), a]);
  }
  const present = new Set<string>();
  let entries = 0;
  let gaps = 0;

  for (const chain of chains) {
    const station = `station "${chain.label}" (device ${chain.deviceId})`;
    const add = (kind: DeviceChainProblemKind, seq: number | null, message: string): void => {
      problems.push({ kind, deviceId: chain.deviceId, seq, message: `${station}: ${message}` });
    };
    const thumbprints = registered.get(chain.deviceId);
    const keyOk = ecThumbprint(chain.publicJwk) === chain.keyThumbprint;
    if (!thumbprints) add('device_key_unregistered', null, 'no offline.device_registered entry of the audit chain registers this device');
    else if (!keyOk || !thumbprints.includes(chain.keyThumbprint))
      add('device_key_mismatch', null, 'its public key is not the one its offline.device_registered audit entry records');

    const hashBySeq = new Map(chain.entries.map((e) => [e.seq, e.hash]));
    const genesis = sha256(`responder-checkin/device-log/${chain.deviceId}`);
    for (const e of chain.entries) {
      entries++;
      present.add(`${chain.deviceId}/${e.seq}`);
      if (sha256(`${e.prevHash}\n${e.record}`) !== e.hash) {
        add('device_entry_modified', e.seq, `entry ${e.seq} was changed after it was synced: its record no longer matches its hash`);
        continue;
      }
      if (!signatureOk(chain.publicJwk, e.hash, e.signature)) {
        add('device_signature_invalid', e.seq, `entry ${e.seq} is not signed by the device's registered key`);
        continue;
      }
      let record: unknown;
      try {
        record = JSON.parse(e.record);
      } catch {
        record = undefined;
      }
      if (!isObject(record) || record.seq !== e.seq || record.deviceId !== chain.deviceId) {
        add('device_entry_malformed', e.seq, `entry ${e.seq}'s record names another sequence number or device`);
        continue;
      }
      const previous = e.seq === 1 ? genesis : hashBySeq.get(e.seq - 1);
      if (previous === undefined) gaps++;
      else if (previous !== e.prevHash) add('device_entry_unlinked', e.seq, `entry ${e.seq} does not link to entry ${e.seq - 1}`);
      const recorded = anchorsOf.get(`${chain.deviceId}/${e.seq}`);
      if (!recorded) add('device_entry_unaudited', e.seq, `entry ${e.seq} is not recorded in the audit chain`);
      else {
        const other = recorded.find((a) => a.hash !== e.hash || a.signature !== e.signature);
        if (other) add('device_entry_replaced', e.seq, `entry ${e.seq} differs from the one audit entry ${other.auditSeq} recorded at sync`);
      }
    }
    if (chain.head.seq > 0 && hashBySeq.get(chain.head.seq) !== chain.head.hash)
      add('device_head_mismatch', chain.head.seq, `the recorded head (entry ${chain.head.seq}) is not among the synced entries as recorded`);
  }

  const exported = new Set(chains.map((c) => c.deviceId));
  for (const deviceId of registered.keys())
    if (!exported.has(deviceId))
      problems.push({
        kind: 'device_chain_missing',
        deviceId,
        seq: null,
        message: `device ${deviceId} is registered in the audit chain but its chain is not in the bundle`,
      });
  for (const a of scanAnchors)
    if (exported.has(a.deviceId) && !present.has(`${a.deviceId}/${a.seq}`))
      problems.push({
        kind: 'device_entry_missing',
        deviceId: a.deviceId,
        seq: a.seq,
        message: `device ${a.deviceId}: entry ${a.seq}, recorded in audit entry ${a.auditSeq}, is not among the device's synced entries`,
      });
  return { ok: problems.length === 0, included: true, devices: chains.length, entries, gaps, problems };
}
