import { Injectable, Optional } from '@nestjs/common';
import { AuditTrail, type AuditActor } from '@app/audit';
import { DomainError, notFound } from '@app/common';
import { Database, type Transaction } from '@app/db';
import { Outbox, type StatusSnapshot } from '@app/realtime';
import type { Deployment, RecordedStatus } from './deployment';
import { DeploymentReader } from './deployment-reader';
import { DeploymentReleaseHook } from './deployment-release';
import { hoursBetween, type DeploymentView } from './deployment.view';
import { ResponderRepository } from '../responders/responders.repository';
import { DeploymentsRepository } from './deployments.repository';
import { ICS211_EDITABLE_FIELDS, type Ics211Fields } from './ics211';
import type { ChangeStatusDto } from './dto/deployment.dto';
import type { Ics211InputDto } from '../check-in/dto/check-in.dto';
import { AssignmentRules } from '../ports/assignment-rules';
import { CheckOutRules } from '../ports/check-out-rules';
import { WorkPeriodsRepository } from './work-periods.repository';

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
  from: RecordedStatus | null;
  to: RecordedStatus;
  note: string | null;
  changedBy: AuditActor;
  changedAt: string;
}

/** Who changed a status, as the board shows it: a role, never an e-mail address (the history names the user). */
const changedByOnBoard = (a: AuditActor): string => (a.kind === 'user' ? a.role : a.kind === 'system' ? `system (${a.process})` : 'anonymous');

/** What commanders do to a deployment: resource status and assignment, ICS 211 corrections, check-out. */
@Injectable()
export class DeploymentsService {
  constructor(
    private readonly database: Database,
    private readonly deployments: DeploymentsRepository,
    private readonly responders: ResponderRepository,
    private readonly reader: DeploymentReader,
    private readonly audit: AuditTrail,
    private readonly outbox: Outbox,
    private readonly workPeriods: WorkPeriodsRepository,
    @Optional() private readonly assignmentRules?: AssignmentRules,
    @Optional() private readonly checkOutRules?: CheckOutRules,
    @Optional() private readonly release?: DeploymentReleaseHook,
  ) {}

  /** Locks the deployment row for the rest of the transaction. */
  async lock(tx: Transaction, incidentId: string, deploymentId: string): Promise<Deployment> {
    const d = await this.deployments.lock(tx, incidentId, deploymentId);
    if (!d) throw notFound('Deployment', deploymentId);
    return d;
  }

  /** `offline`: a status change an offline station logged, recorded with the audit entry when the station syncs (libs/offline). */
  async changeStatus(
    incidentId: string,
    deploymentId: string,
    dto: ChangeStatusDto,
    actor: AuditActor,
    { offline }: { offline?: Record<string, unknown> } = {},
  ): Promise<DeploymentView> {
    return this.database.transaction(async (tx) => {
      const d = await this.lock(tx, incidentId, deploymentId);
      if (d.checkedOutAt) throw new DomainError('deployment_not_active', 'This responder has checked out.');
      if (d.credentialFlag && dto.status !== 'out_of_service') {
        throw new DomainError(
          'invalid_status_change',
          `The credential is flagged (${d.credentialFlag.code}): ${d.credentialFlag.message} The responder stays out of service until it is cleared.`,
        );
      }
      if (dto.status === 'assigned' && d.status !== 'assigned' && this.assignmentRules) {
        const [facts] = await this.workPeriods.active([incidentId], d.id, tx);
        if (facts) await this.assignmentRules.beforeAssign(tx, facts, dto.overrideReason, actor);
      }
      const from: StatusSnapshot = { status: d.status as StatusSnapshot['status'], reason: d.statusReason ?? undefined, assignment: d.assignment ?? undefined };
      const to: StatusSnapshot = {
        status: dto.status,
        reason: dto.status === 'out_of_service' ? dto.reason : undefined,
        assignment: dto.status === 'assigned' ? dto.assignment : (dto.assignment ?? undefined),
      };
      await this.applyStatus(tx, d, from, to, dto.note ?? null, actor, offline);
      return this.reader.get(deploymentId, incidentId, tx);
    });
  }

  /**
   * Moves a locked deployment to a new status: the row, the append-only history, the audit entry and the board
   * event, in the caller's transaction. Reverification uses it too.
   */
  async applyStatus(
    tx: Transaction,
    d: Deployment,
    from: StatusSnapshot,
    to: StatusSnapshot,
    note: string | null,
    actor: AuditActor,
    offline?: Record<string, unknown>,
  ): Promise<void> {
    const now = new Date();
    await this.deployments.setStatus(tx, d.id, to);
    await this.deployments.appendStatusEvent(tx, { deploymentId: d.id, from, to, note, changedBy: actor, changedAt: now });
    const name = await this.responders.name(tx, d.responderId);
    await this.audit.record(tx, {
      actor,
      action: 'deployment.status_changed',
      incidentId: d.incidentId,
      target: { type: 'deployment', id: d.id },
      occurredAt: now,
      payload: { responderId: d.responderId, from, to, note, ...(offline ? { offline: { ...offline, reconfirmedAt: now.toISOString() } } : {}) },
    });
    await this.outbox.append(tx, d.incidentId, 'deployment.status_changed', {
      deploymentId: d.id,
      responderId: d.responderId,
      name,
      from,
      to,
      note: note ?? undefined,
      changedBy: changedByOnBoard(actor),
      at: now.toISOString(),
    });
    Object.assign(d, { status: to.status, statusReason: to.reason ?? null, assignment: to.assignment ?? null });
  }

