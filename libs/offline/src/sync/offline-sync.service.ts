import { Injectable } from '@nestjs/common';
import { z } from 'zod';
import { AuditTrail, type AuditActor } from '@app/audit';
import type { Principal } from '@app/auth';
import { Clock, DomainError, forbidden, notFound } from '@app/common';
import { Database, type Transaction } from '@app/db';
import { CheckInService, DeploymentsService, IncidentsService, type CheckInResponse, type OfflineCheckInContext } from '@app/incidents';
import { ParService } from '@app/accountability';
import { Outbox } from '@app/realtime';
import { entryHash, importDeviceKey, verifyEntrySignature, type DeviceLogEntry, type DeviceLogKind, type DeviceLogRecord } from '../devices/device-log';
import { OfflineDevicesRepository, type OfflineDevice } from '../devices/offline-devices.repository';
import { OfflineScansRepository, type OfflineScan, type OfflineScanOutcome } from './offline-scans.repository';

/** A device clock further than this from the server's at sync is corrected (and the scans flagged `clock_skew`). */
export const CLOCK_SKEW_TOLERANCE_MS = 5 * 60_000;

const common = {
  scanId: z.uuid(),
  seq: z.int().positive(),
  incidentId: z.uuid(),
  deviceId: z.uuid(),
  userId: z.string().max(64),
  scannedAt: z.iso.datetime({ offset: true }),
  packTime: z.iso.datetime({ offset: true }).nullable(),
  reasons: z.array(z.object({ code: z.string().max(100), message: z.string().max(1000) })).max(32),
};
const recordSchema = z.discriminatedUnion('kind', [
  z.object({
    ...common,
    kind: z.literal('check_in'),
    credential: z.string().min(1).max(65_536),
    locationId: z.uuid().optional(),
    positionId: z.uuid().optional(),
    decision: z.enum(['admitted', 'admitted_with_warnings', 'denied']),
  }),
  z.object({ ...common, kind: z.literal('check_out'), deploymentId: z.uuid(), decision: z.literal('checked_out') }),
  z
    .object({
      ...common,
      kind: z.literal('status_change'),
      deploymentId: z.uuid(),
      status: z.enum(['assigned', 'available', 'out_of_service']),
      reason: z.enum(['rest', 'personnel', 'credential', 'other']).optional(),
      assignment: z.string().min(1).max(120).optional(),
      note: z.string().max(500).optional(),
      decision: z.literal('queued'),
    })
    // The same requirements as the online route's ChangeStatusDto.
    .refine((r) => r.status !== 'out_of_service' || r.reason !== undefined)
    .refine((r) => r.status !== 'assigned' || r.assignment !== undefined),
  z.object({ ...common, kind: z.literal('par_ack'), parId: z.uuid(), deploymentId: z.uuid(), decision: z.literal('queued') }),
]);

/** The audit action of an entry the server refused to apply, by what the station logged. */
const REFUSED_ACTION: Record<DeviceLogKind, string> = {
  check_in: 'checkin.offline_refused',
  check_out: 'checkin.offline_refused',
  status_change: 'deployment.offline_status_refused',
  par_ack: 'par.offline_acknowledgement_refused',
};

/** Who may change a resource status online (the status route's roles): the same rule for one logged offline. */
const STATUS_CHANGERS: ReadonlySet<string> = new Set(['admin', 'commander']);

/** What the online side decided for an entry: a check-in's decision, or checked_out. */
interface OnlineResult {
  decision: string;
  reasons: Array<{ code: string; message: string }>;
  attemptId: string | null;
  name?: string;
}

export type EntryStatus = 'accepted' | 'duplicate' | 'rejected';

export interface EntryResult {
  seq: number;
  scanId: string | null;
  status: EntryStatus;
  outcome?: OfflineScanOutcome;
  onlineDecision?: string | null;
  attemptId?: string | null;
  code?: string;
  message?: string;
  flags?: string[];
}

export interface SyncResult {
  deviceId: string;
  receivedAt: string;
  clockSkewSeconds: number;
  head: { seq: number; hash: string };
  results: EntryResult[];
}

export interface SyncCommand {
  incidentId: string;
  deviceId: string;
  sentAt: string;
  entries: DeviceLogEntry[];
  principal: Principal;
  actor: AuditActor;
}

