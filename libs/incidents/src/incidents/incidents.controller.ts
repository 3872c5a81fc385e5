import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiTags } from '@nestjs/swagger';
import { RequestActor, type AuditActor } from '@app/audit';
import { CurrentUser, IncidentScoped, Roles, ROLES, type Principal } from '@app/auth';
import { ApiProblem, ApiProblems, ApiSuccess } from '@app/common';
import { AssignStaffDto, CreateIncidentDto, IncidentDto, StaffMemberDto, UpdateIncidentDto, type IncidentView } from './dto/incident.dto';
import { IncidentStaffService, type StaffMember } from './incident-staff.service';
import { IncidentsService } from './incidents.service';

@ApiTags('incidents')
@ApiBearerAuth()
@Controller('incidents')
@ApiProblems(401, 403)
export class IncidentsController {
  constructor(
    private readonly incidents: IncidentsService,
    private readonly staffing: IncidentStaffService,
  ) {}

  @Post()
  @Roles('admin')
  @ApiSuccess(IncidentDto, { status: 201, description: 'The incident is created.' })
  @ApiProblems(400)
  @ApiProblem('conflict', 'An incident with this number already exists.')
  @ApiProblem('unprocessable', 'An operational period ends before it starts.')
  create(@Body() dto: CreateIncidentDto, @CurrentUser() user: Principal, @RequestActor() actor: AuditActor): Promise<IncidentView> {
    return this.incidents.create(dto, user, actor);
  }

  @Get()
  @Roles(...ROLES)
  @ApiSuccess([IncidentDto], { description: 'The incidents the caller may see.' })
  list(@CurrentUser() user: Principal): Promise<IncidentView[]> {
    return this.incidents.listFor(user);
  }

  @Get(':incidentId')
  @Roles(...ROLES)
  @IncidentScoped()
  @ApiSuccess(IncidentDto, { description: 'The incident.' })
  @ApiProblems(400, 404)
  get(@Param('incidentId', ParseUUIDPipe) id: string): Promise<IncidentView> {
    return this.incidents.view(id);
  }

  @Patch(':incidentId')
  @Roles('admin', 'commander')
  @IncidentScoped()
  @ApiSuccess(IncidentDto, { description: 'The incident as changed.' })
  @ApiProblems(400, 404)
  @ApiProblem('incident_closed', 'The incident is closed.')
  @ApiProblem('conflict', 'A location or position with that name already exists at this incident.')
  @ApiProblem('unprocessable', 'An operational period ends before it starts.')
  update(@Param('incidentId', ParseUUIDPipe) id: string, @Body() dto: UpdateIncidentDto, @RequestActor() actor: AuditActor): Promise<IncidentView> {
    return this.incidents.update(id, dto, actor);
  }

  @Post(':incidentId/close')
  @HttpCode(200)
  @Roles('admin', 'commander')
  @IncidentScoped()
  @ApiSuccess(IncidentDto, { description: 'The incident, closed.' })
  @ApiProblems(400, 404)
  @ApiProblem('conflict', 'Responders are still checked in: check them out first.')
  close(@Param('incidentId', ParseUUIDPipe) id: string, @RequestActor() actor: AuditActor): Promise<IncidentView> {
    return this.incidents.close(id, actor);
  }

  @Get(':incidentId/staff')
  @Roles('admin', 'commander')
  @IncidentScoped()
  @ApiSuccess([StaffMemberDto], { description: 'The commanders and check-in staff assigned to the incident.' })
  @ApiProblems(400, 404)
  staff(@Param('incidentId', ParseUUIDPipe) id: string): Promise<StaffMember[]> {
    return this.staffing.staff(id);
  }

  /** Only admins change who is on an incident: a commander cannot add or remove a colleague (docs/check-in.md). */
  @Post(':incidentId/staff')
  @HttpCode(204)
  @Roles('admin')
  @IncidentScoped()
  @ApiNoContentResponse({ description: 'The user is assigned (or already was).' })
  @ApiProblems(400)
  @ApiProblem('not_found', 'No such incident or user.')
  @ApiProblem('unprocessable', 'Only commanders and check-in staff are assigned to incidents.')
  async assign(
    @Param('incidentId', ParseUUIDPipe) id: string,
    @Body() dto: AssignStaffDto,
    @CurrentUser() user: Principal,
    @RequestActor() actor: AuditActor,
  ): Promise<void> {
    await this.staffing.assignStaff(id, dto.userId, user, actor);
  }

  @Delete(':incidentId/staff/:userId')
  @HttpCode(204)
  @Roles('admin')
  @IncidentScoped()
  @ApiNoContentResponse({ description: 'The assignment is removed.' })
  @ApiProblems(400)
  @ApiProblem('not_found', 'No such incident, or the user is not assigned to it.')
  async unassign(
    @Param('incidentId', ParseUUIDPipe) id: string,
    @Param('userId', ParseUUIDPipe) userId: string,
    @RequestActor() actor: AuditActor,
  ): Promise<void> {
    await this.staffing.unassignStaff(id, userId, actor);
  }
}
