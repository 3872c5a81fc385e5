import { Injectable } from '@nestjs/common';
import { Database, type SqlScope, type Transaction } from '@app/db';

export type OfflineScanOutcome = 'reconfirmed' | 'changed' | 'refused';

/** An entry of a device log as synced: the chain link and signature (evidence), both times and both decisions. */
export interface OfflineScan {
  deviceId: string;
  scanId: string;
  incidentId: string;
  seq: number;
  prevHash: string;
  hash: string;
  signature: string;
  record: string;
  kind: string;
  deviceScannedAt: Date;
  scannedAt: Date;
  receivedAt: Date;
  packTime: Date | null;
  offlineDecision: string;
  onlineDecision: string | null;
  outcome: OfflineScanOutcome;
  code: string | null;
  message: string | null;
  attemptId: string | null;
  flags: string[];
}

interface ScanRow {
  device_id: string;
  scan_id: string;
  incident_id: string;
  seq: number;
  prev_hash: string;
  hash: string;
  signature: string;
  record: string;
  kind: string;
  device_scanned_at: Date;
  scanned_at: Date;
  received_at: Date;
  pack_time: Date | null;
  offline_decision: string;
  online_decision: string | null;
  outcome: OfflineScanOutcome;
  code: string | null;
  message: string | null;
  attempt_id: string | null;
  flags: string[];
}

const toScan = (r: ScanRow): OfflineScan => ({
  deviceId: r.device_id,
  scanId: r.scan_id,
  incidentId: r.incident_id,
  seq: r.seq,
  prevHash: r.prev_hash,
  hash: r.hash,
  signature: r.signature,
  record: r.record,
  kind: r.kind,
  deviceScannedAt: r.device_scanned_at,
  scannedAt: r.scanned_at,
  receivedAt: r.received_at,
  packTime: r.pack_time,
  offlineDecision: r.offline_decision,
  onlineDecision: r.online_decision,
  outcome: r.outcome,
  code: r.code,
  message: r.message,
  attemptId: r.attempt_id,
  flags: r.flags,
});

const COLUMNS =
  'device_id, scan_id, incident_id, seq, prev_hash, hash, signature, record, kind, device_scanned_at, scanned_at, received_at, pack_time, offline_decision, online_decision, outcome, code, message, attempt_id, flags';

/** offline_scan: the synced entries of every device log (kept as evidence; never updated). */
@Injectable()
export class OfflineScansRepository {
  constructor(private readonly db: Database) {}

  /** The entries of this device already synced, by seq or by scan id. */
  async synced(tx: Transaction, deviceId: string, seqs: number[], scanIds: string[]): Promise<OfflineScan[]> {
    const rows = await tx.query<ScanRow>(`SELECT ${COLUMNS} FROM offline_scan WHERE device_id = $1 AND (seq = ANY($2::int[]) OR scan_id = ANY($3::uuid[]))`, [
      deviceId,
      seqs,
      scanIds,
    ]);
    return rows.map(toScan);
  }

  /** The hash of the device's entry just before `seq` (for entries whose predecessor was synced in an earlier batch). */
  async hashAt(tx: Transaction, deviceId: string, seq: number): Promise<string | undefined> {
    const row = await tx.queryOne<{ hash: string }>(`SELECT hash FROM offline_scan WHERE device_id = $1 AND seq = $2`, [deviceId, seq]);
    return row?.hash;
  }

  async insert(tx: Transaction, s: OfflineScan): Promise<void> {
    await tx.execute(
      `INSERT INTO offline_scan (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)`,
      [
        s.deviceId,
        s.scanId,
        s.incidentId,
        s.seq,
        s.prevHash,
        s.hash,
        s.signature,
        s.record,
        s.kind,
        s.deviceScannedAt,
        s.scannedAt,
        s.receivedAt,
        s.packTime,
        s.offlineDecision,
        s.onlineDecision,
        s.outcome,
        s.code,
        s.message,
        s.attemptId,
        s.flags,
      ],
    );
  }

  /** Every synced entry of an incident's device logs, as chain links (device, then seq): the audit export's evidence. */
  async chainEntries(
    scope: SqlScope,
    incidentId: string,
  ): Promise<Array<{ deviceId: string; seq: number; prevHash: string; hash: string; signature: string; record: string; receivedAt: Date }>> {
    const rows = await scope.query<Pick<ScanRow, 'device_id' | 'seq' | 'prev_hash' | 'hash' | 'signature' | 'record' | 'received_at'>>(
      `SELECT device_id, seq, prev_hash, hash, signature, record, received_at FROM offline_scan WHERE incident_id = $1 ORDER BY device_id, seq`,
      [incidentId],
    );
    return rows.map((r) => ({
      deviceId: r.device_id,
      seq: r.seq,
      prevHash: r.prev_hash,
      hash: r.hash,
      signature: r.signature,
      record: r.record,
      receivedAt: r.received_at,
    }));
  }

  /** An incident's synced offline scans, oldest scan first. */
  async forIncident(incidentId: string, limit: number): Promise<OfflineScan[]> {
    const rows = await this.db.query<ScanRow>(`SELECT ${COLUMNS} FROM offline_scan WHERE incident_id = $1 ORDER BY scanned_at, device_id, seq LIMIT $2`, [
      incidentId,
      limit,
    ]);
    return rows.map(toScan);
  }
}
