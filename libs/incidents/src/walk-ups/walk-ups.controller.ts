import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import QRCode from 'qrcode';
import { RequestActor, type AuditActor } from '@app/audit';
import { CurrentUser, IncidentScoped, Roles, ROLES, type Principal } from '@app/auth';
import { ApiProblem, ApiProblems, ApiSuccess, DomainError } from '@app/common';
import { IncidentsService } from '../incidents/incidents.service';
import { BadgeKeysDto, WalkUpBadgeDto, WalkUpBadgeRequestDto, WalkUpDto, WalkUpIntakeDto, WalkUpPositionDto, WalkUpUpgradeDto } from './dto/walk-up.dto';
import { BADGE_DEFAULT_HOURS, WalkUpBadges } from './walk-up-badges';
import { WalkUpsService, type WalkUpView } from './walk-ups.service';

/** Walk-up volunteers at the check-in station (docs/walk-ups.md). */
@ApiTags('walk-ups')
@ApiBearerAuth()
@Controller('incidents/:incidentId')
@IncidentScoped()
@ApiProblems(400, 401, 403, 404)
export class WalkUpsController {
  constructor(
    private readonly walkUps: WalkUpsService,
    private readonly badges: WalkUpBadges,
    private readonly incidents: IncidentsService,
  ) {}

  /** Intake: the volunteer is checked in, pending verification. */
  @Post('walk-ups')
  @Roles('admin', 'commander', 'checkin')
  @ApiSuccess(WalkUpDto, { status: 201, description: 'The walk-up record and the deployment it opened.' })
  @ApiProblem('incident_closed', 'The incident is closed.')
  @ApiProblem('position_unknown', 'The position does not exist at this incident.')
  @ApiProblem('walk_up_not_verified', 'The position needs a verified qualification: general-support positions only until verified.')
  register(
    @Param('incidentId', ParseUUIDPipe) incidentId: string,
    @Body() dto: WalkUpIntakeDto,
    @CurrentUser() principal: Principal,
    @RequestActor() actor: AuditActor,
  ): Promise<WalkUpView> {
    return this.walkUps.register(incidentId, dto, principal, actor);
  }

  @Get('walk-ups')
  @Roles('admin', 'commander', 'checkin')
  @ApiSuccess([WalkUpDto], { description: 'The walk-ups registered at this incident, newest first.' })
  list(@Param('incidentId', ParseUUIDPipe) incidentId: string): Promise<WalkUpView[]> {
    return this.walkUps.list(incidentId);
  }

  @Post('walk-ups/:walkUpId/position')
  @HttpCode(200)
  @Roles('admin', 'commander', 'checkin')
  @ApiSuccess(WalkUpDto, { description: 'The walk-up on its new position.' })
  @ApiProblem('walk_up_not_verified', 'The position needs a verified qualification and the volunteer is pending verification.')
  @ApiProblem('walk_up_not_qualified', "The volunteer's verified qualifications do not meet the position.")
  @ApiProblem('deployment_not_active', 'The volunteer has checked out.')
  assignPosition(
    @Param('incidentId', ParseUUIDPipe) incidentId: string,
    @Param('walkUpId', ParseUUIDPipe) walkUpId: string,
    @Body() dto: WalkUpPositionDto,
    @RequestActor() actor: AuditActor,
  ): Promise<WalkUpView> {
    return this.walkUps.assignPosition(incidentId, walkUpId, dto.positionId ?? null, actor);
  }

  /** A temporary incident badge for the volunteer, to print: the station scans it like any other badge. */
  @Post('walk-ups/:walkUpId/badge')
  @HttpCode(200)
  @Roles('admin', 'commander', 'checkin')
  @ApiSuccess(WalkUpBadgeDto, { description: 'The badge (JWS and QR code) and when it expires.' })
  async badge(
    @Param('incidentId', ParseUUIDPipe) incidentId: string,
    @Param('walkUpId', ParseUUIDPipe) walkUpId: string,
    @Body() dto: WalkUpBadgeRequestDto,
  ): Promise<WalkUpBadgeDto> {
    const walkUp = await this.walkUps.get(incidentId, walkUpId);
    const incident = await this.incidents.get(incidentId);
    if (incident.state !== 'active') throw new DomainError('incident_closed', `Incident ${incident.name} (${incident.number}) is closed.`);
    const issued = await this.badges.issue(incidentId, walkUp, dto.validHours ?? BADGE_DEFAULT_HOURS);
    const qrSvg = await QRCode.toString(issued.token, { type: 'svg', errorCorrectionLevel: 'L', margin: 2 });
    return { ...issued, qrSvg, name: walkUp.name, incident: `${incident.name} (${incident.number})` };
  }

  /** The volunteer presents a verifiable credential: the same deployment is verified in place. */
  @Post('walk-ups/:walkUpId/upgrade')
  @HttpCode(200)
  @Roles('admin', 'commander', 'checkin')
  @ApiSuccess(WalkUpDto, { description: 'The walk-up, verified.' })
  @ApiProblem('walk_up_credential_refused', 'The credential did not verify (its reasons are in the body).')
  @ApiProblem('walk_up_already_verified', 'The walk-up is already verified by a credential.')
  @ApiProblem('walk_up_identity_conflict', 'The credential belongs to another responder on record.')
  @ApiProblem('deployment_not_active', 'The volunteer has checked out.')
  upgrade(
    @Param('incidentId', ParseUUIDPipe) incidentId: string,
    @Param('walkUpId', ParseUUIDPipe) walkUpId: string,
    @Body() dto: WalkUpUpgradeDto,
    @RequestActor() actor: AuditActor,
  ): Promise<WalkUpView> {
    return this.walkUps.upgradeWithCredential(incidentId, walkUpId, dto.credential, actor);
  }

  /** The incident's temporary-badge key (Ed25519 JWK set). */
  @Get('walk-up-badge-keys')
  @Roles(...ROLES)
  @ApiSuccess(BadgeKeysDto, { description: "The public key that signs this incident's temporary badges." })
  badgeKeys(@Param('incidentId', ParseUUIDPipe) incidentId: string): Promise<{ keys: object[] }> {
    return this.badges.publicKeys(incidentId);
  }
}
