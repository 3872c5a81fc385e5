import { Injectable } from '@nestjs/common';
import { Database, type SqlScope, type Transaction } from '@app/db';

export interface OfflineDevice {
  id: string;
  incidentId: string;
  userId: string;
  label: string;
  publicJwk: JsonWebKey;
  keyThumbprint: string;
  registeredAt: Date;
  revokedAt: Date | null;
  headSeq: number;
  headHash: string;
}

interface DeviceRow {
  id: string;
  incident_id: string;
  user_id: string;
  label: string;
  public_jwk: JsonWebKey;
  key_thumbprint: string;
  registered_at: Date;
  revoked_at: Date | null;
  head_seq: number;
  head_hash: string;
}

const toDevice = (r: DeviceRow): OfflineDevice => ({
  id: r.id,
  incidentId: r.incident_id,
  userId: r.user_id,
  label: r.label,
  publicJwk: r.public_jwk,
  keyThumbprint: r.key_thumbprint,
  registeredAt: r.registered_at,
  revokedAt: r.revoked_at,
  headSeq: r.head_seq,
  headHash: r.head_hash,
});

const COLUMNS = 'id, incident_id, user_id, label, public_jwk, key_thumbprint, registered_at, revoked_at, head_seq, head_hash';

/** offline_device: stations' device keys and the head of each device's synced log. */
@Injectable()
export class OfflineDevicesRepository {
  constructor(private readonly db: Database) {}

  async insert(device: Omit<OfflineDevice, 'registeredAt' | 'revokedAt' | 'headSeq'>): Promise<OfflineDevice | undefined> {
    const row = await this.db.queryOne<DeviceRow>(
      `INSERT INTO offline_device (id, incident_id, user_id, label, public_jwk, key_thumbprint, head_hash)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (key_thumbprint) DO NOTHING RETURNING ${COLUMNS}`,
      [device.id, device.incidentId, device.userId, device.label, device.publicJwk, device.keyThumbprint, device.headHash],
    );
    return row ? toDevice(row) : undefined;
  }

  async find(id: string, incidentId: string, scope: SqlScope = this.db): Promise<OfflineDevice | undefined> {
    const row = await scope.queryOne<DeviceRow>(`SELECT ${COLUMNS} FROM offline_device WHERE id = $1 AND incident_id = $2`, [id, incidentId]);
    return row ? toDevice(row) : undefined;
  }

  async list(incidentId: string, scope: SqlScope = this.db): Promise<OfflineDevice[]> {
    const rows = await scope.query<DeviceRow>(`SELECT ${COLUMNS} FROM offline_device WHERE incident_id = $1 ORDER BY registered_at`, [incidentId]);
    return rows.map(toDevice);
  }

  async revoke(tx: Transaction, id: string, by: string): Promise<OfflineDevice | undefined> {
    const row = await tx.queryOne<DeviceRow>(
      `UPDATE offline_device SET revoked_at = coalesce(revoked_at, now()), revoked_by = coalesce(revoked_by, $2) WHERE id = $1 RETURNING ${COLUMNS}`,
      [id, by],
    );
    return row ? toDevice(row) : undefined;
  }

  /** Locks the device row for a sync (one sync of a device at a time, on every api node). */
  async lock(tx: Transaction, id: string): Promise<OfflineDevice | undefined> {
    const row = await tx.queryOne<DeviceRow>(`SELECT ${COLUMNS} FROM offline_device WHERE id = $1 FOR UPDATE`, [id]);
    return row ? toDevice(row) : undefined;
  }

  async advanceHead(tx: Transaction, id: string, seq: number, hash: string): Promise<void> {
    await tx.execute(`UPDATE offline_device SET head_seq = $2, head_hash = $3 WHERE id = $1 AND head_seq < $2`, [id, seq, hash]);
  }
}