  /**
   * `overrideReason`: a commander releasing someone without the demobilization sign-offs (docs/accountability.md);
   * `offline`: a check-out an offline station logged, recorded with the audit entry when the station syncs (libs/offline).
   */
  async checkOut(
    incidentId: string,
    deploymentId: string,
    note: string | undefined,
    actor: AuditActor,
    userId: string,
    { overrideReason, offline }: { overrideReason?: string; offline?: Record<string, unknown> } = {},
  ): Promise<DeploymentView> {
    const view = await this.database.transaction(async (tx) => {
      const d = await this.lock(tx, incidentId, deploymentId);
      if (d.checkedOutAt) throw new DomainError('deployment_not_active', 'This responder has already checked out.');
      await this.checkOutRules?.beforeCheckOut(tx, { incidentId, deploymentId: d.id, responderId: d.responderId }, overrideReason, actor);
      const now = new Date();
      const hoursOnScene = hoursBetween(d.checkedInAt, now);
      await this.deployments.checkOut(tx, d.id, now, userId);
      await this.deployments.appendStatusEvent(tx, {
        deploymentId: d.id,
        from: { status: d.status, reason: d.statusReason ?? undefined, assignment: d.assignment ?? undefined },
        to: { status: 'demobilized' },
        note: note ?? 'checked out',
        changedBy: actor,
        changedAt: now,
      });
      const name = await this.responders.name(tx, d.responderId);
      await this.audit.record(tx, {
        actor,
        action: 'deployment.checked_out',
        incidentId,
        target: { type: 'deployment', id: d.id },
        occurredAt: now,
        payload: {
          responderId: d.responderId,
          checkedInAt: d.checkedInAt.toISOString(),
          checkedOutAt: now.toISOString(),
          hoursOnScene,
          note: note ?? null,
          ...(offline ? { offline: { ...offline, reconfirmedAt: now.toISOString() } } : {}),
        },
      });
      await this.outbox.append(tx, incidentId, 'deployment.checked_out', {
        deploymentId: d.id,
        responderId: d.responderId,
        name,
        at: now.toISOString(),
        hoursOnScene,
      });
      if (this.release) {
        const facts = await this.deployments.releaseFacts(tx, d.id);
        if (facts) await this.release.released(tx, facts);
      }
      return this.reader.get(deploymentId, incidentId, tx);
    });
    this.release?.committed(deploymentId);
    return view;
  }

  /** Staff corrections of the ICS 211 record; each edit keeps the values before and after. */
  async editIcs211(incidentId: string, deploymentId: string, dto: Ics211InputDto, actor: AuditActor): Promise<DeploymentView> {
    return this.database.transaction(async (tx) => {
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
      await this.deployments.setIcs211(tx, d.id, next);
      await this.deployments.appendIcs211Edit(tx, { deploymentId: d.id, fields, before, after, changedBy: actor });
      await this.audit.record(tx, { actor, action: 'ics211.edited', incidentId, target: { type: 'deployment', id: d.id }, payload: { fields, before, after } });
      return this.reader.get(deploymentId, incidentId, tx);
    });
  }

  /** The deployment's status history and ICS 211 edits, and every change to its responder's name or e-mail. */
  async history(
    incidentId: string,
    deploymentId: string,
  ): Promise<{
    status: StatusHistoryItem[];
    ics211Edits: Array<{ fields: string[]; before: object; after: object; changedBy: AuditActor; changedAt: string }>;
    identityChanges: IdentityChangeItem[];
  }> {
    const deployment = await this.reader.get(deploymentId, incidentId);
    const [status, edits, identity] = [
      await this.deployments.statusHistory(deploymentId),
      await this.deployments.ics211Edits(deploymentId),
      await this.deployments.identityChanges(deployment.responder.id),
    ];
    return {
      status: status.map((e) => ({ from: e.from, to: e.to, note: e.note, changedBy: e.changedBy, changedAt: e.changedAt.toISOString() })),
      ics211Edits: edits.map((e) => ({ fields: e.fields, before: e.before, after: e.after, changedBy: e.changedBy, changedAt: e.changedAt.toISOString() })),
      identityChanges: identity.map((c) => ({ ...c, changedAt: c.changedAt.toISOString() })),
    };
  }
}
