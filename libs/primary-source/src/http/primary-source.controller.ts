import { Body, Controller, Get, Headers, HttpCode, Inject, Param, ParseUUIDPipe, Post, Put, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiCreatedResponse, ApiHeader, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { RequestActor, type AuditActor } from '@app/audit';
import { CurrentUser, IncidentScoped, Public, Roles, type Principal } from '@app/auth';
import { ApiProblem, ApiProblems, ApiSuccess, DomainError, RateLimiter } from '@app/common';
import { AppConfig } from '@app/config';
import { CheckInResponseDto, idempotencyKeyFrom, sendCheckInOutcome, WalkUpDto, type WalkUpView } from '@app/incidents';
import { LicenceCheckInDto, LicenceLookupDto } from '../dto/licence-check-in.dto';
import { NoticeAcceptedDto, PrimarySourcePolicyDto, PrimarySourcePolicyInputDto, RelookupSummaryDto } from '../dto/primary-source-policy.dto';
import { LicenceChangesService, type NoticeOutcome, type RelookupOutcome } from '../licence-changes.service';
import { LicenceCheckInService } from '../licence-check-in.service';
import { PrimarySourcePolicyService, type PrimarySourcePolicyView } from '../primary-source-policy.service';

/** Check-in by licence number, checked at the licence's primary source (docs/primary-source.md). */
@ApiTags('check-in')
@ApiBearerAuth()
@Controller('incidents/:incidentId')
@IncidentScoped()
@ApiProblems(400, 401, 403, 404)
export class LicenceCheckInController {
  constructor(
    private readonly checkIns: LicenceCheckInService,
    private readonly policies: PrimarySourcePolicyService,
    private readonly limiter: RateLimiter,
    @Inject(AppConfig) private readonly config: AppConfig,
  ) {}

  /**
   * A licence number (typed, or read from the card's barcode) looked up at its source, with the staff member's
   * statement that two forms of ID were seen; then decided and recorded as any check-in. 201 with the decision;
   * `verification.evidence.primarySource` is the lookup.
   */
  @Post('check-ins/licence')
  @Roles('admin', 'commander', 'checkin')
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'The station’s attempt id: a repeat returns the first response exactly' })
  @ApiCreatedResponse({
    type: CheckInResponseDto,
    description: 'The decision, as for a badge scan; the evidence names the primary source and when it answered.',
  })
  @ApiProblem('identity_not_confirmed', 'The staff member did not confirm two forms of ID.')
  @ApiProblem('primary_source_not_accepted', 'The incident or the position requires a signed credential.')
  @ApiProblem('primary_source_not_configured', 'No primary source answers for that state and profession.')
  @ApiProblem('incident_closed', 'The incident is closed: check-ins are no longer accepted.')
  @ApiProblem('position_unknown', 'The position does not exist at this incident.')
  @ApiProblem('idempotency_key_reused', 'The Idempotency-Key was already used for a different check-in request.')
  @ApiProblems(429)
  async checkIn(
    @Param('incidentId', ParseUUIDPipe) incidentId: string,
    @Body() body: LicenceCheckInDto,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @CurrentUser() principal: Principal,
    @RequestActor() actor: AuditActor,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    idempotencyKeyFrom(idempotencyKey);
    // The same per-user budget as badge scans: a licence check is a check-in.
    await this.limiter.consume('check-in', principal.userId, this.config.auth.checkinRateLimitPerMinute);
    const outcome = await this.checkIns.checkIn({
      incidentId,
      principal,
      actor,
      body,
      idempotencyKey,
      deviceId: actor.kind === 'user' ? actor.device : undefined,
    });
    return sendCheckInOutcome(reply, outcome);
  }

  /**
   * A walk-up volunteer's licence looked up at its source, with the staff member's two-IDs statement: a confirmed
   * licence verifies the same person and deployment in place (docs/walk-ups.md); anything else leaves them pending.
   */
  @Post('walk-ups/:walkUpId/licence-check')
  @HttpCode(200)
  @Roles('admin', 'commander', 'checkin')
  @ApiSuccess(WalkUpDto, { description: 'The walk-up, verified by the primary source.' })
  @ApiProblem('walk_up_credential_refused', 'The source did not confirm an active licence (its reasons are in the body).')
  @ApiProblem('identity_not_confirmed', 'The staff member did not confirm two forms of ID.')
  @ApiProblem('primary_source_not_accepted', 'The incident requires a signed credential.')
  @ApiProblem('primary_source_not_configured', 'No primary source answers for that state and profession.')
  @ApiProblem('walk_up_identity_conflict', 'The licence belongs to another responder on record.')
  @ApiProblem('deployment_not_active', 'The volunteer has checked out.')
  @ApiProblems(429)
  async verifyWalkUp(
    @Param('incidentId', ParseUUIDPipe) incidentId: string,
    @Param('walkUpId', ParseUUIDPipe) walkUpId: string,
    @Body() body: LicenceLookupDto,
    @CurrentUser() principal: Principal,
    @RequestActor() actor: AuditActor,
  ): Promise<WalkUpView> {
    await this.limiter.consume('check-in', principal.userId, this.config.auth.checkinRateLimitPerMinute);
    return this.checkIns.verifyWalkUp({ incidentId, walkUpId, principal, actor, body });
  }

  /** The incident's rules for licence-number check-in (the station reads them to offer the form). */
  @Get('primary-source-policy')
  @Roles('admin', 'commander', 'checkin', 'auditor')
  @ApiSuccess(PrimarySourcePolicyDto, { description: 'The policy (defaults when never set) and the configured sources.' })
  policy(@Param('incidentId', ParseUUIDPipe) incidentId: string): Promise<PrimarySourcePolicyView> {
    return this.policies.get(incidentId);
  }

  /** Sets whether licence checks are accepted, what an indeterminate lookup does, and which positions need a signed credential (audited). */
  @Put('primary-source-policy')
  @Roles('admin', 'commander')
  @ApiSuccess(PrimarySourcePolicyDto, { description: 'The policy in force.' })
  @ApiProblem('position_unknown', 'A position named does not exist at this incident.')
  setPolicy(
    @Param('incidentId', ParseUUIDPipe) incidentId: string,
    @Body() body: PrimarySourcePolicyInputDto,
    @CurrentUser() principal: Principal,
    @RequestActor() actor: AuditActor,
  ): Promise<PrimarySourcePolicyView> {
    return this.policies.set(incidentId, body, principal.userId, actor);
  }
}

