import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AuditTrail, type AuditActor } from '@app/audit';
import type { Principal } from '@app/auth';
import { DomainError, MatchingHash, notFound, violatedConstraint } from '@app/common';
import { CredentialVerifier, type VerificationResult } from '@app/credentials';
import { Database, type Transaction } from '@app/db';
import { PracticeAuthorityCache } from '@app/practice-authority';
import { Outbox } from '@app/realtime';
import { decideCheckIn } from '../check-in/check-in-decision';
import type { CheckInReason, CheckInResponse } from '../check-in/check-in.types';
import { DeploymentReader } from '../deployments/deployment-reader';
import { toRosterEntry, type DeploymentView } from '../deployments/deployment.view';
import type { IncidentWithSetup } from '../incidents/incident';
import { IncidentsService } from '../incidents/incidents.service';
import { establishesIdentity, responderName } from '../responders/responder-identity';
import { refusalFor, type IdSeen, type WalkUp, type WalkUpEvidence } from './walk-up';
import { WalkUpsRepository } from './walk-ups.repository';

export interface WalkUpIntakeInput {
  name: string;
  contact: string;
  claimedQualifications: string[];
  idSeen: IdSeen;
  agency?: string;
  homeState?: string;
  positionId?: string;
  locationId?: string;
}

/** A walk-up record with the deployment it is on now. */
export interface WalkUpView {
  id: string;
  incidentId: string;
  name: string;
  contact: string;
  claimedQualifications: string[];
  idSeen: IdSeen & { recordedBy: string };
  agency: string | null;
  homeState: string | null;
  status: WalkUp['status'];
  verifiedQualifications: string[];
  verification: WalkUpEvidence | null;
  registeredAt: string;
  verifiedAt: string | null;
  deployment: DeploymentView;
}

/** A primary-source lookup that verified a walk-up's licence (what a licence-source check hands to `upgrade`). */
/** A scanned temporary badge, as WalkUpBadges read it. */
export type ScannedBadge = { ok: true; walkUpId: string; hash: string } | { ok: false; hash: string; code: string; message: string };

/**
 * Walk-up volunteers (docs/walk-ups.md): intake by check-in staff with what ID they saw, "pending verification" on
 * the board, general-support positions only until a verified credential or a primary-source lookup upgrades them in
 * place (the same responder and deployment). Each change commits with its audit entry and board event.
 */
@Injectable()
export class WalkUpsService {
  constructor(
    private readonly database: Database,
    private readonly walkUps: WalkUpsRepository,
    private readonly incidents: IncidentsService,
    private readonly reader: DeploymentReader,
    private readonly audit: AuditTrail,
    private readonly outbox: Outbox,
    private readonly verifier: CredentialVerifier,
    private readonly practice: PracticeAuthorityCache,
    private readonly matching: MatchingHash,
  ) {}

  async list(incidentId: string): Promise<WalkUpView[]> {
    const walkUps = await this.walkUps.list(incidentId);
    const deployments = new Map((await this.reader.list(incidentId, { activeOnly: false })).map((d) => [d.id, d]));
    return walkUps.flatMap((w) => {
      const d = deployments.get(w.deploymentId);
      return d ? [toView(w, d)] : [];
    });
  }

  async get(incidentId: string, walkUpId: string): Promise<WalkUpView> {
    const w = await this.walkUps.get(incidentId, walkUpId);
    if (!w) throw notFound('Walk-up', walkUpId);
    return toView(w, await this.reader.get(w.deploymentId, incidentId));
  }