/** An entry that passed its checks, ready to be re-verified. */
interface Prepared {
  entry: DeviceLogEntry;
  record: DeviceLogRecord;
  base: Omit<OfflineScan, 'onlineDecision' | 'outcome' | 'code' | 'message' | 'attemptId'>;
  context: OfflineCheckInContext;
}

const admits = (decision: string | null | undefined): boolean => decision === 'admitted' || decision === 'admitted_with_warnings';

/**
 * Sync of a station's log (docs/offline.md): checks each entry's hash, link and device signature, then re-verifies
 * every new scan online through the check-in use case (scan id = Idempotency-Key, so a batch sent twice, or cut
 * off and sent again, records each scan once) and keeps the entry as evidence with both times and both decisions.
 * One sync of a device at a time (its row is locked); an entry that fails its checks is refused on its own.
 */
@Injectable()
export class OfflineSyncService {
  constructor(
    private readonly database: Database,
    private readonly devices: OfflineDevicesRepository,
    private readonly scans: OfflineScansRepository,
    private readonly checkIns: CheckInService,
    private readonly deployments: DeploymentsService,
    private readonly pars: ParService,
    private readonly incidents: IncidentsService,
    private readonly audit: AuditTrail,
    private readonly outbox: Outbox,
    private readonly clock: Clock,
  ) {}

  async sync(cmd: SyncCommand): Promise<SyncResult> {
    const receivedAt = this.clock.now();
    const skewMs = receivedAt.getTime() - Date.parse(cmd.sentAt);
    const entries = [...cmd.entries].sort((a, b) => a.seq - b.seq);
    for (let i = 1; i < entries.length; i++)
      if (entries[i].seq === entries[i - 1].seq) throw new DomainError('device_log_invalid', `The batch holds entry ${entries[i].seq} twice.`);

    return this.database.transaction(async (tx) => {
      const device = await this.devices.lock(tx, cmd.deviceId);
      if (!device || device.incidentId !== cmd.incidentId) throw notFound('Device', cmd.deviceId);
      if (device.revokedAt)
        throw new DomainError(
          'device_revoked',
          `This station's device key was revoked on ${device.revokedAt.toISOString()}: its log is not accepted. Scans already synced are kept.`,
        );
      if (device.userId !== cmd.principal.userId && cmd.principal.role !== 'admin')
        throw new DomainError('forbidden', 'Only the user who registered this station (or an admin) syncs its log.');

      const synced = await this.scans.synced(
        tx,
        device.id,
        entries.map((e) => e.seq),
        [],
      );
      const bySeq = new Map(synced.map((s) => [s.seq, s]));
      // Hashes each entry may link to: the synced head, earlier synced entries, and every entry of this batch (an
      // entry's hash is vouched for by the signature of the next one, even when its own record was edited).
      const links = new Map<number, string>([[device.headSeq, device.headHash]]);
      for (const s of synced) links.set(s.seq, s.hash);
      for (const e of entries) if (!links.has(e.seq)) links.set(e.seq, e.hash);

      const incident = await this.incidents.get(cmd.incidentId, tx);
      // Chain and signature checks side by side (each reads only what is fixed above; the device key imported once);
      // then the new scans re-verified together (check-ins arriving together share a commit); then each recorded in
      // log order, the batch's evidence rows in one statement.
      const deviceKey = await importDeviceKey(device.publicJwk);
      const prepared: Array<EntryResult | Prepared> = await Promise.all(
        entries.map((entry) => this.prepare(cmd, device, deviceKey, entry, bySeq.get(entry.seq), links, receivedAt, skewMs, incident)),
      );
      // A scan id is the idempotency key: one used by another entry (in this batch or synced before) is an edited log.
      const reused = new Set(
        (
          await this.scans.synced(
            tx,
            device.id,
            [],
            prepared.flatMap((p) => ('entry' in p ? [p.record.scanId] : [])),
          )
        ).map((s) => s.scanId),
      );
      const seen = new Set<string>();
      for (const [i, p] of prepared.entries()) {
        if (!('entry' in p)) continue;
        if (reused.has(p.record.scanId) || seen.has(p.record.scanId))
          prepared[i] = {
            seq: p.entry.seq,
            scanId: p.record.scanId,
            status: 'rejected',
            code: 'device_log_edited',
            message: `Entry ${p.entry.seq} reuses the scan id of another entry: the log was changed on the device.`,
          };
        seen.add(p.record.scanId);
      }
      const online = await this.applyInOrder(cmd, device, prepared);
      const results: EntryResult[] = [];
      const evidence: OfflineScan[] = [];
      let head = { seq: device.headSeq, hash: device.headHash };
      for (const [i, p] of prepared.entries()) {
        const result = 'entry' in p ? await this.record(tx, cmd, p, online[i]!, receivedAt, evidence) : p;
        results.push(result);
        if (result.status === 'accepted' && result.seq > head.seq && 'entry' in p) head = { seq: p.entry.seq, hash: p.entry.hash };
      }
      await this.scans.insertMany(tx, evidence);
      await this.devices.advanceHead(tx, device.id, head.seq, head.hash);
      return { deviceId: device.id, receivedAt: receivedAt.toISOString(), clockSkewSeconds: Math.round(skewMs / 1000), head, results };
    });
  }

