import { randomUUID } from 'node:crypto';
import request from 'supertest';
import type { App } from 'supertest/types';
import { entryHash, genesisHash, type DeviceLogEntry, type DeviceLogRecord } from '@app/offline';
import { bearer } from './test-app';

const b64url = (bytes: ArrayBuffer): string => Buffer.from(bytes).toString('base64url');

/**
 * A station as the web app runs it, in Node: a non-extractable ECDSA P-256 device key registered with the server,
 * and a hash-chained, signed log of scans (the same functions the browser uses).
 */
export class TestStation {
  readonly entries: DeviceLogEntry[] = [];
  private head = '';

  private constructor(
    readonly deviceId: string,
    readonly incidentId: string,
    readonly userId: string,
    private readonly key: CryptoKey,
  ) {}

  /** A new device key: the private half non-extractable, as on a station. */
  static async newKey(): Promise<{ privateKey: CryptoKey; publicKey: { kty: string; crv: string; x: string; y: string } }> {
    const pair = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify'])) as CryptoKeyPair;
    const jwk = await crypto.subtle.exportKey('jwk', pair.publicKey);
    return { privateKey: pair.privateKey, publicKey: { kty: jwk.kty!, crv: jwk.crv!, x: jwk.x!, y: jwk.y! } };
  }

  /** A station whose key was registered as `deviceId`. */
  static async attach(deviceId: string, incidentId: string, userId: string, privateKey: CryptoKey): Promise<TestStation> {
    const station = new TestStation(deviceId, incidentId, userId, privateKey);
    station.head = await genesisHash(deviceId);
    return station;
  }

  static async register(http: App, token: string, incidentId: string, userId: string, label = 'Test station'): Promise<TestStation> {
    const { privateKey, publicKey } = await TestStation.newKey();
    const res = await request(http)
      .post(`/incidents/${incidentId}/devices`)
      .set(...bearer(token))
      .send({ label, publicKey });
    if (res.status !== 201) throw new Error(`device registration failed: ${res.status} ${JSON.stringify(res.body)}`);
    const station = await TestStation.attach(res.body.id as string, incidentId, userId, privateKey);
    expect(res.body.headHash).toBe(station.head);
    return station;
  }

  /** Logs a scan as the station would (decision taken offline), returning its scan id. */
  async scan(
    credential: string,
    decision: DeviceLogRecord['decision'],
    opts: { scannedAt?: Date; packTime?: string | null; reasons?: DeviceLogRecord['reasons']; locationId?: string; positionId?: string } = {},
  ): Promise<DeviceLogEntry & { scanId: string }> {
    const seq = this.entries.length + 1;
    const record: DeviceLogRecord = {
      scanId: randomUUID(),
      seq,
      kind: 'check_in',
      incidentId: this.incidentId,
      deviceId: this.deviceId,
      userId: this.userId,
      scannedAt: (opts.scannedAt ?? new Date()).toISOString(),
      packTime: opts.packTime ?? null,
      credential,
      ...(opts.locationId ? { locationId: opts.locationId } : {}),
      ...(opts.positionId ? { positionId: opts.positionId } : {}),
      decision,
      reasons: opts.reasons ?? [],
    };
    return this.append(record);
  }

  /** Logs a check-out of a deployment on the pack's roster, as the station would while offline. */
  async checkOut(deploymentId: string, scannedAt = new Date()): Promise<DeviceLogEntry & { scanId: string }> {
    return this.append({
      scanId: randomUUID(),
      seq: this.entries.length + 1,
      kind: 'check_out',
      incidentId: this.incidentId,
      deviceId: this.deviceId,
      userId: this.userId,
      scannedAt: scannedAt.toISOString(),
      packTime: null,
      deploymentId,
      decision: 'checked_out',
      reasons: [],
    });
  }

  /** Logs a resource status change of a deployment on the pack's roster, queued until the station syncs. */
  async statusChange(
    deploymentId: string,
    change: { status: 'assigned' | 'available' | 'out_of_service'; reason?: 'rest' | 'personnel' | 'credential' | 'other'; assignment?: string; note?: string },
    scannedAt = new Date(),
  ): Promise<DeviceLogEntry & { scanId: string }> {
    return this.append({
      scanId: randomUUID(),
      seq: this.entries.length + 1,
      kind: 'status_change',
      incidentId: this.incidentId,
      deviceId: this.deviceId,
      userId: this.userId,
      scannedAt: scannedAt.toISOString(),
      packTime: null,
      deploymentId,
      ...change,
      decision: 'queued',
      reasons: [],
    });
  }

  /** Logs an acknowledgement of a person in a running PAR, queued until the station syncs. */
  async parAck(parId: string, deploymentId: string, scannedAt = new Date()): Promise<DeviceLogEntry & { scanId: string }> {
    return this.append({
      scanId: randomUUID(),
      seq: this.entries.length + 1,
      kind: 'par_ack',
      incidentId: this.incidentId,
      deviceId: this.deviceId,
      userId: this.userId,
      scannedAt: scannedAt.toISOString(),
      packTime: null,
      parId,
      deploymentId,
      decision: 'queued',
      reasons: [],
    });
  }

  private async append(record: DeviceLogRecord): Promise<DeviceLogEntry & { scanId: string }> {
    const text = JSON.stringify(record);
    const hash = await entryHash(this.head, text);
    const signature = b64url(await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, this.key, new TextEncoder().encode(hash)));
    const entry = { seq: record.seq, prevHash: this.head, hash, signature, record: text };
    this.entries.push(entry);
    this.head = hash;
    return { ...entry, scanId: record.scanId };
  }

  sync(http: App, token: string, entries: DeviceLogEntry[] = this.entries, sentAt = new Date()): request.Test {
    return request(http)
      .post(`/incidents/${this.incidentId}/devices/${this.deviceId}/sync`)
      .set(...bearer(token))
      .send({ sentAt: sentAt.toISOString(), entries });
  }
}
