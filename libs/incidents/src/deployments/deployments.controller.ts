import { Body, Controller, Get, Header, HttpCode, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { RequestActor, type AuditActor } from '@app/audit';
import { CurrentUser, IncidentScoped, Roles, ROLES, type Principal } from '@app/auth';
import { ApiProblem, ApiProblems, ApiSuccess } from '@app/common';
import { Ics211InputDto } from '../check-in/dto/check-in.dto';
import { IncidentsService } from '../incidents/incidents.service';
import { DeploymentReader } from './deployment-reader';
import type { DeploymentView } from './deployment.view';
import { DeploymentsService } from './deployments.service';
import { RosterService, type Roster } from './roster.service';
import { ChangeStatusDto, CheckOutDto, DeploymentDto, DeploymentHistoryDto, RosterDto } from './dto/deployment.dto';
import { RosterQueryDto } from './dto/roster-query.dto';
import { ListDeploymentsQueryDto } from './dto/deployments-query.dto';
import { ics211Csv } from './ics211-csv';

@ApiTags('deployments')
@ApiBearerAuth()
@Controller('incidents/:incidentId')
@IncidentScoped()
@ApiProblems(400, 401, 403, 404)
export class DeploymentsController {
  constructor(
    private readonly reader: DeploymentReader,
    private readonly deployments: DeploymentsService,
    private readonly incidents: IncidentsService,
    private readonly rosters: RosterService,
  ) {}

  /** Who is on scene now, filtered by status, assignment, position or qualification, with counts. */
  @Get('roster')
  @Roles(...ROLES)
  @ApiSuccess(RosterDto, { description: 'The active deployments that match the filters, and counts over all of them.' })
  roster(@Param('incidentId', ParseUUIDPipe) incidentId: string, @Query() filter: RosterQueryDto): Promise<Roster> {
    return this.rosters.roster(incidentId, { ...filter });
  }

  /** The roster: active deployments, or all with ?include=checked_out. */
  @Get('deployments')
  @Roles(...ROLES)
  @ApiSuccess([DeploymentDto], { description: 'The deployments.' })
  list(@Param('incidentId', ParseUUIDPipe) incidentId: string, @Query() { include }: ListDeploymentsQueryDto): Promise<DeploymentView[]> {
    return this.reader.list(incidentId, { activeOnly: include !== 'checked_out' });
  }

  @Get('deployments/:deploymentId')
  @Roles(...ROLES)
  @ApiSuccess(DeploymentDto, { description: 'The deployment.' })
  get(@Param('incidentId', ParseUUIDPipe) incidentId: string, @Param('deploymentId', ParseUUIDPipe) id: string): Promise<DeploymentView> {
    return this.reader.get(id, incidentId);
  }

  @Get('deployments/:deploymentId/history')
  @Roles(...ROLES)
  @ApiSuccess(DeploymentHistoryDto, { description: 'Status changes and ICS 211 corrections, oldest first.' })
  history(@Param('incidentId', ParseUUIDPipe) incidentId: string, @Param('deploymentId', ParseUUIDPipe) id: string): ReturnType<DeploymentsService['history']> {
    return this.deployments.history(incidentId, id);
  }

  @Post('deployments/:deploymentId/status')
  @HttpCode(200)
  @Roles('admin', 'commander')
  @ApiSuccess(DeploymentDto, { description: 'The deployment with its new status.' })
  @ApiProblem('deployment_not_active', 'The responder has checked out.')
  @ApiProblem('invalid_status_change', 'The credential is flagged: the responder stays out of service until it is cleared.')
  @ApiProblem('rest_override_required', 'The responder is in mandatory rest: assigning them needs overrideReason.')
  changeStatus(
    @Param('incidentId', ParseUUIDPipe) incidentId: string,
    @Param('deploymentId', ParseUUIDPipe) id: string,
    @Body() dto: ChangeStatusDto,
    @RequestActor() actor: AuditActor,
  ): Promise<DeploymentView> {
    return this.deployments.changeStatus(incidentId, id, dto, actor);
  }

  @Post('deployments/:deploymentId/check-out')
  @HttpCode(200)
  @Roles('admin', 'commander', 'checkin')
  @ApiSuccess(DeploymentDto, { description: 'The deployment, checked out (demobilized).' })
  @ApiProblem('deployment_not_active', 'The responder has already checked out.')
  @ApiProblem('demob_incomplete', 'The incident asks for ICS 221 sign-offs and travel information first (commanders may override with a reason).')
  checkOut(
    @Param('incidentId', ParseUUIDPipe) incidentId: string,
    @Param('deploymentId', ParseUUIDPipe) id: string,
    @Body() dto: CheckOutDto,
    @CurrentUser() user: Principal,
    @RequestActor() actor: AuditActor,
  ): Promise<DeploymentView> {
    return this.deployments.checkOut(incidentId, id, dto.note, actor, user.userId, { overrideReason: dto.overrideReason });
  }

  @Patch('deployments/:deploymentId/ics211')
  @Roles('admin', 'commander', 'checkin')
  @ApiSuccess(DeploymentDto, { description: 'The deployment with the corrected ICS 211 fields.' })
  editIcs211(
    @Param('incidentId', ParseUUIDPipe) incidentId: string,
    @Param('deploymentId', ParseUUIDPipe) id: string,
    @Body() dto: Ics211InputDto,
    @RequestActor() actor: AuditActor,
  ): Promise<DeploymentView> {
    return this.deployments.editIcs211(incidentId, id, dto, actor);
  }

  /** ICS 211 Incident Check-In List as CSV (every deployment, including checked out). */
  @Get('ics211.csv')
  @Roles(...ROLES)
  @Header('Content-Type', 'text/csv; charset=utf-8')
  @ApiOkResponse({
    description: 'ICS 211 Incident Check-In List, one row per deployment.',
    content: { 'text/csv': { schema: { type: 'string', description: 'RFC 4180 with a header row' } } },
  })
  async ics211(@Param('incidentId', ParseUUIDPipe) incidentId: string): Promise<string> {
    const incident = await this.incidents.get(incidentId);
    const deployments = await this.reader.list(incidentId, { activeOnly: false });
    return ics211Csv(
      deployments.map((d) => ({
        incidentName: incident.name,
        incidentNumber: incident.number,
        checkInLocation: d.location?.name ?? '',
        checkInLocationKind: d.location?.kind ?? '',
        checkInAt: d.checkedInAt,
        name: d.responder.name,
        licenseNumber: d.credential.licenseNumber ?? '',
        qualification: d.credential.qualification ?? '',
        issuer: d.credential.issuerName ?? d.credential.issuerId ?? '',
        position: d.position?.name ?? '',
        status: d.status,
        fields: d.ics211,
        checkedOutAt: d.checkedOutAt ?? '',
      })),
    );
  }
}
