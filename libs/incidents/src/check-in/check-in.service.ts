import { createHash, randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { canonicalJson, type AuditActor, type AuditInput } from '@app/audit';
import type { Principal } from '@app/auth';
import { DomainError, MatchingHash, violatedConstraint } from '@app/common';
import { CredentialVerifier, type CredentialSummary, type VerificationResult } from '@app/credentials';
import { inSpan, Metrics } from '@app/telemetry';
import { PracticeAuthorityCache, type PracticeAuthorityView } from '@app/practice-authority';
import { DeploymentReader } from '../deployments/deployment-reader';
import { toRosterEntry, type DeploymentView } from '../deployments/deployment.view';
import type { Ics211Fields } from '../deployments/ics211';
import { IncidentsService } from '../incidents/incidents.service';
import type { IncidentWithSetup } from '../incidents/incident';
import type { ResponderIdentityChange } from '../responders/responder';
import { establishesIdentity, firstSeenIdentity, type Presentation, type ResolvedIdentity } from '../responders/responder-identity';
import { decideCheckIn, withPracticeAuthority, type Decision, type PositionRequirement } from './check-in-decision';
import { CheckInRepository } from './check-in.repository';
import { IdempotencyKeyHints } from './idempotency-key-hints';
import type { CheckInReason, CheckInResponse } from './check-in.types';
import type { CheckInDto } from './dto/check-in.dto';

export interface CheckInCommand {
  incidentId: string;
  principal: Principal;
  actor: AuditActor;
  body: CheckInDto;
  idempotencyKey?: string;
  deviceId?: string;
  /** Set when an offline station's scan is re-verified at sync (libs/offline): recorded with the audit entry. */
  offline?: OfflineCheckInContext;
  /**
   * Set when the licence was checked at its primary source (libs/primary-source) instead of a scanned credential:
   * this result is decided on, and `body.credential` (the lookup's record) is not verified again.
   */
  checked?: CheckedElsewhere;
}

/** A result obtained outside the verification engine, and how the caller's policy refines the decision on it. */
export interface CheckedElsewhere {
  /** The station's request as sent: what an Idempotency-Key stands for (the lookup's record differs at each try). */
  request: object;
  result: VerificationResult;
  /** Whether the practice rules are asked (only for a licence the source confirmed). */
  assessPractice: boolean;
  /** The caller's policy on top of the check-in decision (say, an unconfirmed licence only for non-clinical positions). */
  refine(decided: Decision, position: PositionRequirement | undefined): Decision;
}

/** An offline scan as its station logged it: "verified offline at scannedAt with the pack of packTime". */
export interface OfflineCheckInContext {
  deviceId: string;
  scanId: string;
  seq: number;
  hash: string;
  signature: string;
  /** The station's clock, as logged. */
  deviceScannedAt: string;
  /** The station's clock corrected by the skew measured at sync. */
  scannedAt: string;
  receivedAt: string;
  packTime: string | null;
  offlineDecision: string;
}

export interface CheckInOutcome {
  status: number;
  /** The response body (a CheckInResponse) as JSON text, exactly as first sent: a replay sends the same bytes. */
  body: string;
  replayed: boolean;
}

const CATEGORY: Record<string, string> = {
  RN: 'Health and Medical',
  LPN: 'Health and Medical',
  APRN: 'Health and Medical',
  MD: 'Health and Medical',
  PARAMEDIC: 'Emergency Medical Services',
  EMT: 'Emergency Medical Services',
  USAR_TECH: 'Search and Rescue',
};

/**
 * The foreign keys a check-in written as its responder's first scan breaks when a concurrent statement created that
 * responder or credential first: it refers to the new ids, and PostgreSQL kept the existing rows instead.
 */
const KNOWN_RESPONDER = new Set(['check_in_attempt_responder_id_fkey', 'deployment_responder_id_fkey', 'deployment_credential_id_fkey']);

/**
 * The check-in use case (ICS 211): verify the badge, decide with the incident's policy and the position, then in one
 * statement (one commit) who presented what, the attempt, the deployment and its first status, the audit entry and
 * the board event. Responds only after commit.
 */
@Injectable()
export class CheckInService {
  constructor(
    private readonly verifier: CredentialVerifier,
    private readonly incidents: IncidentsService,
    private readonly deployments: DeploymentReader,
    private readonly checkIns: CheckInRepository,
    private readonly keyHints: IdempotencyKeyHints,
    private readonly metrics: Metrics,
    private readonly practice: PracticeAuthorityCache,
    private readonly matching: MatchingHash,
  ) {}

  async checkIn(cmd: CheckInCommand): Promise<CheckInOutcome> {
    // JCS (RFC 8785), as the audit trail writes it: byte-identical to the canonicalize package, with less garbage.
    const requestHash = createHash('sha256')
      .update(canonicalJson({ incidentId: cmd.incidentId, body: cmd.checked?.request ?? cmd.body }))
      .digest('hex');
    // The idempotency lookup runs while the credential is verified (off the scan's critical path). A replay wins,
    // so a repeated request gets its first response even if the incident has closed since.
    const [previous, fresh] = await Promise.allSettled([this.earlierResponse(cmd, requestHash), this.verifyAtIncident(cmd)]);
    if (previous.status === 'rejected') throw previous.reason;
    if (previous.value && previous.value !== 'new') return previous.value;
    if (fresh.status === 'rejected') {
      // A key Redis took for new may still be a repeat whose hint was lost: before refusing, look in the database.
      const late = previous.value === 'new' ? await this.replay(cmd, requestHash) : undefined;
      if (late) return late;
      throw fresh.reason;
    }
    const { incident, decision } = fresh.value;

    const recorded = this.metrics.checkInSeconds.startTimer({ step: 'record' });
    for (let attempt = 0; ; attempt++) {
      try {
        const outcome = await inSpan('checkin.record', () => this.record(cmd, incident, decision, requestHash), { 'checkin.decision': decision.decision });
        recorded();
        return outcome;
      } catch (err) {
        if (cmd.idempotencyKey && violatedConstraint(err, '23505') === 'check_in_attempt_idempotency') {
          const again = await this.replay(cmd, requestHash);
          if (again) return again;
        }
        // A concurrent scan of the same person committed first: go again, and find their deployment.
        if (attempt === 0 && violatedConstraint(err, '23505') === 'deployment_one_active_per_responder') continue;
        // The same, for a responder that concurrent scan created after this statement began: it is known now.
        if (attempt === 0 && KNOWN_RESPONDER.has(violatedConstraint(err, '23503') ?? '')) continue;
        throw err;
      }
    }
  }

  /** The incident's rules for this scan (open, position, location) and the credential verified in its jurisdiction. */
  private async verifyAtIncident(cmd: CheckInCommand): Promise<{ incident: IncidentWithSetup; result: VerificationResult; decision: Decision }> {
    const incident = await this.incidents.getSetupCached(cmd.incidentId);
    if (incident.state !== 'active')
      throw new DomainError('incident_closed', `Incident ${incident.name} (${incident.number}) is closed; check-ins are no longer accepted.`);
    const position = cmd.body.positionId ? incident.positions?.find((p) => p.id === cmd.body.positionId) : undefined;
    if (cmd.body.positionId && !position) throw new DomainError('position_unknown', 'That position does not exist at this incident.');
    if (cmd.body.locationId && !incident.locations?.some((l) => l.id === cmd.body.locationId)) {
      throw new DomainError('location_unknown', 'That check-in location does not exist at this incident.');
    }
    // The rules in force for the incident's state, from memory: boards of states some rule admits are trusted here
    // too (beside the incident's mutual-aid list); whether this person may practise is decided per credential below.
    const rules = await this.practice.forState(incident.jurisdiction);
    const at = new Date();
    if (cmd.checked) {
      const { result } = cmd.checked;
      const decided = cmd.checked.refine(decideCheckIn(result, 'admit_with_warning', position), position);
      const summary = decided.basis.credential;
      const authority =
        summary && cmd.checked.assessPractice
          ? rules.answer(summary, [result], { missionNumber: cmd.body.ics211?.orderRequestNumber, mutualAidJurisdictions: incident.mutualAidJurisdictions, at })
          : null;
      return { incident, result, decision: withPracticeAuthority(decided, authority, position) };
    }
    const verified = this.metrics.checkInSeconds.startTimer({ step: 'verify' });
    const result = await inSpan('checkin.verify', async (span) => {
      const answer = await this.verifier.verify(cmd.body.credential, {
        jurisdiction: incident.jurisdiction,
        mutualAidJurisdictions: [...new Set([...incident.mutualAidJurisdictions, ...rules.homeStatesWithRules(at)])],
      });
      span.setAttributes({ 'credential.format': answer.credential?.format ?? 'unrecognised', 'credential.verified': answer.verified });
      return answer;
    });
    verified();
    const decided = decideCheckIn(result, incident.statusUnavailablePolicy, position);
    const summary = decided.basis.credential;
    const authority = summary
      ? rules.answer(summary, result.credentials ?? [result], {
          missionNumber: cmd.body.ics211?.orderRequestNumber,
          mutualAidJurisdictions: incident.mutualAidJurisdictions,
          at,
        })
      : null;
    return { incident, result, decision: withPracticeAuthority(decided, authority, position) };
  }

  /**
   * The first response to this request's Idempotency-Key, if there was one; 'new' when Redis says the key was never
   * used, and the database lookup was skipped (a repeat that slips past a lost hint is caught when its attempt is
   * written: the unique (user, key) constraint refuses it, and checkIn replays).
   */
  private async earlierResponse(cmd: CheckInCommand, requestHash: string): Promise<CheckInOutcome | 'new' | undefined> {
    if (cmd.idempotencyKey && (await this.keyHints.firstUse(cmd.principal.userId, cmd.idempotencyKey))) return 'new';
    return this.replay(cmd, requestHash);
  }

  private async replay(cmd: CheckInCommand, requestHash: string): Promise<CheckInOutcome | undefined> {
    if (!cmd.idempotencyKey) return undefined;
    const previous = await this.checkIns.previousResponse(cmd.principal.userId, cmd.idempotencyKey);
    if (!previous) return undefined;
    if (previous.requestHash !== requestHash) {
      throw new DomainError('idempotency_key_reused', 'This Idempotency-Key was already used for a different check-in request.');
    }
    return { status: previous.status, body: previous.body, replayed: true };
  }

  /**
   * Most scans are their responder's first, so a check-in is built as one (new ids for the responder and credential
   * rows, nothing known of them) and written with its presentation in one statement, shared with the check-ins
   * arriving at the same moment at this incident (group commit, CheckInRepository). When a responder in the batch was
   * known, that statement records the presentations only and reads what each check-in must be decided on (the
   * responder's other qualifications, a deployment still active); the check-in is then decided on that and written
   * in a second statement.
   */
  private async record(cmd: CheckInCommand, incident: IncidentWithSetup, decided: Decision, requestHash: string): Promise<CheckInOutcome> {
    const now = new Date();
    const summary = decided.basis.credential;
    // Who it is comes only from a credential that verified and whose issuer the incident trusts: any other scan is
    // an attempt on record and nothing more (it creates, renames and re-keys nobody).
    const presentation: Presentation | null =
      summary && establishesIdentity(decided.basis)
        ? {
            summary,
            scanned: cmd.body.credential,
            result: decided.basis,
            incidentId: incident.id,
            kind: 'check_in',
            at: now,
            ids: { responderId: randomUUID(), credentialId: randomUUID(), verificationId: randomUUID() },
          }
        : null;
    const first = await this.decideAndWrite(cmd, incident, decided, requestHash, now, presentation ? firstSeenIdentity(presentation) : undefined, presentation);
    if (!first.committed) {
      const again = await this.decideAndWrite(cmd, incident, decided, requestHash, now, first.known, null);
      if (again.committed) return again.outcome;
      throw new Error('CheckInService: a check-in without a presentation was not committed');
    }
    return first.outcome;
  }

  /**
   * Decides with what is known of the responder (an active deployment here is returned, one elsewhere denies), builds
   * the response, and writes it with everything else (and `presentation`, when given: see CheckInRepository).
   */
  private async decideAndWrite(
    cmd: CheckInCommand,
    incident: IncidentWithSetup,
    decided: Decision,
    requestHash: string,
    now: Date,
    identity: ResolvedIdentity | undefined,
    presentation: Presentation | null,
  ): Promise<{ committed: true; outcome: CheckInOutcome } | { committed: false; known: ResolvedIdentity | undefined }> {
    const attemptId = randomUUID();
    const basis = decided.basis;
    const summary = basis.credential ?? null;
    let { decision, reasons } = decided;

    let deployment: DeploymentView | null = null;
    let alreadyCheckedIn = false;
    if (decision !== 'denied' && identity) {
      const active = identity.active;
      if (active && active.incidentId === incident.id) {
        deployment = await this.deployments.get(active.deploymentId, incident.id);
        alreadyCheckedIn = true;
      } else if (active) {
        const other = await this.incidents.get(active.incidentId);
        decision = 'denied';
        reasons = [
          { code: 'active_elsewhere', message: `${identity.name} is still checked in at ${other.name} (${other.number}); check them out there first.` },
        ];
      } else if (cmd.offline && !presentation && (await this.checkedOutSince(identity.responderId, incident.id, cmd.offline.scannedAt))) {
        // Conflict rule (docs/offline.md): a check-out recorded online after the offline scan is the later fact. A
        // first scan (a presentation) names a responder never seen, so never checked out: no lookup for it.
        decision = 'denied';
        reasons = [{ code: 'checked_out_since', message: `${identity.name} was checked out after this offline scan; it opens no deployment.` }];
      } else {
        deployment = newDeployment(cmd, incident, identity, summary, decision, decided.practiceAuthority ?? null, now);
      }
    } else if (decision !== 'denied') {
      // Nothing establishes who this is (say, the issuer's trust could not be confirmed): never admit on it.
      decision = 'denied';
      reasons = unconfirmedChecks(basis);
    }

    const response: CheckInResponse = {
      attemptId,
      incidentId: incident.id,
      decision,
      reasons,
      alreadyCheckedIn,
      // A denial names no responder: the scanner learns nothing of whoever the credential's subject matched.
      responder: identity && decision !== 'denied' ? { id: identity.responderId, name: identity.name, qualifications: identity.qualifications } : null,
      deployment,
      verification: { verified: basis.verified, checks: basis.checks, credential: summary, evidence: basis.evidence },
      practiceAuthority: decided.practiceAuthority ?? null,
      performedAt: now.toISOString(),
    };
    const status = 201;
    // Serialized once: the same text is stored for replays and sent.
    const body = JSON.stringify(response);
    const created = deployment && !alreadyCheckedIn ? deployment : null;
    const changes = identity && summary ? this.identityChange(cmd, identity, summary, basis, attemptId, now) : null;
    const written = await this.checkIns.write(incident.id, {
      presentation,
      attempt: {
        id: attemptId,
        performedBy: cmd.principal.userId,
        idempotencyKey: cmd.idempotencyKey ?? null,
        requestHash,
        decision,
        reasons,
        credentialHash: basis.evidence.credentialHash,
        responderId: identity?.responderId ?? null,
        deploymentId: deployment?.id ?? null,
        verificationId: identity?.verificationId ?? null,
        locationId: cmd.body.locationId ?? null,
        deviceId: cmd.deviceId ?? null,
        responseStatus: status,
        response: body,
        performedAt: now,
      },
      deployment: created && { deployment: created, checkedInBy: cmd.principal.userId, changedBy: cmd.actor },
      audit: [
        {
          actor: cmd.actor,
          action: alreadyCheckedIn ? 'checkin.repeated' : `checkin.${decision}`,
          incidentId: incident.id,
          target: deployment ? { type: 'deployment', id: deployment.id } : { type: 'check_in_attempt', id: attemptId },
          occurredAt: now,
          payload: {
            attemptId,
            decision,
            reasons,
            responderId: identity?.responderId ?? null,
            deploymentId: deployment?.id ?? null,
            positionId: cmd.body.positionId ?? null,
            locationId: cmd.body.locationId ?? null,
            // ICS 211 block 12 time (not the place): the start of travel to the incident, so time records recompute offline.
            departureAt: cmd.body.ics211?.departureAt ?? null,
            verification: {
              verified: basis.verified,
              checks: basis.checks.map((c) => ({ id: c.id, status: c.status, code: c.code })),
              issuer: summary ? { id: summary.issuer.id, registryName: summary.issuer.registryName ?? null } : null,
              qualification: summary?.qualification ?? null,
              // The append-only trail is never purged: the licence number only as its matching hash.
              licenceHash: this.matching.ofOptional(summary?.licenseNumber),
              credentialHash: basis.evidence.credentialHash,
              algorithm: basis.evidence.algorithm ?? null,
              keyId: basis.evidence.keyId ?? null,
              status: basis.evidence.status,
            },
            ...(basis.evidence.primarySource ? { primarySource: basis.evidence.primarySource } : {}),
            ...(cmd.offline ? { offline: { ...cmd.offline, reconfirmedAt: now.toISOString() } } : {}),
            practiceAuthority: decided.practiceAuthority ?? null,
          },
        },
        ...(changes ? [changes.audit] : []),
      ],
      event: created
        ? { name: 'deployment.checked_in', payload: { deployment: toRosterEntry(created) } }
        : decision === 'denied'
          ? { name: 'checkin.denied', payload: { attemptId, name: summary?.subject.name, reasons, at: now.toISOString() } }
          : null,
      identityChanges: changes?.changes ?? [],
    });
    if (!written.committed) return written;
    this.metrics.countCheckIn(alreadyCheckedIn ? 'repeated' : decision, reasons);
    return { committed: true, outcome: { status, body, replayed: false } };
  }

  private async checkedOutSince(responderId: string, incidentId: string, scannedAt: string): Promise<boolean> {
    const at = await this.deployments.lastCheckOut(responderId, incidentId);
    return at !== null && at.getTime() >= Date.parse(scannedAt);
  }

  /** The known responder's name and e-mail as this credential changes them: a history row per field and an audit entry. */
  private identityChange(
    cmd: CheckInCommand,
    identity: ResolvedIdentity,
    summary: CredentialSummary,
    basis: VerificationResult,
    attemptId: string,
    now: Date,
  ): { changes: ResponderIdentityChange[]; audit: AuditInput } | null {
    const changes = [...identity.changes].sort((a, b) => a.field.localeCompare(b.field));
    if (changes.length === 0) return null;
    const credentialHash = basis.evidence.credentialHash;
    return {
      changes: changes.map((c) => ({
        responderId: identity.responderId,
        field: c.field,
        from: c.from,
        to: c.to,
        issuerId: summary.issuer.id,
        credentialHash,
        attemptId,
        changedAt: now,
      })),
      audit: {
        actor: cmd.actor,
        action: 'responder.identity_changed',
        incidentId: cmd.incidentId,
        target: { type: 'responder', id: identity.responderId },
        occurredAt: now,
        payload: {
          responderId: identity.responderId,
          attemptId,
          fields: changes.map((c) => c.field),
          before: Object.fromEntries(changes.map((c) => [c.field, c.from])),
          after: Object.fromEntries(changes.map((c) => [c.field, c.to])),
          issuer: { id: summary.issuer.id, registryName: summary.issuer.registryName ?? null },
          credentialHash,
        },
      },
    };
  }
}

/** Why a credential the policy would admit still says nobody: its checks that did not pass (status aside). */
function unconfirmedChecks(basis: VerificationResult): CheckInReason[] {
  const open = basis.checks.filter((c) => c.status !== 'pass' && c.id !== 'status');
  return open.length > 0 ? open.map((c) => ({ code: c.code, message: c.message })) : [{ code: 'malformed', message: 'The credential could not be read.' }];
}

/** The deployment a check-in opens, as the API shows it: built here, so the response needs no read after the insert. */
function newDeployment(
  cmd: CheckInCommand,
  incident: IncidentWithSetup,
  identity: ResolvedIdentity,
  summary: CredentialSummary | null,
  decision: 'admitted' | 'admitted_with_warnings',
  practiceAuthority: PracticeAuthorityView | null,
  now: Date,
): DeploymentView {
  const qualification = summary?.qualification;
  const fromCredential: Ics211Fields = {
    agency: summary?.issuer.registryName ?? summary?.issuer.claimedName,
    category: qualification ? CATEGORY[qualification] : undefined,
    kind: summary?.achievement?.name,
    resourceName: identity.name,
    otherQualifications: [qualification, summary?.licenseNumber ? `licence ${summary.licenseNumber}` : undefined].filter(Boolean).join(', ') || undefined,
  };
  const ics211: Ics211Fields = {
    ...stripUndefined(fromCredential),
    ...stripUndefined({ ...cmd.body.ics211 }),
    preparedBy: {
      name: cmd.principal.displayName,
      position: cmd.principal.role === 'checkin' ? 'Check-in Recorder' : cmd.principal.role,
      at: now.toISOString(),
    },
  };
  const assignment = ics211.incidentAssignment ?? null;
  const position = cmd.body.positionId ? incident.positions?.find((p) => p.id === cmd.body.positionId) : undefined;
  const location = cmd.body.locationId ? incident.locations?.find((l) => l.id === cmd.body.locationId) : undefined;
  return {
    id: randomUUID(),
    incidentId: incident.id,
    responder: { id: identity.responderId, name: identity.name, email: identity.email },
    credential: {
      id: identity.credentialId,
      qualification: qualification ?? null,
      issuerId: summary?.issuer.id ?? null,
      issuerName: summary?.issuer.registryName ?? null,
      licenseNumber: summary?.licenseNumber ?? null,
      validUntil: summary?.validUntil ? new Date(summary.validUntil).toISOString() : null,
    },
    position: position ? { id: position.id, name: position.name } : null,
    location: location ? { id: location.id, name: location.name, kind: location.kind } : null,
    decision,
    status: assignment ? 'assigned' : 'available',
    statusReason: null,
    assignment,
    credentialFlag: null,
    ics211,
    practiceAuthority,
    checkedInAt: now.toISOString(),
    checkedOutAt: null,
    walkUp: null,
    hoursOnScene: 0,
  };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== null && v !== '')) as Partial<T>;
}
