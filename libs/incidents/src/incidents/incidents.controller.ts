import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { RequestActor, type AuditActor } from '@app/audit';
import { CurrentUser, IncidentScoped, Roles, ROLES, type Principal } from '@app/auth';
import { AssignStaffDto, CreateIncidentDto, UpdateIncidentDto, type IncidentView } from './dto/incident.dto';
import { IncidentsService } from './incidents.service';

@ApiTags('incidents')
@ApiBearerAuth()
@Controller('incidents')
export class IncidentsController {
  constructor(private readonly incidents: IncidentsService) {}

  @Post()
  @Roles('admin')
  create(@Body() dto: CreateIncidentDto, @CurrentUser() user: Principal, @RequestActor() actor: AuditActor): Promise<IncidentView> {
    return this.incidents.create(dto, user, actor);
  }

  @Get()
  @Roles(...ROLES)
  list(@CurrentUser() user: Principal): Promise<IncidentView[]> {
    return this.incidents.listFor(user);
  }

  @Get(':incidentId')
  @Roles(...ROLES)
  @IncidentScoped()
  get(@Param('incidentId', ParseUUIDPipe) id: string): Promise<IncidentView> {
    return this.incidents.view(id);
  }

  @Patch(':incidentId')
  @Roles('admin', 'commander')
  @IncidentScoped()
  update(@Param('incidentId', ParseUUIDPipe) id: string, @Body() dto: UpdateIncidentDto, @RequestActor() actor: AuditActor): Promise<IncidentView> {
    return this.incidents.update(id, dto, actor);
  }

  @Post(':incidentId/close')
  @HttpCode(200)
  @Roles('admin', 'commander')
  @IncidentScoped()
  close(@Param('incidentId', ParseUUIDPipe) id: string, @RequestActor() actor: AuditActor): Promise<IncidentView> {
    return this.incidents.close(id, actor);
  }

  @Get(':incidentId/staff')
  @Roles('admin', 'commander')
  @IncidentScoped()
  staff(@Param('incidentId', ParseUUIDPipe) id: string): ReturnType<IncidentsService['staff']> {
    return this.incidents.staff(id);
  }

  /** Only admins change who is on an incident: a commander cannot add or remove a colleague (docs/check-in.md). */
  @Post(':incidentId/staff')
  @HttpCode(204)
  @Roles('admin')
  @IncidentScoped()
  async assign(
    @Param('incidentId', ParseUUIDPipe) id: string,
    @Body() dto: AssignStaffDto,
    @CurrentUser() user: Principal,
    @RequestActor() actor: AuditActor,
  ): Promise<void> {
    await this.incidents.assignStaff(id, dto.userId, user, actor);
  }

  @Delete(':incidentId/staff/:userId')
  @HttpCode(204)
  @Roles('admin')
  @IncidentScoped()
  async unassign(
    @Param('incidentId', ParseUUIDPipe) id: string,
    @Param('userId', ParseUUIDPipe) userId: string,
    @RequestActor() actor: AuditActor,
  ): Promise<void> {
    await this.incidents.unassignStaff(id, userId, actor);
  }
}