  /** Checks an entry (duplicate, hash, signature, record, link) and works out its times; a refusal is final. */
  private async prepare(
    cmd: SyncCommand,
    device: OfflineDevice,
    deviceKey: CryptoKey | null,
    entry: DeviceLogEntry,
    previous: OfflineScan | undefined,
    links: Map<number, string>,
    receivedAt: Date,
    skewMs: number,
    incident: { state: string; closedAt: Date | null },
  ): Promise<EntryResult | Prepared> {
    const refuse = (code: string, message: string, scanId: string | null = null): EntryResult => ({
      seq: entry.seq,
      scanId,
      status: 'rejected',
      code,
      message,
    });
    if (previous) {
      if (previous.hash === entry.hash)
        return {
          seq: entry.seq,
          scanId: previous.scanId,
          status: 'duplicate',
          outcome: previous.outcome,
          onlineDecision: previous.onlineDecision,
          attemptId: previous.attemptId,
          code: previous.code ?? undefined,
          flags: previous.flags,
        };
      return refuse('device_log_edited', `Entry ${entry.seq} differs from the entry ${entry.seq} synced before: the log was changed on the device.`);
    }
    if ((await entryHash(entry.prevHash, entry.record)) !== entry.hash)
      return refuse('device_log_edited', `Entry ${entry.seq} does not match its hash: it was changed on the device after it was written.`);
    if (!(await verifyEntrySignature(deviceKey, entry.hash, entry.signature)))
      return refuse('device_signature_invalid', `Entry ${entry.seq} is not signed by this station's device key.`);
    let record: DeviceLogRecord;
    try {
      record = recordSchema.parse(JSON.parse(entry.record)) as DeviceLogRecord;
    } catch {
      return refuse('device_log_malformed', `Entry ${entry.seq} is not a scan record this server reads.`);
    }
    if (record.seq !== entry.seq || record.deviceId !== device.id || record.incidentId !== cmd.incidentId)
      return refuse('device_log_malformed', `Entry ${entry.seq} names another sequence number, device or incident.`, record.scanId);

    const flags: string[] = [];
    const linked = links.get(entry.seq - 1);
    if (linked === undefined) flags.push('chain_gap');
    else if (linked !== entry.prevHash)
      return refuse('device_log_edited', `Entry ${entry.seq} does not link to entry ${entry.seq - 1}: the log was rewritten on the device.`, record.scanId);

    // Clock skew: the station's clock at upload against the server's; beyond the tolerance its times are corrected.
    const deviceScannedAt = new Date(record.scannedAt);
    let scannedAt = deviceScannedAt;
    if (Math.abs(skewMs) > CLOCK_SKEW_TOLERANCE_MS) {
      scannedAt = new Date(deviceScannedAt.getTime() + skewMs);
      flags.push('clock_skew');
    }
    if (scannedAt.getTime() > receivedAt.getTime()) {
      scannedAt = receivedAt;
      flags.push('scanned_in_future');
    }
    if (incident.state === 'closed' && incident.closedAt && scannedAt.getTime() > incident.closedAt.getTime()) flags.push('after_close');
    return {
      entry,
      record,
      base: {
        deviceId: device.id,
        scanId: record.scanId,
        incidentId: cmd.incidentId,
        seq: entry.seq,
        prevHash: entry.prevHash,
        hash: entry.hash,
        signature: entry.signature,
        record: entry.record,
        kind: record.kind,
        deviceScannedAt,
        scannedAt,
        receivedAt,
        packTime: record.packTime ? new Date(record.packTime) : null,
        offlineDecision: record.decision,
        flags,
      },
      context: {
        deviceId: device.id,
        scanId: record.scanId,
        seq: entry.seq,
        hash: entry.hash,
        signature: entry.signature,
        deviceScannedAt: record.scannedAt,
        scannedAt: scannedAt.toISOString(),
        receivedAt: receivedAt.toISOString(),
        packTime: record.packTime,
        offlineDecision: record.decision,
      },
    };
  }