  /** Intake at the station: the volunteer is checked in, pending verification, on a general-support position or none. */
  async register(incidentId: string, input: WalkUpIntakeInput, principal: Principal, actor: AuditActor): Promise<WalkUpView> {
    const incident = await this.activeIncident(incidentId);
    const position = this.position(incident, input.positionId);
    if (input.locationId && !incident.locations.some((l) => l.id === input.locationId)) {
      throw new DomainError('location_unknown', 'That check-in location does not exist at this incident.');
    }
    if (position) refuseIfNotAllowed({ status: 'pending_verification', verifiedQualifications: [] }, position);
    const now = new Date();
    const walkUp: WalkUp = {
      id: randomUUID(),
      incidentId,
      responderId: randomUUID(),
      deploymentId: randomUUID(),
      name: input.name.trim(),
      contact: input.contact.trim(),
      claimedQualifications: [...new Set(input.claimedQualifications)],
      idSeen: { type: input.idSeen.type.trim(), statement: input.idSeen.statement.trim() },
      agency: input.agency?.trim() || null,
      homeState: input.homeState ?? null,
      status: 'pending_verification',
      verifiedQualifications: [],
      verification: null,
      registeredBy: principal.userId,
      registeredAt: now,
      verifiedAt: null,
    };
    return this.database.transaction(async (tx) => {
      await this.walkUps.insertIntake(tx, {
        walkUp,
        credentialId: randomUUID(),
        positionId: position?.id ?? null,
        locationId: input.locationId ?? null,
        changedBy: actor,
      });
      const deployment = await this.reader.get(walkUp.deploymentId, incidentId, tx);
      // The contact stays in the walk-up record: the trail says it was taken, not what it is.
      await this.audit.record(tx, {
        actor,
        action: 'walk_up.registered',
        incidentId,
        target: { type: 'walk_up', id: walkUp.id },
        occurredAt: now,
        payload: {
          walkUpId: walkUp.id,
          responderId: walkUp.responderId,
          deploymentId: walkUp.deploymentId,
          name: walkUp.name,
          contactRecorded: true,
          claimedQualifications: walkUp.claimedQualifications,
          idSeen: { ...walkUp.idSeen, recordedBy: principal.userId },
          agency: walkUp.agency,
          homeState: walkUp.homeState,
          positionId: position?.id ?? null,
          status: walkUp.status,
        },
      });
      await this.outbox.append(tx, incidentId, 'deployment.checked_in', { deployment: toRosterEntry(deployment) });
      return toView(walkUp, deployment);
    });
  }

  /** Moves a walk-up to a position (null: none); refused 422 for a position their verified qualifications do not meet. */
  async assignPosition(incidentId: string, walkUpId: string, positionId: string | null, actor: AuditActor): Promise<WalkUpView> {
    const incident = await this.incidents.getSetupCached(incidentId);
    const position = this.position(incident, positionId ?? undefined);
    return this.database.transaction(async (tx) => {
      const w = await this.lock(tx, incidentId, walkUpId);
      const d = await this.walkUps.deploymentOf(tx, w.deploymentId);
      if (!d?.active) throw new DomainError('deployment_not_active', `${w.name} has checked out.`);
      if (position) refuseIfNotAllowed(w, position);
      await this.walkUps.setPosition(tx, w.deploymentId, position?.id ?? null);
      const deployment = await this.reader.get(w.deploymentId, incidentId, tx);
      await this.audit.record(tx, {
        actor,
        action: 'walk_up.position_assigned',
        incidentId,
        target: { type: 'deployment', id: w.deploymentId },
        payload: { walkUpId: w.id, responderId: w.responderId, from: d.positionId, to: position?.id ?? null, status: w.status },
      });
      await this.outbox.append(tx, incidentId, 'deployment.updated', { deployment: toRosterEntry(deployment), change: 'position' });
      return toView(w, deployment);
    });
  }

  /**
   * The volunteer presents a verifiable credential: verified as at check-in (signature, status, the incident's trust),
   * then linked to the walk-up's responder and deployment, which now rest on it (and are reverified like any other).
   */
  async upgradeWithCredential(incidentId: string, walkUpId: string, credential: string, actor: AuditActor): Promise<WalkUpView> {
    const incident = await this.activeIncident(incidentId);
    const rules = await this.practice.forState(incident.jurisdiction);
    const result = await this.verifier.verify(credential, {
      jurisdiction: incident.jurisdiction,
      mutualAidJurisdictions: [...new Set([...incident.mutualAidJurisdictions, ...rules.homeStatesWithRules(new Date())])],
    });
    return this.upgradeWithVerified(incident, walkUpId, result, credential, actor);
  }

