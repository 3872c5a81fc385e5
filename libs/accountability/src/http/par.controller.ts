import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { RequestActor, type AuditActor } from '@app/audit';
import { CurrentUser, IncidentScoped, Roles, ROLES, type Principal } from '@app/auth';
import { ApiProblem, ApiProblems, ApiSuccess } from '@app/common';
import { ParService } from '../par/par.service';
import { ParScanService, type ParScanOutcome } from '../par/par-scans.service';
import { AccountabilitySettingsService } from '../settings/accountability-settings.service';
import { SupervisorsService } from '../supervisors/supervisors.service';
import { WorkLimitsService, type LimitRow } from '../limits/work-limits.service';
import {
  AccountabilitySettingsDto,
  AssignSupervisorDto,
  ListParsQueryDto,
  MarkMembersDto,
  MarkMissingDto,
  MissingPersonDto,
  ParScanDto,
  ParScanResultDto,
  ParDto,
  ParWithMembersDto,
  SnoozeTimerDto,
  StartParDto,
  SupervisorDto,
  UpdateAccountabilitySettingsDto,
  WorkLimitDto,
} from './dto/par.dto';
import {
  memberView,
  missingPersonView,
  parView,
  settingsView,
  type MissingPersonView,
  type ParView,
  type ParWithMembersView,
  type SettingsView,
} from './par.view';

@ApiTags('accountability')
@ApiBearerAuth()
@Controller('incidents/:incidentId')
@IncidentScoped()
@ApiProblems(400, 401, 403, 404)
export class ParController {
  constructor(
    private readonly pars: ParService,
    private readonly scans: ParScanService,
    private readonly settings: AccountabilitySettingsService,
    private readonly supervisors: SupervisorsService,
    private readonly limits: WorkLimitsService,
  ) {}

  /** Who approaches (amber) or has reached (red) a work or rest limit of the incident, and who is in mandatory rest. */
  @Get('work-limits')
  @Roles(...ROLES)
  @ApiSuccess([WorkLimitDto], { description: 'One row per person and limit; empty when no limit is set or nobody is near one.' })
  workLimits(@Param('incidentId', ParseUUIDPipe) incidentId: string): Promise<LimitRow[]> {
    return this.limits.board(incidentId);
  }

  /** Starts a roll call over everyone on scene in the scope (the whole incident, or one assignment). */
  @Post('pars')
  @Roles('admin', 'commander', 'supervisor')
  @ApiSuccess(ParDto, { status: 201, description: 'The PAR, running, with its expected count.' })
  @ApiProblem('par_running', 'A PAR is already running in this scope.')
  @ApiProblem('incident_closed', 'The incident is closed.')
  @ApiProblem('par_scope_empty', 'Nobody is on scene in this scope.')
  async start(
    @Param('incidentId', ParseUUIDPipe) incidentId: string,
    @Body() dto: StartParDto,
    @CurrentUser() user: Principal,
    @RequestActor() actor: AuditActor,
  ): Promise<ParView> {
    return parView(await this.pars.start(incidentId, dto, user, actor));
  }

  @Get('pars')
  @Roles(...ROLES)
  @ApiSuccess([ParDto], { description: 'The latest PARs (50), newest first.' })
  async list(@Param('incidentId', ParseUUIDPipe) incidentId: string, @Query() query: ListParsQueryDto): Promise<ParView[]> {
    return (await this.pars.list(incidentId, query.state)).map(parView);
  }

  /** People on scene marked missing in a roll call and not accounted for since (the board keeps them on top). */
  @Get('missing')
  @Roles(...ROLES)
  @ApiSuccess([MissingPersonDto], { description: 'Oldest mark first; empty when everyone on scene was accounted for at their last roll call.' })
  async stillMissing(@Param('incidentId', ParseUUIDPipe) incidentId: string): Promise<MissingPersonView[]> {
    return (await this.pars.stillMissing(incidentId)).map(missingPersonView);
  }

  @Get('pars/:parId')
  @Roles(...ROLES)
  @ApiSuccess(ParWithMembersDto, { description: 'The PAR and its expected list, each person with their state.' })
  async get(@Param('incidentId', ParseUUIDPipe) incidentId: string, @Param('parId', ParseUUIDPipe) parId: string): Promise<ParWithMembersView> {
    const { par, members } = await this.pars.members(incidentId, parId);
    return { par: parView(par), members: members.map(memberView) };
  }

  /** Supervisors acknowledge on the board; check-in stations record badge scans (always via scan). */
  @Post('pars/:parId/acknowledgements')
  @HttpCode(200)
  @Roles('admin', 'commander', 'supervisor', 'checkin')
  @ApiSuccess(ParDto, { description: 'The PAR with its new counts (completed when everyone is accounted for).' })
  @ApiProblem('par_not_running', 'The PAR is completed.')
  @ApiProblem('par_already_marked', 'Someone of the list is already accounted for; nothing was changed.')
  @ApiProblem('par_not_in_scope', 'Someone of the list is not on the PAR’s expected list (or not in the supervisor’s assignments); nothing was changed.')
  async acknowledge(
    @Param('incidentId', ParseUUIDPipe) incidentId: string,
    @Param('parId', ParseUUIDPipe) parId: string,
    @Body() dto: MarkMembersDto,
    @CurrentUser() user: Principal,
    @RequestActor() actor: AuditActor,
  ): Promise<ParView> {
    const via = user.role === 'checkin' ? 'scan' : (dto.via ?? 'board');
    return parView(await this.pars.mark(incidentId, parId, dto.deploymentIds, 'accounted', via, user, actor));
  }

