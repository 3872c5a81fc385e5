import { Injectable } from '@nestjs/common';
import { AuditTrail, type AuditActor } from '@app/audit';
import type { VerificationResult } from '@app/credentials';
import { Database, type Transaction } from '@app/db';
import { CredentialFlagsService, DeployedCredentialsRepository, ResponderRepository } from '@app/incidents';
import { Outbox, type CredentialFlagCode } from '@app/realtime';
import type { Problem } from '../evaluation/flag-codes';
import type { ActiveCredential } from '../evaluation/screening';
import { ExpiryWarningsRepository } from './expiry-warnings.repository';

/** The evidence kept with a flag or a clearance in the audit trail (ids and check outcomes, never the credential). */
export interface ChangeEvidence {
  /** The run, or for a licensing authority's notice or re-lookup (`primary_source`), the notice or lookup. */
  runId: string;
  /** `engine`: confirmed by the verification engine's re-check; `screening`: the engine could not re-check the signature (issuer keys unreachable), so the verified list / registry data decided. */
  basis: 'engine' | 'screening' | 'primary_source';
  checks?: Array<{ id: string; status: string; code: string }>;
  status?: VerificationResult['evidence']['status'];
  signatureRechecked?: boolean;
  note?: string;
}

/**
 * What reverification changes, each in its own transaction with everything that must commit with it: the flag or
 * clearance (CredentialFlagsService: status, history, audit, board event), the verification record, and the
 * credential's latest outcome. Every method is idempotent and returns false when nothing changed, so a run that is
 * repeated (a retried job, a worker killed mid-block) never alerts twice.
 */
@Injectable()
export class ReverificationEffects {
  constructor(
    private readonly database: Database,
    private readonly flags: CredentialFlagsService,
    private readonly responders: ResponderRepository,
    private readonly deployed: DeployedCredentialsRepository,
    private readonly warnings: ExpiryWarningsRepository,
    private readonly audit: AuditTrail,
    private readonly outbox: Outbox,
  ) {}

  async flag(
    c: ActiveCredential,
    problem: Problem,
    result: VerificationResult | null,
    evidence: ChangeEvidence,
    actor: AuditActor,
    at: Date,
  ): Promise<boolean> {
    return this.database.transaction(async (tx) => {
      const changed = await this.flags.flag(tx, c.incidentId, c.deploymentId, { code: problem.code, message: problem.message, at: at.toISOString() }, actor, {
        ...evidence,
      });
      if (changed && result) await this.recordOutcome(tx, c, result, at);
      return changed;
    });
  }

  async clear(
    c: ActiveCredential,
    code: CredentialFlagCode,
    message: string,
    result: VerificationResult,
    evidence: ChangeEvidence,
    actor: AuditActor,
    at: Date,
  ): Promise<boolean> {
    return this.database.transaction(async (tx) => {
      const changed = await this.flags.clear(tx, c.incidentId, c.deploymentId, code, message, actor, { ...evidence });
      if (changed) await this.recordOutcome(tx, c, result, at);
      return changed;
    });
  }

  /** A licence admitted on an indeterminate lookup, confirmed at its source (CredentialFlagsService.confirmLicence). */
  async confirmLicence(
    c: ActiveCredential,
    qualification: string,
    result: VerificationResult,
    evidence: ChangeEvidence,
    actor: AuditActor,
    at: Date,
  ): Promise<boolean> {
    return this.database.transaction(async (tx) => {
      const changed = await this.flags.confirmLicence(tx, c.incidentId, c.deploymentId, qualification, actor, { ...evidence });
      if (changed) await this.recordOutcome(tx, c, result, at);
      return changed;
    });
  }

  /** The engine re-checked the credential and nothing changes for the deployment: keep its outcome (and a new key thumbprint). */
  async recordRecheck(c: ActiveCredential, result: VerificationResult, at: Date): Promise<void> {
    await this.database.transaction((tx) => this.recordOutcome(tx, c, result, at));
  }

  /** `credential.expiring` once per deployment (the warning row is the memory of it). */
  async warnExpiring(c: ActiveCredential, runId: string, actor: AuditActor, at: Date): Promise<boolean> {
    if (!c.validUntil) return false;
    const validUntil = c.validUntil;
    return this.database.transaction(async (tx) => {
      if (!(await this.warnings.record(tx, c.deploymentId, validUntil, at, runId))) return false;
      const name = await this.responders.name(tx, c.responderId);
      await this.audit.record(tx, {
        actor,
        action: 'credential.expiring',
        incidentId: c.incidentId,
        target: { type: 'deployment', id: c.deploymentId },
        occurredAt: at,
        payload: { responderId: c.responderId, credentialId: c.credentialId, validUntil: validUntil.toISOString(), runId },
      });
      await this.outbox.append(tx, c.incidentId, 'credential.expiring', {
        deploymentId: c.deploymentId,
        responderId: c.responderId,
        name,
        validUntil: validUntil.toISOString(),
        at: at.toISOString(),
      });
      return true;
    });
  }

  /** Stamps the deployments checked completely by this block (one statement for the whole block). */
  async markChecked(deploymentIds: string[], at: Date): Promise<void> {
    await this.deployed.markReverified(deploymentIds, at);
  }

  private async recordOutcome(tx: Transaction, c: ActiveCredential, result: VerificationResult, at: Date): Promise<void> {
    await this.responders.recordVerification(tx, c.credentialId, c.incidentId, 'reverification', result, at);
    // A credential that now fails a check stops counting for the responder's qualifications; one that could only
    // partly be checked (a list unreachable) keeps its earlier outcome.
    const outcome = result.errors.length > 0 ? false : result.verified ? true : null;
    await this.deployed.recordRecheck(tx, c.credentialId, outcome, at, result.evidence.keyThumbprint ?? null);
  }
}
