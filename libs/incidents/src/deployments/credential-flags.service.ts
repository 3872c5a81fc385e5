import { Injectable } from '@nestjs/common';
import { AuditTrail, type AuditActor } from '@app/audit';
import type { Transaction } from '@app/db';
import { Outbox, type CredentialFlag, type CredentialFlagCode } from '@app/realtime';
import { ResponderRepository } from '../responders/responders.repository';
import { DeployedCredentialsRepository } from './deployed-credentials.repository';
import { DeploymentReader } from './deployment-reader';
import { toRosterEntry } from './deployment.view';
import { DeploymentsRepository } from './deployments.repository';
import { DeploymentsService } from './deployments.service';

/**
 * What reverification does to a deployment when a credential goes bad (or a suspension is lifted). Idempotent: a
 * flag already raised with the same code changes nothing and alerts no one a second time.
 * Call inside a transaction; everything (status, history, audit, board event) commits together.
 */
@Injectable()
export class CredentialFlagsService {
  constructor(
    private readonly deployments: DeploymentsService,
    private readonly repository: DeploymentsRepository,
    private readonly responders: ResponderRepository,
    private readonly audit: AuditTrail,
    private readonly outbox: Outbox,
    private readonly deployed: DeployedCredentialsRepository,
    private readonly reader: DeploymentReader,
  ) {}

  /**
   * A licence admitted to non-clinical work because its source gave no usable answer, now confirmed active at the
   * source: the deployment's licence record confers its qualification, audited with the lookup's evidence, and the
   * board entry is replaced so the commander sees the person qualified. False if already confirmed or checked out.
   */
  async confirmLicence(
    tx: Transaction,
    incidentId: string,
    deploymentId: string,
    qualification: string,
    actor: AuditActor,
    evidence: Record<string, unknown>,
  ): Promise<boolean> {
    const d = await this.deployments.lock(tx, incidentId, deploymentId);
    if (d.checkedOutAt || !d.credentialId) return false;
    if (!(await this.deployed.confirmQualification(tx, d.credentialId, qualification))) return false;
    await this.audit.record(tx, {
      actor,
      action: 'primary_source.confirmed',
      incidentId,
      target: { type: 'deployment', id: d.id },
      payload: { responderId: d.responderId, credentialId: d.credentialId, qualification, evidence },
    });
    const deployment = await this.reader.get(d.id, incidentId, tx);
    await this.outbox.append(tx, incidentId, 'deployment.updated', { deployment: toRosterEntry(deployment), change: 'verified' });
    return true;
  }

  /** Flags the deployment and takes the responder out of service (reason `credential`). Returns false if nothing changed. */
  async flag(
    tx: Transaction,
    incidentId: string,
    deploymentId: string,
    flag: CredentialFlag,
    actor: AuditActor,
    evidence: Record<string, unknown>,
  ): Promise<boolean> {
    const d = await this.deployments.lock(tx, incidentId, deploymentId);
    if (d.checkedOutAt || d.credentialFlag?.code === flag.code) return false;
    await this.repository.setCredentialFlag(tx, d.id, flag);
    const name = await this.responders.name(tx, d.responderId);
    await this.audit.record(tx, {
      actor,
      action: 'credential.flagged',
      incidentId,
      target: { type: 'deployment', id: d.id },
      payload: { responderId: d.responderId, credentialId: d.credentialId, flag, evidence },
    });
    await this.outbox.append(tx, incidentId, 'credential.flagged', { deploymentId: d.id, responderId: d.responderId, name, flag });
    if (d.status !== 'out_of_service' || d.statusReason !== 'credential') {
      await this.deployments.applyStatus(
        tx,
        d,
        { status: d.status as 'assigned' | 'available' | 'out_of_service', reason: d.statusReason ?? undefined, assignment: d.assignment ?? undefined },
        { status: 'out_of_service', reason: 'credential', assignment: d.assignment ?? undefined },
        flag.message,
        actor,
      );
    }
    return true;
  }

  /** Clears a flag of this code (e.g. a suspension lifted). The responder stays out of service until a commander reassigns them. */
  async clear(
    tx: Transaction,
    incidentId: string,
    deploymentId: string,
    code: CredentialFlagCode,
    message: string,
    actor: AuditActor,
    evidence: Record<string, unknown>,
  ): Promise<boolean> {
    const d = await this.deployments.lock(tx, incidentId, deploymentId);
    if (d.checkedOutAt || d.credentialFlag?.code !== code) return false;
    await this.repository.setCredentialFlag(tx, d.id, null);
    const name = await this.responders.name(tx, d.responderId);
    const at = new Date().toISOString();
    await this.audit.record(tx, {
      actor,
      action: 'credential.cleared',
      incidentId,
      target: { type: 'deployment', id: d.id },
      payload: { responderId: d.responderId, credentialId: d.credentialId, code, message, evidence },
    });
    await this.outbox.append(tx, incidentId, 'credential.cleared', { deploymentId: d.id, responderId: d.responderId, name, code, message, at });
    return true;
  }
}
