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
    await this.insertMany(tx, [s]);
  }

  /** A sync batch's entries in one statement (one array per column, so one round trip however many). */
  async insertMany(tx: Transaction, scans: OfflineScan[]): Promise<void> {
    if (scans.length === 0) return;
    // flags (text[] per row) goes as JSON: unnest cannot take an array of arrays of different lengths.
    await tx.execute(
      `INSERT INTO offline_scan (${COLUMNS})
       SELECT x.device_id, x.scan_id, x.incident_id, x.seq, x.prev_hash, x.hash, x.signature, x.record, x.kind, x.device_scanned_at, x.scanned_at,
              x.received_at, x.pack_time, x.offline_decision, x.online_decision, x.outcome, x.code, x.message, x.attempt_id,
              ARRAY(SELECT jsonb_array_elements_text(x.flags))
         FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::int[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::timestamptz[],
                     $11::timestamptz[], $12::timestamptz[], $13::timestamptz[], $14::text[], $15::text[], $16::text[], $17::text[], $18::text[],
                     $19::uuid[], $20::jsonb[])
           WITH ORDINALITY AS x(device_id, scan_id, incident_id, seq, prev_hash, hash, signature, record, kind, device_scanned_at, scanned_at,
                                received_at, pack_time, offline_decision, online_decision, outcome, code, message, attempt_id, flags, n)
        ORDER BY x.n`,
      [
        scans.map((s) => s.deviceId),
        scans.map((s) => s.scanId),
        scans.map((s) => s.incidentId),
        scans.map((s) => s.seq),
        scans.map((s) => s.prevHash),
        scans.map((s) => s.hash),
        scans.map((s) => s.signature),
        scans.map((s) => s.record),
        scans.map((s) => s.kind),
        scans.map((s) => s.deviceScannedAt),
        scans.map((s) => s.scannedAt),
        scans.map((s) => s.receivedAt),
        scans.map((s) => s.packTime),
        scans.map((s) => s.offlineDecision),
        scans.map((s) => s.onlineDecision),
        scans.map((s) => s.outcome),
        scans.map((s) => s.code),
        scans.map((s) => s.message),
        scans.map((s) => s.attemptId),
        scans.map((s) => JSON.stringify(s.flags)),
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
