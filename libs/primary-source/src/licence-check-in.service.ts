import { Injectable, Logger } from '@nestjs/common';
import type { AuditActor } from '@app/audit';
import type { Principal } from '@app/auth';
import { DomainError } from '@app/common';
import {
  CheckInService,
  IncidentsService,
  WalkUpsService,
  type CheckInOutcome,
  type Decision,
  type PositionRequirement,
  type WalkUpView,
} from '@app/incidents';
import { licenceCheck } from './licence-check';
import { LicenceLookupService } from './licence-lookup.service';
import { PrimarySources, type ConfiguredSource } from './primary-sources';
import { PrimarySourceRepository, type PrimarySourcePolicy } from './primary-source.repository';
import type { LicenceCheckInDto, LicenceLookupDto } from './dto/licence-check-in.dto';
import type { LicenceNumberQuery } from './sources/licence-source';

export interface LicenceCheckInCommand {
  incidentId: string;
  principal: Principal;
  actor: AuditActor;
  body: LicenceCheckInDto;
  idempotencyKey?: string;
  deviceId?: string;
}

const UNAVAILABLE = 'primary_source_unavailable';

/**
 * Check-in by licence number: the incident's policy first (are licence checks accepted here, for this position),
 * then the lookup at the licence's source, then the ordinary check-in (CheckInService) on the lookup's result, so
 * the attempt, deployment, audit entry, board event and ICS 211 are those of any check-in, and the deployment holds
 * the lookup's record for reverification. Sources that push notices are asked to notify us of this licence.
 */
@Injectable()
export class LicenceCheckInService {
  private readonly logger = new Logger(LicenceCheckInService.name);

  constructor(
    private readonly sources: PrimarySources,
    private readonly lookups: LicenceLookupService,
    private readonly repository: PrimarySourceRepository,
    private readonly incidents: IncidentsService,
    private readonly checkIns: CheckInService,
    private readonly walkUps: WalkUpsService,
  ) {}

  async checkIn(cmd: LicenceCheckInCommand): Promise<CheckInOutcome> {
    const { body } = cmd;
    this.requireIdentityStatement(body);
    const incident = await this.incidents.getSetupCached(cmd.incidentId);
    const policy = await this.repository.policy(cmd.incidentId);
    if (!policy.acceptPrimarySource) {
      throw new DomainError('primary_source_not_accepted', `${incident.name} requires a signed credential: licence-number check-in is not accepted here.`);
    }
    const position = body.positionId ? incident.positions?.find((p) => p.id === body.positionId) : undefined;
    if (position && policy.signedCredentialPositions.includes(position.id)) {
      throw new DomainError('primary_source_not_accepted', `${position.name} requires a signed credential: scan the responder's badge.`);
    }
    const { configured, query, lookup, check } = await this.lookUp(body, cmd.principal);
    const outcome = await this.checkIns.checkIn({
      incidentId: cmd.incidentId,
      principal: cmd.principal,
      actor: cmd.actor,
      body: { credential: check.record, positionId: body.positionId, locationId: body.locationId, ics211: body.ics211 },
      idempotencyKey: cmd.idempotencyKey,
      deviceId: cmd.deviceId,
      checked: {
        request: { kind: 'licence', ...body },
        result: check.result,
        assessPractice: check.outcome === 'licensed',
        refine: (decided, p) => (check.outcome === 'indeterminate' ? onIndeterminate(decided, p, policy, lookup.configured.source.name) : decided),
      },
    });
    // After the response is decided: enrolment is the source's business and must not slow or fail a check-in.
    if (check.outcome === 'licensed' && !outcome.replayed) this.enrol(configured, query);
    return outcome;
  }

