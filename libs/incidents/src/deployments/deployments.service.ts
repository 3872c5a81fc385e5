import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { AuditTrail, type AuditActor } from '@app/audit';
import { DomainError, notFound } from '@app/common';
import type { SqlScope } from '@app/db';
import { Outbox, type StatusSnapshot } from '@app/realtime';
import { DeploymentReader } from './deployment-reader';
import { DeploymentEntity } from './deployment.entity';
import { hoursBetween, type DeploymentView } from './deployment.view';
import { ICS211_EDITABLE_FIELDS, type Ics211Fields } from './ics211';
import type { ChangeStatusDto } from './dto/deployment.dto';
import type { Ics211InputDto } from '../check-in/dto/check-in.dto';

/** A change to the responder's name or e-mail, by a verified credential from a trusted issuer (responder_identity_change). */
export interface IdentityChangeItem {
  field: 'name' | 'email';
  from: string | null;
  to: string;
  issuerId: string;
  credentialHash: string;
  incidentId: string;
  changedAt: string;
}

export interface StatusHistoryItem {
  from: Partial<StatusSnapshot> | null;
  to: StatusSnapshot | { status: 'demobilized' };
  note: string | null;
  changedBy: AuditActor;
  changedAt: string;
}

interface LockedDeploymentRow {
  id: string;
  incident_id: string;
  responder_id: string;
  credential_id: string;
  position_id: string | null;
  location_id: string | null;
  decision: DeploymentEntity['decision'];
  status: DeploymentEntity['status'];
  status_reason: DeploymentEntity['statusReason'];
  assignment: string | null;
  credential_flag: DeploymentEntity['credentialFlag'];
  ics211: DeploymentEntity['ics211'];
  checked_in_at: Date;
  checked_in_by: string | null;
  checked_out_at: Date | null;
  checked_out_by: string | null;
  last_reverified_at: Date | null;
  version: number;
}

/** Who changed a status, as the board shows it: a role, never an e-mail address (the history names the user). */
const changedByOnBoard = (a: AuditActor): string => (a.kind === 'user' ? a.role : a.kind === 'system' ? `system (${a.process})` : 'anonymous');