  /**
   * Applies the entries in log order: a run of consecutive check-ins together (they share the check-in use case's
   * group commit and do not depend on each other's order), every other entry alone after what came before it, so
   * two status changes of one person, or a status change and a check-out, land in the order they were made.
   */
  private async applyInOrder(
    cmd: SyncCommand,
    device: OfflineDevice,
    prepared: Array<EntryResult | Prepared>,
  ): Promise<Array<OnlineResult | DomainError | undefined>> {
    const online: Array<OnlineResult | DomainError | undefined> = new Array(prepared.length).fill(undefined);
    let run: number[] = [];
    const flush = async (): Promise<void> => {
      const results = await Promise.all(run.map((i) => this.reverify(cmd, device, prepared[i] as Prepared)));
      run.forEach((i, k) => (online[i] = results[k]));
      run = [];
    };
    for (const [i, p] of prepared.entries()) {
      if (!('entry' in p)) continue;
      if (p.record.kind === 'check_in') {
        run.push(i);
        continue;
      }
      await flush();
      online[i] = await this.reverify(cmd, device, p);
    }
    await flush();
    return online;
  }

  /** The scan through the check-in use case (its scan id as Idempotency-Key): the online decision, or why it was refused. */
  private async reverify(cmd: SyncCommand, device: OfflineDevice, p: Prepared): Promise<OnlineResult | DomainError> {
    const actor: AuditActor = cmd.actor.kind === 'user' ? { ...cmd.actor, device: device.id } : cmd.actor;
    try {
      if (p.record.kind === 'check_out') {
        const d = await this.deployments.checkOut(cmd.incidentId, p.record.deploymentId ?? '', 'checked out offline', actor, cmd.principal.userId, {
          offline: { ...p.context },
        });
        return { decision: 'checked_out', reasons: [], attemptId: null, name: d.responder.name };
      }
      if (p.record.kind === 'status_change') {
        if (!STATUS_CHANGERS.has(cmd.principal.role)) throw forbidden('Only commanders (and admins) change a resource status.');
        const { status, reason, assignment, note } = p.record;
        const d = await this.deployments.changeStatus(
          cmd.incidentId,
          p.record.deploymentId ?? '',
          { status: status ?? 'available', reason, assignment, note },
          actor,
          { offline: { ...p.context } },
        );
        return { decision: 'status_changed', reasons: [], attemptId: null, name: d.responder.name };
      }
      if (p.record.kind === 'par_ack') {
        // As the acknowledgement route: a check-in station's acknowledgement counts as a scan, a commander's as the board's.
        const via = cmd.principal.role === 'checkin' ? 'scan' : 'board';
        await this.pars.mark(cmd.incidentId, p.record.parId ?? '', [p.record.deploymentId ?? ''], 'accounted', via, cmd.principal, actor, {
          offline: { ...p.context },
        });
        return { decision: 'acknowledged', reasons: [], attemptId: null };
      }
      const outcome = await this.checkIns.checkIn({
        incidentId: cmd.incidentId,
        principal: cmd.principal,
        actor,
        body: { credential: p.record.credential ?? '', locationId: p.record.locationId, positionId: p.record.positionId },
        idempotencyKey: p.record.scanId,
        deviceId: device.id,
        offline: p.context,
      });
      const response = JSON.parse(outcome.body) as CheckInResponse;
      return { decision: response.decision, reasons: response.reasons, attemptId: response.attemptId, name: response.verification.credential?.subject.name };
    } catch (err) {
      if (err instanceof DomainError) return err;
      throw err;
    }
  }