  /**
   * A walk-up volunteer's licence confirmed at its source: the same person and deployment verified in place
   * (WalkUpsService), resting on the licence so its notices and re-lookups reach them. Anything but a confirmed
   * licence is refused with what the source said; the walk-up stays pending.
   */
  async verifyWalkUp(cmd: { incidentId: string; walkUpId: string; principal: Principal; actor: AuditActor; body: LicenceLookupDto }): Promise<WalkUpView> {
    const { body } = cmd;
    this.requireIdentityStatement(body);
    const policy = await this.repository.policy(cmd.incidentId);
    if (!policy.acceptPrimarySource) {
      const incident = await this.incidents.getSetupCached(cmd.incidentId);
      throw new DomainError('primary_source_not_accepted', `${incident.name} requires a signed credential: verify the volunteer with their badge.`);
    }
    const { configured, query, check } = await this.lookUp(body, cmd.principal);
    if (check.outcome !== 'licensed') {
      const reasons = [...check.result.errors, ...check.result.warnings].map((c) => ({ code: c.code, message: c.message }));
      throw new DomainError('walk_up_credential_refused', `The licence does not verify this volunteer: ${reasons.map((r) => r.message).join(' ')}`, {
        reasons,
      });
    }
    const view = await this.walkUps.upgradeWithLicenceCheck(cmd.incidentId, cmd.walkUpId, check.result, cmd.actor);
    this.enrol(configured, query);
    return view;
  }

  private requireIdentityStatement(body: LicenceLookupDto): void {
    if (!body.twoFormsOfIdSeen) {
      throw new DomainError(
        'identity_not_confirmed',
        'Check two forms of ID against the licence holder and confirm it: a licence lookup does not say who is standing at the station.',
      );
    }
  }

  private async lookUp(body: LicenceLookupDto, principal: Principal) {
    const configured = this.sources.for(body.state, body.profession);
    if (!configured) {
      throw new DomainError(
        'primary_source_not_configured',
        `No primary source is configured for ${body.profession} licences of ${body.state}: scan a signed credential instead.`,
      );
    }
    const query = { kind: 'licence' as const, licenceNumber: body.licenceNumber, state: body.state, profession: body.profession };
    const lookup = await this.lookups.lookUp(configured, query);
    const staff = { userId: principal.userId, name: principal.displayName, at: new Date() };
    return { configured, query, lookup, check: licenceCheck(lookup, query, body.name, staff) };
  }

  /** Asks a source that sends notices to notify us of this licence; after the answer, never failing it. */
  private enrol(configured: ConfiguredSource, query: LicenceNumberQuery): void {
    if (!this.sources.notifies(configured)) return;
    void configured.source
      .subscribe(query, `${this.sources.noticeUrl}/primary-source/notices/${configured.source.id}`)
      .then((ok) => {
        if (!ok) this.logger.warn(`enrolment for notices at ${configured.source.id} refused; the licence is looked up again on schedule`);
      })
      .catch((err: unknown) => this.logger.warn(`enrolment for notices at ${configured.source.id} failed: ${err instanceof Error ? err.message : 'error'}`));
  }
}

/**
 * The incident's answer when the source could not be asked: deny, or admit to work that needs no licence (no
 * position, or one that requires no qualification) with a warning. Never to a clinical position.
 */
export function onIndeterminate(decided: Decision, position: PositionRequirement | undefined, policy: PrimarySourcePolicy, sourceName: string): Decision {
  const why = decided.basis.warnings[0]?.message ?? `${sourceName} gave no usable answer.`;
  if (policy.onIndeterminate === 'deny') {
    return {
      decision: 'denied',
      reasons: [{ code: UNAVAILABLE, message: `${why} This incident's policy denies check-in until the licence is confirmed.` }],
      basis: decided.basis,
    };
  }
  // Every position names the qualifications it needs, and an unconfirmed licence confers none: only work without a
  // position (general support, assigned by the commander) is open.
  if (position) {
    return {
      decision: 'denied',
      reasons: [
        {
          code: UNAVAILABLE,
          message: `${why} ${position.name} needs a confirmed licence: until it is confirmed, check in without a position (non-clinical work).`,
        },
      ],
      basis: decided.basis,
    };
  }
  if (decided.decision === 'denied') return decided;
  return {
    decision: 'admitted_with_warnings',
    reasons: [{ code: UNAVAILABLE, message: `${why} Admitted to non-clinical work only; check the licence again before any clinical assignment.` }],
    basis: decided.basis,
  };
}