/** Notices from licensing authorities, and re-lookups on demand. */
@ApiTags('primary-source')
@Controller('primary-source')
export class PrimarySourceNoticesController {
  constructor(private readonly changes: LicenceChangesService) {}

  /**
   * A status-change notice pushed by a licensing authority (e-Notify style). Authenticated by its signature over the
   * exact body (X-Notice-Signature), not by a user token. A bad signature or a licence nobody is deployed on is
   * refused with its reason code and kept on record.
   */
  @Post('notices/:sourceId')
  @Public()
  @HttpCode(200)
  @ApiHeader({ name: 'X-Notice-Signature', required: true, description: 't=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body" under the source’s secret>' })
  @ApiBody({ description: 'The source’s notice, as it sends it', schema: { type: 'object' } })
  @ApiSuccess(NoticeAcceptedDto, { description: 'Applied: the deployments on that licence flagged or cleared.' })
  @ApiProblems(400, 404, 429)
  @ApiProblem('notice_signature_invalid', 'The signature is missing, does not verify, or is too old.')
  @ApiProblem('notice_invalid', 'The notice does not name a licence and its status.')
  @ApiProblem('notice_licence_unknown', 'Nobody is deployed on that licence.')
  notice(@Param('sourceId') sourceId: string, @Req() req: FastifyRequest, @Headers() headers: Record<string, string | undefined>): Promise<NoticeOutcome> {
    const raw = (req as FastifyRequest & { rawBody?: string }).rawBody;
    if (typeof raw !== 'string') throw new DomainError('notice_invalid', 'A notice is sent as application/json.');
    return this.changes.receiveNotice(sourceId.slice(0, 40), raw, headers);
  }

  /** Looks up again, now, every deployed licence whose source sends no notices or that is not yet confirmed (the worker does this on schedule). */
  @Post('relookups')
  @Roles('admin')
  @ApiBearerAuth()
  @HttpCode(200)
  @ApiSuccess(RelookupSummaryDto, { description: 'What the re-lookups found and changed.' })
  @ApiProblems(401, 403)
  relookup(@RequestActor() actor: AuditActor): Promise<RelookupOutcome> {
    return this.changes.relookup(actor);
  }
}
