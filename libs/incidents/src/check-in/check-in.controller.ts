import { RecentCheckInsQueryDto } from './dto/recent-check-ins-query.dto';
import { Body, Controller, Get, Headers, Inject, Param, ParseUUIDPipe, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiHeader, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { RequestActor, type AuditActor } from '@app/audit';
import { CurrentUser, IncidentScoped, Roles, type Principal } from '@app/auth';
import { ApiProblem, ApiProblems, ApiSuccess, DomainError, RateLimiter } from '@app/common';
import { AppConfig } from '@app/config';
import { CheckInService } from './check-in.service';
import type { CheckInResponse } from './check-in.types';
import { CheckInResponseDto, RecentCheckInDto } from './dto/check-in-response.dto';
import { CheckInDto } from './dto/check-in.dto';
import { RecentCheckInsRepository } from './recent-check-ins.repository';
import { isWalkUpBadge, WalkUpBadges } from '../walk-ups/walk-up-badges';
import { WalkUpsService } from '../walk-ups/walk-ups.service';
import { idempotencyKeyFrom, sendCheckInOutcome } from './check-in-http';

@ApiTags('check-in')
@ApiBearerAuth()
@Controller('incidents/:incidentId/check-ins')
@IncidentScoped()
@ApiProblems(400, 401, 403, 404)
export class CheckInController {
  constructor(
    private readonly checkIns: CheckInService,
    private readonly limiter: RateLimiter,
    @Inject(AppConfig) private readonly config: AppConfig,
    private readonly recentCheckIns: RecentCheckInsRepository,
    private readonly walkUps: WalkUpsService,
    private readonly badges: WalkUpBadges,
  ) {}

  /**
   * A badge scan: verify, decide, record. 201 with the decision (admitted, admitted_with_warnings or denied): a
   * CheckInResponse, sent as the JSON text that was stored with the attempt, so a replay sends the same bytes.
   */
  @Post()
  @Roles('admin', 'commander', 'checkin')
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: "The scanner's scan id: a repeat returns the first response exactly" })
  @ApiHeader({ name: 'X-Device-Id', required: false, description: 'The scanning device (recorded with the attempt and in the audit trail)' })
  @ApiCreatedResponse({
    type: CheckInResponseDto,
    description: 'The decision (admitted, admitted_with_warnings or denied: a denial is a 201 too). A replay carries Idempotent-Replayed: true.',
    headers: {
      'Idempotent-Replayed': {
        description: 'true when this is the stored answer to an earlier request with the same Idempotency-Key',
        schema: { type: 'string', enum: ['true'] },
      },
    },
  })
  @ApiProblem('incident_closed', 'The incident is closed: check-ins are no longer accepted.')
  @ApiProblem('position_unknown', 'The position does not exist at this incident.')
  @ApiProblem('location_unknown', 'The check-in location does not exist at this incident.')
  @ApiProblem('idempotency_key_reused', 'The Idempotency-Key was already used for a different check-in request.')
  @ApiProblems(429)
  async checkIn(
    @Param('incidentId', ParseUUIDPipe) incidentId: string,
    @Body() body: CheckInDto,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @CurrentUser() principal: Principal,
    @RequestActor() actor: AuditActor,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    idempotencyKeyFrom(idempotencyKey);
    // Per user, whatever X-Device-Id says (a client could name a new device for every scan), and before the badge
    // is verified: a scanner over its limit causes no verification work and gets nothing recorded or replayed.
    await this.limiter.consume('check-in', principal.userId, this.config.auth.checkinRateLimitPerMinute);
    // A temporary incident badge (walk-up volunteers, docs/walk-ups.md) is checked against the incident's own key.
    if (isWalkUpBadge(body.credential)) {
      const badge = await this.badges.read(incidentId, body.credential);
      const response = await this.walkUps.scanBadge({ incidentId, principal, actor, positionId: body.positionId, locationId: body.locationId }, badge);
      reply.code(201).type('application/json; charset=utf-8');
      return JSON.stringify(response);
    }
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

  /** The latest scans at this incident (the check-in station's "last scans" list). */
  @Get()
  @Roles('admin', 'commander', 'checkin', 'auditor')
  @ApiSuccess([RecentCheckInDto], { description: 'The latest scans, newest first.' })
  async recent(
    @Param('incidentId', ParseUUIDPipe) incidentId: string,
    @Query() { limit = 20 }: RecentCheckInsQueryDto,
  ): Promise<Array<Pick<CheckInResponse, 'attemptId' | 'decision' | 'reasons' | 'performedAt'> & { name: string | null; qualification: string | null }>> {
    const latest = await this.recentCheckIns.latest(incidentId, limit);
    return latest.map((r) => ({
      attemptId: r.attemptId,
      decision: r.decision,
      reasons: r.reasons,
      performedAt: r.performedAt.toISOString(),
      name: r.name,
      qualification: r.qualification,
    }));
  }
}