  /**
   * The volunteer's licence confirmed at its primary source: the lookup's result (a verification result whose
   * record stands in for a credential) is linked like a scanned credential, so the deployment rests on the licence
   * and the source's notices and re-lookups reach it.
   */
  async upgradeWithLicenceCheck(incidentId: string, walkUpId: string, result: VerificationResult, actor: AuditActor): Promise<WalkUpView> {
    if (!result.jws) throw new Error('a licence check carries its record');
    return this.upgradeWithVerified(await this.activeIncident(incidentId), walkUpId, result, result.jws, actor);
  }

  private async upgradeWithVerified(
    incident: IncidentWithSetup,
    walkUpId: string,
    result: VerificationResult,
    credential: string,
    actor: AuditActor,
  ): Promise<WalkUpView> {
    const incidentId = incident.id;
    const decided = decideCheckIn(result, incident.statusUnavailablePolicy);
    const basis = decided.basis;
    const summary = basis.credential;
    if (decided.decision === 'denied' || !summary?.qualification || !establishesIdentity(basis)) {
      const reasons: CheckInReason[] =
        decided.decision === 'denied'
          ? decided.reasons
          : [{ code: 'no_qualification', message: 'This credential does not show a qualification we recognise.' }];
      throw new DomainError('walk_up_credential_refused', `The credential does not verify this volunteer: ${reasons.map((r) => r.message).join(' ')}`, {
        reasons,
      });
    }
    const qualification = summary.qualification;
    return this.database.transaction(async (tx) => {
      const w = await this.lock(tx, incidentId, walkUpId);
      if (w.verification?.kind === 'credential') throw new DomainError('walk_up_already_verified', `${w.name} is already verified by a credential.`);
      const d = await this.walkUps.deploymentOf(tx, w.deploymentId);
      if (!d?.active) throw new DomainError('deployment_not_active', `${w.name} has checked out.`);
      const keys = {
        subjectHash: this.matching.ofOptional(summary.subject.id),
        issuerId: summary.issuer.id,
        licenceHash: this.matching.ofOptional(summary.licenseNumber),
      };
      if (await this.walkUps.otherResponderWith(tx, w.responderId, keys)) {
        throw new DomainError(
          'walk_up_identity_conflict',
          'This credential belongs to a responder already on record: check the walk-up out and scan the credential at check-in.',
        );
      }
      const credentialId = await this.walkUps
        .linkCredential(
          tx,
          w,
          {
            id: randomUUID(),
            hash: basis.evidence.credentialHash,
            jws: basis.jws ?? credential.trim(),
            format: summary.format,
            issuerId: summary.issuer.id,
            qualification,
            licenseNumber: summary.licenseNumber ?? null,
            validFrom: summary.validFrom ?? null,
            validUntil: summary.validUntil ?? null,
            statusEntries: summary.status,
            keyThumbprint: basis.evidence.keyThumbprint ?? null,
            summary,
          },
          { name: responderName(summary), email: summary.subject.email ?? null, subjectHash: keys.subjectHash, licenceHash: keys.licenceHash },
        )
        .catch((err: unknown) => {
          // Another scan gave this subject or licence to a responder since the check above.
          if (['responder_subject_key', 'responder_licence_key'].includes(violatedConstraint(err, '23505') ?? '')) return 'held_by_other' as const;
          throw err;
        });
      if (credentialId === 'held_by_other') {
        throw new DomainError(
          'walk_up_identity_conflict',
          'This credential was presented by another responder: check the walk-up out and scan it at check-in.',
        );
      }
      const lookup = basis.evidence.primarySource;
      const evidence: WalkUpEvidence = lookup
        ? {
            kind: 'primary_source',
            source: lookup.sourceName,
            qualification,
            licenseNumber: summary.licenseNumber ?? '',
            state: lookup.request.state,
            responseHash: lookup.responseHash ?? '',
            checkedAt: lookup.lookedUpAt,
          }
        : {
            kind: 'credential',
            credentialId,
            credentialHash: basis.evidence.credentialHash,
            issuerId: summary.issuer.id,
            issuerName: summary.issuer.registryName ?? null,
            qualification,
            licenseNumber: summary.licenseNumber ?? null,
            verifiedAt: basis.evidence.verifiedAt,
          };
      return this.markVerified(tx, w, evidence, actor);
    });
  }