  /**
   * Adds the entry to the batch's evidence (`evidence`, written together) with both outcomes; a refusal is audited,
   * an offline admission denied online alerts the board.
   */
  private async record(
    tx: Transaction,
    cmd: SyncCommand,
    p: Prepared,
    online: OnlineResult | DomainError,
    receivedAt: Date,
    evidence: OfflineScan[],
  ): Promise<EntryResult> {
    const { record, base, context } = p;
    const flags = base.flags;
    if (online instanceof DomainError) {
      // Refused outright (incident closed, a position or location gone): kept as evidence, in the audit chain.
      evidence.push({ ...base, onlineDecision: null, outcome: 'refused', code: online.code, message: online.message, attemptId: null });
      await this.audit.record(tx, {
        actor: cmd.actor,
        action: REFUSED_ACTION[record.kind],
        incidentId: cmd.incidentId,
        target: { type: 'offline_scan', id: record.scanId },
        payload: {
          offline: { ...context, reconfirmedAt: receivedAt.toISOString() },
          kind: record.kind,
          ...(record.deploymentId ? { deploymentId: record.deploymentId } : {}),
          ...(record.parId ? { parId: record.parId } : {}),
          code: online.code,
          message: online.message,
          flags,
        },
      });
      if (admits(record.decision)) await this.flagChanged(tx, cmd.incidentId, null, record, context, 'denied', online.message, receivedAt);
      return {
        seq: p.entry.seq,
        scanId: record.scanId,
        status: 'accepted',
        outcome: 'refused',
        onlineDecision: null,
        code: online.code,
        message: online.message,
        flags,
      };
    }
    const changed = admits(record.decision) !== admits(online.decision);
    const scan: OfflineScan = {
      ...base,
      onlineDecision: online.decision,
      outcome: changed ? 'changed' : 'reconfirmed',
      code: changed ? (online.reasons[0]?.code ?? null) : null,
      message: changed ? (online.reasons[0]?.message ?? null) : null,
      attemptId: online.attemptId,
    };
    evidence.push(scan);
    if (changed && admits(record.decision)) {
      const why = online.reasons.map((r) => r.message).join(' ') || 'Denied when re-verified online.';
      await this.flagChanged(tx, cmd.incidentId, online, record, context, online.decision, why, receivedAt);
    }
    return {
      seq: p.entry.seq,
      scanId: record.scanId,
      status: 'accepted',
      outcome: scan.outcome,
      onlineDecision: online.decision,
      attemptId: online.attemptId,
      ...(scan.code ? { code: scan.code, message: scan.message ?? undefined } : {}),
      flags,
    };
  }

  /** An offline admission the online re-verification denied: an alert on the board and in the audit chain. */
  private async flagChanged(
    tx: Transaction,
    incidentId: string,
    online: OnlineResult | null,
    record: DeviceLogRecord,
    context: { deviceId: string; scanId: string; scannedAt: string; packTime: string | null; offlineDecision: string },
    onlineDecision: string,
    message: string,
    at: Date,
  ): Promise<void> {
    const name = online?.name ?? 'Unknown responder';
    const flag = { code: 'changed_since_offline' as const, message: `Admitted offline at ${context.scannedAt}; ${message}`, at: at.toISOString() };
    const offline = {
      scanId: context.scanId,
      deviceId: context.deviceId,
      scannedAt: context.scannedAt,
      packTime: context.packTime,
      offlineDecision: context.offlineDecision,
      onlineDecision,
      reconfirmedAt: at.toISOString(),
    };
    await this.audit.record(tx, {
      actor: { kind: 'system', process: 'api' },
      action: 'credential.flagged',
      incidentId,
      target: { type: 'offline_scan', id: record.scanId },
      payload: { responderId: null, flag, offline, reasons: online?.reasons ?? [] },
    });
    await this.outbox.append(tx, incidentId, 'credential.flagged', { deploymentId: null, responderId: null, name, flag, offline });
  }
}