  /** A station's "Roll call" mode: the scanned badge accounts for its holder on the PAR's expected list. */
  @Post('pars/:parId/scans')
  @HttpCode(200)
  @Roles('admin', 'commander', 'supervisor', 'checkin')
  @ApiSuccess(ParScanResultDto, { description: 'Who was accounted for, and the PAR with its new counts.' })
  @ApiProblem('par_not_running', 'The PAR is completed.')
  @ApiProblem('par_scan_unverified', 'The badge did not verify or its issuer is not trusted here: it names nobody.')
  @ApiProblem('par_scan_not_on_scene', 'Nobody on scene at this incident holds the badge.')
  @ApiProblem('par_not_in_scope', 'The holder is on scene but not on the PAR’s expected list (or not in the supervisor’s assignments).')
  @ApiProblem('par_already_marked', 'The holder is already accounted for.')
  async scan(
    @Param('incidentId', ParseUUIDPipe) incidentId: string,
    @Param('parId', ParseUUIDPipe) parId: string,
    @Body() dto: ParScanDto,
    @CurrentUser() user: Principal,
    @RequestActor() actor: AuditActor,
  ): Promise<{ par: ParView; member: ParScanOutcome['member'] }> {
    const { par, member } = await this.scans.scan(incidentId, parId, dto.credential, user, actor);
    return { par: parView(par), member };
  }

  @Post('pars/:parId/missing')
  @HttpCode(200)
  @Roles('admin', 'commander', 'supervisor')
  @ApiSuccess(ParDto, { description: 'The PAR with its new counts; the board raises a missing-person alert.' })
  @ApiProblem('par_not_running', 'The PAR is completed.')
  @ApiProblem('par_already_marked', 'The person is already accounted for or missing.')
  @ApiProblem('par_not_in_scope', 'The person is not on the PAR’s expected list (or not in the supervisor’s assignments).')
  async missing(
    @Param('incidentId', ParseUUIDPipe) incidentId: string,
    @Param('parId', ParseUUIDPipe) parId: string,
    @Body() dto: MarkMissingDto,
    @CurrentUser() user: Principal,
    @RequestActor() actor: AuditActor,
  ): Promise<ParView> {
    return parView(await this.pars.mark(incidentId, parId, [dto.deploymentId], 'missing', 'board', user, actor));
  }

  @Post('pars/:parId/complete')
  @HttpCode(200)
  @Roles('admin', 'commander', 'supervisor')
  @ApiSuccess(ParDto, { description: 'The PAR, completed; whoever was unaccounted or missing stays so in the record.' })
  @ApiProblem('par_not_running', 'The PAR is already completed.')
  async complete(
    @Param('incidentId', ParseUUIDPipe) incidentId: string,
    @Param('parId', ParseUUIDPipe) parId: string,
    @CurrentUser() user: Principal,
    @RequestActor() actor: AuditActor,
  ): Promise<ParView> {
    return parView(await this.pars.complete(incidentId, parId, user, actor));
  }

  @Get('accountability-settings')
  @Roles(...ROLES)
  @ApiSuccess(AccountabilitySettingsDto, { description: 'PAR period and timer, work and rest limits.' })
  async getSettings(@Param('incidentId', ParseUUIDPipe) incidentId: string): Promise<SettingsView> {
    return settingsView(await this.settings.get(incidentId));
  }

  @Patch('accountability-settings')
  @Roles('admin', 'commander')
  @ApiSuccess(AccountabilitySettingsDto, { description: 'The settings after the change.' })
  async updateSettings(
    @Param('incidentId', ParseUUIDPipe) incidentId: string,
    @Body() dto: UpdateAccountabilitySettingsDto,
    @RequestActor() actor: AuditActor,
  ): Promise<SettingsView> {
    return settingsView(await this.settings.update(incidentId, dto, actor));
  }

  @Post('par-timer/snooze')
  @HttpCode(200)
  @Roles('admin', 'commander')
  @ApiSuccess(AccountabilitySettingsDto, { description: 'The settings with the timer’s new due time.' })
  @ApiProblem('unprocessable', 'The incident has no PAR timer.')
  async snooze(@Param('incidentId', ParseUUIDPipe) incidentId: string, @Body() dto: SnoozeTimerDto, @RequestActor() actor: AuditActor): Promise<SettingsView> {
    return settingsView(await this.settings.snooze(incidentId, dto.minutes, dto.reason, actor));
  }

  @Get('supervisors')
  @Roles('admin', 'commander')
  @ApiSuccess([SupervisorDto], { description: 'Each supervisor and the assignments they answer for.' })
  listSupervisors(@Param('incidentId', ParseUUIDPipe) incidentId: string): Promise<SupervisorDto[]> {
    return this.supervisors.list(incidentId);
  }

  @Put('supervisors/:userId')
  @Roles('admin', 'commander')
  @ApiSuccess(SupervisorDto, { description: 'The supervisor and their assignments.' })
  @ApiProblem('unprocessable', 'The user does not have the supervisor role.')
  assignSupervisor(
    @Param('incidentId', ParseUUIDPipe) incidentId: string,
    @Param('userId', ParseUUIDPipe) userId: string,
    @Body() dto: AssignSupervisorDto,
    @RequestActor() actor: AuditActor,
  ): Promise<SupervisorDto> {
    return this.supervisors.assign(incidentId, userId, dto.assignments, actor);
  }
}