/** What commanders do to a deployment: resource status and assignment, ICS 211 corrections, check-out. */
@Injectable()
export class DeploymentsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly reader: DeploymentReader,
    private readonly audit: AuditTrail,
    private readonly outbox: Outbox,
  ) {}

  /** Locks the deployment row for the rest of the transaction. */
  async lock(tx: Pick<SqlScope, 'query'>, incidentId: string, deploymentId: string): Promise<DeploymentEntity> {
    const [row] = await tx.query<LockedDeploymentRow>(`SELECT * FROM deployment WHERE id = $1 AND incident_id = $2 LIMIT 1 FOR UPDATE`, [deploymentId, incidentId]);
    if (!row) throw notFound('Deployment', deploymentId);
    return Object.assign(new DeploymentEntity(), {
      id: row.id,
      incidentId: row.incident_id,
      responderId: row.responder_id,
      credentialId: row.credential_id,
      positionId: row.position_id,
      locationId: row.location_id,
      decision: row.decision,
      status: row.status,
      statusReason: row.status_reason,
      assignment: row.assignment,
      credentialFlag: row.credential_flag,
      ics211: row.ics211,
      checkedInAt: row.checked_in_at,
      checkedInBy: row.checked_in_by,
      checkedOutAt: row.checked_out_at,
      checkedOutBy: row.checked_out_by,
      lastReverifiedAt: row.last_reverified_at,
      version: row.version,
    });
  }

  async changeStatus(incidentId: string, deploymentId: string, dto: ChangeStatusDto, actor: AuditActor): Promise<DeploymentView> {
    return this.db.transaction(async (tx) => {
      const d = await this.lock(tx, incidentId, deploymentId);
      if (d.checkedOutAt) throw new DomainError('deployment_not_active', 'This responder has checked out.');
      if (d.credentialFlag && dto.status !== 'out_of_service') {
        throw new DomainError('invalid_status_change', `The credential is flagged (${d.credentialFlag.code}): ${d.credentialFlag.message} The responder stays out of service until it is cleared.`);
      }
      const from: StatusSnapshot = { status: d.status as StatusSnapshot['status'], reason: d.statusReason ?? undefined, assignment: d.assignment ?? undefined };
      const to: StatusSnapshot = {
        status: dto.status,
        reason: dto.status === 'out_of_service' ? dto.reason : undefined,
        assignment: dto.status === 'assigned' ? dto.assignment : dto.assignment ?? undefined,
      };
      await this.applyStatus(tx, d, from, to, dto.note ?? null, actor);
      return this.reader.get(deploymentId, incidentId, tx);
    });
  }

  /**
   * Moves a locked deployment to a new status: the row, the append-only history, the audit entry and the board
   * event, in the caller's transaction. Reverification uses it too.
   */
  async applyStatus(tx: Pick<SqlScope, 'query'>, d: DeploymentEntity, from: StatusSnapshot, to: StatusSnapshot, note: string | null, actor: AuditActor): Promise<void> {
    const now = new Date();
    await tx.query(`UPDATE deployment SET status = $2, status_reason = $3, assignment = $4, version = version + 1 WHERE id = $1`, [
      d.id, to.status, to.reason ?? null, to.assignment ?? null,
    ]);
    await tx.query(
      `INSERT INTO deployment_status_event (deployment_id, from_status, from_reason, from_assignment, to_status, to_reason, to_assignment, note, changed_by, changed_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [d.id, from.status, from.reason ?? null, from.assignment ?? null, to.status, to.reason ?? null, to.assignment ?? null, note, JSON.stringify(actor), now],
    );
    const name = await this.responderName(tx, d.responderId);
    await this.audit.record(tx, {
      actor,
      action: 'deployment.status_changed',
      incidentId: d.incidentId,
      target: { type: 'deployment', id: d.id },
      occurredAt: now,
      payload: { responderId: d.responderId, from, to, note },
    });
    await this.outbox.append(tx, d.incidentId, 'deployment.status_changed', {
      deploymentId: d.id, responderId: d.responderId, name, from, to, note: note ?? undefined, changedBy: changedByOnBoard(actor), at: now.toISOString(),
    });
    Object.assign(d, { status: to.status, statusReason: to.reason ?? null, assignment: to.assignment ?? null });
  }

  async checkOut(incidentId: string, deploymentId: string, note: string | undefined, actor: AuditActor, userId: string): Promise<DeploymentView> {
    return this.db.transaction(async (tx) => {
      const d = await this.lock(tx, incidentId, deploymentId);
      if (d.checkedOutAt) throw new DomainError('deployment_not_active', 'This responder has already checked out.');
      const now = new Date();
      const hoursOnScene = hoursBetween(d.checkedInAt, now);
      await tx.query(`UPDATE deployment SET status = 'demobilized', checked_out_at = $2, checked_out_by = $3, version = version + 1 WHERE id = $1`, [d.id, now, userId]);
      await tx.query(
        `INSERT INTO deployment_status_event (deployment_id, from_status, from_reason, from_assignment, to_status, note, changed_by, changed_at)
         VALUES ($1, $2, $3, $4, 'demobilized', $5, $6, $7)`,
        [d.id, d.status, d.statusReason, d.assignment, note ?? 'checked out', JSON.stringify(actor), now],
      );
      const name = await this.responderName(tx, d.responderId);
      await this.audit.record(tx, {
        actor,
        action: 'deployment.checked_out',
        incidentId,
        target: { type: 'deployment', id: d.id },
        occurredAt: now,
        payload: { responderId: d.responderId, checkedInAt: d.checkedInAt.toISOString(), checkedOutAt: now.toISOString(), hoursOnScene, note: note ?? null },
      });
      await this.outbox.append(tx, incidentId, 'deployment.checked_out', { deploymentId: d.id, responderId: d.responderId, name, at: now.toISOString(), hoursOnScene });
      return this.reader.get(deploymentId, incidentId, tx);
    });
  }

  /** Staff corrections of the ICS 211 record; each edit keeps the values before and after. */
  async editIcs211(incidentId: string, deploymentId: string, dto: Ics211InputDto, actor: AuditActor): Promise<DeploymentView> {
    return this.db.transaction(async (tx) => {
      const d = await this.lock(tx, incidentId, deploymentId);
      const before: Partial<Ics211Fields> = {};
      const after: Partial<Ics211Fields> = {};
      const next: Ics211Fields = { ...d.ics211 };
      for (const field of ICS211_EDITABLE_FIELDS) {
        const value = dto[field];
        if (value === undefined || value === d.ics211[field]) continue;
        Object.assign(before, { [field]: d.ics211[field] ?? null });
        Object.assign(after, { [field]: value });
        Object.assign(next, { [field]: value });
      }
      const fields = Object.keys(after);
      if (fields.length === 0) return this.reader.get(deploymentId, incidentId, tx);
      await tx.query(`UPDATE deployment SET ics211 = $2, version = version + 1 WHERE id = $1`, [d.id, JSON.stringify(next)]);
      await tx.query(`INSERT INTO ics211_edit (deployment_id, fields, before, after, changed_by) VALUES ($1, $2, $3, $4, $5)`, [
        d.id, fields, JSON.stringify(before), JSON.stringify(after), JSON.stringify(actor),
      ]);
      await this.audit.record(tx, { actor, action: 'ics211.edited', incidentId, target: { type: 'deployment', id: d.id }, payload: { fields, before, after } });
      return this.reader.get(deploymentId, incidentId, tx);
    });
  }

  /** The deployment's status history and ICS 211 edits, and every change to its responder's name or e-mail. */
  async history(incidentId: string, deploymentId: string): Promise<{
    status: StatusHistoryItem[];
    ics211Edits: Array<{ fields: string[]; before: object; after: object; changedBy: AuditActor; changedAt: string }>;
    identityChanges: IdentityChangeItem[];
  }> {
    const deployment = await this.reader.get(deploymentId, incidentId);
    const status = (await this.db.query(
      `SELECT from_status, from_reason, from_assignment, to_status, to_reason, to_assignment, note, changed_by, changed_at
         FROM deployment_status_event WHERE deployment_id = $1 ORDER BY id`,
      [deploymentId],
    )) as Array<Record<string, string | null> & { changed_by: AuditActor; changed_at: Date }>;
    const edits = (await this.db.query(`SELECT fields, before, after, changed_by, changed_at FROM ics211_edit WHERE deployment_id = $1 ORDER BY id`, [deploymentId])) as Array<{
      fields: string[]; before: object; after: object; changed_by: AuditActor; changed_at: Date;
    }>;
    const identity = (await this.db.query(
      `SELECT field, old_value, new_value, issuer_id, credential_hash, incident_id, changed_at FROM responder_identity_change WHERE responder_id = $1 ORDER BY id`,
      [deployment.responder.id],
    )) as Array<{ field: IdentityChangeItem['field']; old_value: string | null; new_value: string; issuer_id: string; credential_hash: string; incident_id: string; changed_at: Date }>;
    return {
      status: status.map((r) => ({
        from: r.from_status ? clean({ status: r.from_status, reason: r.from_reason, assignment: r.from_assignment }) : null,
        to: clean({ status: r.to_status, reason: r.to_reason, assignment: r.to_assignment }) as StatusSnapshot,
        note: r.note,
        changedBy: r.changed_by,
        changedAt: r.changed_at.toISOString(),
      })),
      ics211Edits: edits.map((e) => ({ fields: e.fields, before: e.before, after: e.after, changedBy: e.changed_by, changedAt: e.changed_at.toISOString() })),
      identityChanges: identity.map((c) => ({
        field: c.field,
        from: c.old_value,
        to: c.new_value,
        issuerId: c.issuer_id,
        credentialHash: c.credential_hash,
        incidentId: c.incident_id,
        changedAt: c.changed_at.toISOString(),
      })),
    };
  }

  private async responderName(tx: Pick<SqlScope, 'query'>, responderId: string): Promise<string> {
    const rows = (await tx.query(`SELECT name FROM responder WHERE id = $1`, [responderId])) as Array<{ name: string }>;
    return rows[0]?.name ?? '';
  }
}

function clean(o: Record<string, string | null>): Partial<StatusSnapshot> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null)) as Partial<StatusSnapshot>;
}
