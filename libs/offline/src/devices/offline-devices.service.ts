import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { calculateJwkThumbprint } from 'jose';
import { AuditTrail, type AuditActor } from '@app/audit';
import type { Principal } from '@app/auth';
import { DomainError, notFound } from '@app/common';
import { Database } from '@app/db';
import { IncidentsService } from '@app/incidents';
import { DEVICE_KEY_ALGORITHM, genesisHash } from './device-log';
import { OfflineDevicesRepository, type OfflineDevice } from './offline-devices.repository';

/** Stations' device keys: registered while online by the staff member using the station, revoked by a commander. */
@Injectable()
export class OfflineDevicesService {
  constructor(
    private readonly database: Database,
    private readonly devices: OfflineDevicesRepository,
    private readonly incidents: IncidentsService,
    private readonly audit: AuditTrail,
  ) {}

  async register(incidentId: string, label: string, publicKey: JsonWebKey, principal: Principal, actor: AuditActor): Promise<OfflineDevice> {
    const incident = await this.incidents.get(incidentId);
    if (incident.state !== 'active') throw new DomainError('incident_closed', 'The incident is closed: no station can be registered for it.');
    const jwk = { kty: publicKey.kty ?? '', crv: publicKey.crv ?? '', x: publicKey.x ?? '', y: publicKey.y ?? '' };
    try {
      await crypto.subtle.importKey('jwk', jwk, DEVICE_KEY_ALGORITHM, false, ['verify']);
    } catch {
      throw new DomainError('unprocessable', 'publicKey is not an ECDSA P-256 public key (JWK with kty EC, crv P-256, x, y).');
    }
    const id = randomUUID();
    const device = await this.devices.insert({
      id,
      incidentId,
      userId: principal.userId,
      label,
      publicJwk: jwk,
      keyThumbprint: await calculateJwkThumbprint(jwk),
      headHash: await genesisHash(id),
    });
    if (!device) throw new DomainError('device_key_exists', 'This device key is already registered: generate a new key for a new registration.');
    await this.database.transaction((tx) =>
      this.audit.record(tx, {
        actor,
        action: 'offline.device_registered',
        incidentId,
        target: { type: 'offline_device', id },
        payload: { deviceId: id, label, keyThumbprint: device.keyThumbprint, userId: principal.userId },
      }),
    );
    return device;
  }

  async list(incidentId: string): Promise<OfflineDevice[]> {
    return this.devices.list(incidentId);
  }

  /** From now on the device's batches are refused; what it synced before stays. */
  async revoke(incidentId: string, deviceId: string, principal: Principal, actor: AuditActor): Promise<OfflineDevice> {
    const existing = await this.devices.find(deviceId, incidentId);
    if (!existing) throw notFound('Device', deviceId);
    return this.database.transaction(async (tx) => {
      const device = await this.devices.revoke(tx, deviceId, principal.userId);
      if (!device) throw notFound('Device', deviceId);
      if (!existing.revokedAt)
        await this.audit.record(tx, {
          actor,
          action: 'offline.device_revoked',
          incidentId,
          target: { type: 'offline_device', id: deviceId },
          payload: { deviceId, keyThumbprint: device.keyThumbprint, headSeq: device.headSeq },
        });
      return device;
    });
  }
}