  /**
   * A temporary badge scanned at the station: admitted only at its incident, before expiry, to a general-support
   * position (or one the walk-up's verified qualifications meet); an active deployment is returned, a checked-out
   * walk-up is checked in again. Answers as a check-in does (201 with the decision).
   */
  async scanBadge(
    cmd: { incidentId: string; principal: Principal; actor: AuditActor; positionId?: string; locationId?: string },
    badge: ScannedBadge,
  ): Promise<CheckInResponse> {
    const incident = await this.activeIncident(cmd.incidentId);
    const position = this.position(incident, cmd.positionId);
    const location = cmd.locationId ? incident.locations.find((l) => l.id === cmd.locationId) : undefined;
    if (cmd.locationId && !location) throw new DomainError('location_unknown', 'That check-in location does not exist at this incident.');
    const attemptId = randomUUID();
    const now = new Date();
    return this.database.transaction(async (tx) => {
      const w = badge.ok ? await this.walkUps.lock(tx, cmd.incidentId, badge.walkUpId) : undefined;
      const refusal: CheckInReason | null = badge.ok
        ? w
          ? ((position && refusalFor(w, position)) ?? null)
          : { code: 'walk_up_badge_invalid', message: 'This temporary badge names no walk-up record at this incident.' }
        : { code: badge.code, message: badge.message };
      let deployment: DeploymentView | null = null;
      let alreadyCheckedIn = false;
      if (!refusal && w) {
        const d = await this.walkUps.deploymentOf(tx, w.deploymentId);
        let deploymentId = w.deploymentId;
        if (d?.active) {
          alreadyCheckedIn = true;
        } else if (d) {
          deploymentId = randomUUID();
          await this.walkUps
            .reopen(tx, w, {
              deploymentId,
              credentialId: d.credentialId,
              positionId: position?.id ?? null,
              locationId: location?.id ?? null,
              at: now,
              by: cmd.principal.userId,
              changedBy: cmd.actor,
            })
            .catch((err: unknown) => {
              // Verified since, and checked in elsewhere with their own badge.
              if (violatedConstraint(err, '23505') === 'deployment_one_active_per_responder') {
                throw new DomainError('responder_active_elsewhere', `${w.name} is checked in at another incident; check them out there first.`);
              }
              throw err;
            });
        }
        deployment = await this.reader.get(deploymentId, cmd.incidentId, tx);
      }
      const decision = refusal ? 'denied' : w?.status === 'verified' ? 'admitted' : 'admitted_with_warnings';
      const reasons: CheckInReason[] = refusal
        ? [refusal]
        : w?.status === 'verified'
          ? []
          : [{ code: 'walk_up_pending_verification', message: 'Walk-up volunteer pending verification: general-support positions only.' }];
      await this.audit.record(tx, {
        actor: cmd.actor,
        action: refusal ? 'walk_up.badge_denied' : alreadyCheckedIn ? 'walk_up.badge_repeated' : 'walk_up.badge_admitted',
        incidentId: cmd.incidentId,
        target: deployment ? { type: 'deployment', id: deployment.id } : { type: 'walk_up_badge', id: badge.hash },
        occurredAt: now,
        payload: {
          attemptId,
          decision,
          reasons,
          walkUpId: w?.id ?? null,
          badgeHash: badge.hash,
          positionId: position?.id ?? null,
          deploymentId: deployment?.id ?? null,
        },
      });
      if (refusal) await this.outbox.append(tx, cmd.incidentId, 'checkin.denied', { attemptId, reasons, at: now.toISOString() });
      else if (deployment && !alreadyCheckedIn)
        await this.outbox.append(tx, cmd.incidentId, 'deployment.checked_in', { deployment: toRosterEntry(deployment) });
      return {
        attemptId,
        incidentId: cmd.incidentId,
        decision,
        reasons,
        alreadyCheckedIn,
        responder: w && deployment ? { id: w.responderId, name: deployment.responder.name, qualifications: w.verifiedQualifications } : null,
        deployment,
        verification: {
          verified: badge.ok && !!w,
          checks: [],
          credential: null,
          evidence: { credentialHash: badge.hash, algorithm: 'EdDSA', status: [], verifiedAt: now.toISOString() },
        },
        practiceAuthority: null,
        performedAt: now.toISOString(),
      };
    });
  }

