/**
 * A station's durable log: each entry's hash covers the previous hash and the record's exact JSON text, and the
 * device key (ECDSA P-256, non-extractable on the station) signs that hash. WebCrypto only: the station
 * (apps/web/src/offline) and the server run this same code.
 */
export const DEVICE_LOG_GENESIS_PREFIX = 'responder-checkin/device-log/';

const hex = (buffer: ArrayBuffer): string => [...new Uint8Array(buffer)].map((b) => b.toString(16).padStart(2, '0')).join('');

const sha256 = async (text: string): Promise<string> => hex(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));

/** The hash the first entry of a device's log links to. */
export const genesisHash = (deviceId: string): Promise<string> => sha256(`${DEVICE_LOG_GENESIS_PREFIX}${deviceId}`);

/** An entry's hash: SHA-256 over the previous hash, a newline and the record's JSON text. */
export const entryHash = (prevHash: string, record: string): Promise<string> => sha256(`${prevHash}\n${record}`);

export const DEVICE_KEY_ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256' } as const;
export const DEVICE_SIGNATURE_ALGORITHM = { name: 'ECDSA', hash: 'SHA-256' } as const;

/** A device's public key imported for verifying (import it once to check many entries); null if it is unusable. */
export async function importDeviceKey(publicJwk: JsonWebKey): Promise<CryptoKey | null> {
  try {
    return await crypto.subtle.importKey('jwk', { kty: publicJwk.kty, crv: publicJwk.crv, x: publicJwk.x, y: publicJwk.y }, DEVICE_KEY_ALGORITHM, false, [
      'verify',
    ]);
  } catch {
    return null;
  }
}

/** Verifies a device signature (base64url, IEEE P1363 r||s) over an entry hash, with the key as JWK or imported. */
export async function verifyEntrySignature(publicKey: JsonWebKey | CryptoKey | null, hash: string, signature: string): Promise<boolean> {
  try {
    const key = publicKey === null || publicKey instanceof CryptoKey ? publicKey : await importDeviceKey(publicKey);
    if (!key) return false;
    const raw = atob(signature.replace(/-/g, '+').replace(/_/g, '/'));
    const bytes = new Uint8Array(raw.length);
    for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    return await crypto.subtle.verify(DEVICE_SIGNATURE_ALGORITHM, key, bytes, new TextEncoder().encode(hash));
  } catch {
    return false;
  }
}

/** An entry as the station uploads it. */
export interface DeviceLogEntry {
  seq: number;
  prevHash: string;
  hash: string;
  signature: string;
  /** The record (DeviceLogRecord) as JSON text, exactly as hashed. */
  record: string;
}

export type DeviceLogKind = 'check_in' | 'check_out' | 'status_change' | 'par_ack';

/** What a station logs for each scan, before it shows the result. */
export interface DeviceLogRecord {
  scanId: string;
  seq: number;
  /**
   * A badge scan; or, for a deployment on the pack's roster, a check-out, a resource status change, or its
   * acknowledgement in a running PAR.
   */
  kind: DeviceLogKind;
  incidentId: string;
  deviceId: string;
  userId: string;
  /** The station's clock. */
  scannedAt: string;
  /** The pack the scan was verified with (its packedAt), null without one. */
  packTime: string | null;
  /** The badge as scanned (check_in). */
  credential?: string;
  /** The deployment checked out, changed or acknowledged (check_out, status_change, par_ack). */
  deploymentId?: string;
  /** The new resource status (status_change), with its reason (out_of_service), assignment (assigned) and note. */
  status?: 'assigned' | 'available' | 'out_of_service';
  reason?: 'rest' | 'personnel' | 'credential' | 'other';
  assignment?: string;
  note?: string;
  /** The PAR acknowledged in (par_ack). */
  parId?: string;
  locationId?: string;
  positionId?: string;
  /** The station's decision; `queued` for a status change or PAR acknowledgement, which only the server applies. */
  decision: 'admitted' | 'admitted_with_warnings' | 'denied' | 'checked_out' | 'queued';
  reasons: Array<{ code: string; message: string }>;
}