  private async markVerified(tx: Transaction, w: WalkUp, evidence: WalkUpEvidence, actor: AuditActor): Promise<WalkUpView> {
    const now = new Date();
    const qualifications = [...new Set([...w.verifiedQualifications, evidence.qualification])];
    await this.walkUps.markVerified(tx, w.id, qualifications, evidence, now);
    const verified: WalkUp = { ...w, status: 'verified', verifiedQualifications: qualifications, verification: evidence, verifiedAt: now };
    const deployment = await this.reader.get(w.deploymentId, w.incidentId, tx);
    await this.audit.record(tx, {
      actor,
      action: 'walk_up.verified',
      incidentId: w.incidentId,
      target: { type: 'deployment', id: w.deploymentId },
      occurredAt: now,
      payload: {
        walkUpId: w.id,
        responderId: w.responderId,
        deploymentId: w.deploymentId,
        from: w.status,
        qualifications,
        // The append-only trail is never purged: the licence number only as its matching hash.
        evidence: { ...withoutLicenceNumber(evidence), licenceHash: this.matching.ofOptional(evidence.licenseNumber || null) },
      },
    });
    await this.outbox.append(tx, w.incidentId, 'deployment.updated', { deployment: toRosterEntry(deployment), change: 'verified' });
    return toView(verified, deployment);
  }

  private async lock(tx: Transaction, incidentId: string, walkUpId: string): Promise<WalkUp> {
    const w = await this.walkUps.lock(tx, incidentId, walkUpId);
    if (!w) throw notFound('Walk-up', walkUpId);
    return w;
  }

  private async activeIncident(incidentId: string): Promise<IncidentWithSetup> {
    const incident = await this.incidents.getSetupCached(incidentId);
    if (incident.state !== 'active') {
      throw new DomainError('incident_closed', `Incident ${incident.name} (${incident.number}) is closed; check-ins are no longer accepted.`);
    }
    return incident;
  }

  private position(incident: IncidentWithSetup, positionId: string | undefined): IncidentWithSetup['positions'][number] | undefined {
    if (!positionId) return undefined;
    const position = incident.positions.find((p) => p.id === positionId);
    if (!position) throw new DomainError('position_unknown', 'That position does not exist at this incident.');
    return position;
  }
}

function refuseIfNotAllowed(w: Pick<WalkUp, 'status' | 'verifiedQualifications'>, position: IncidentWithSetup['positions'][number]): void {
  const refusal = refusalFor(w, position);
  if (refusal) throw new DomainError(refusal.code === 'walk_up_not_verified' ? 'walk_up_not_verified' : 'walk_up_not_qualified', refusal.message);
}

function toView(w: WalkUp, deployment: DeploymentView): WalkUpView {
  return {
    id: w.id,
    incidentId: w.incidentId,
    name: w.name,
    contact: w.contact,
    claimedQualifications: w.claimedQualifications,
    idSeen: { ...w.idSeen, recordedBy: w.registeredBy },
    agency: w.agency,
    homeState: w.homeState,
    status: w.status,
    verifiedQualifications: w.verifiedQualifications,
    verification: w.verification,
    registeredAt: w.registeredAt.toISOString(),
    verifiedAt: w.verifiedAt?.toISOString() ?? null,
    deployment,
  };
}

function withoutLicenceNumber(evidence: WalkUpEvidence): Omit<WalkUpEvidence, 'licenseNumber'> {
  const { licenseNumber: _licence, ...rest } = evidence;
  return rest;
}
