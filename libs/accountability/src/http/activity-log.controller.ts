import { Body, Controller, Get, Header, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { RequestActor, type AuditActor } from '@app/audit';
import { Roles, ROLES, IncidentScoped } from '@app/auth';
import { ApiProblems, ApiSuccess } from '@app/common';
import { ActivityLogService, type ActivityItem, type ActivityLog } from '../activity/activity-log.service';
import { ics214Csv, ics214Html } from '../activity/ics214';
import { ActivityItemDto, ActivityLogDto, ActivityQueryDto, WriteActivityDto } from './dto/par.dto';

@ApiTags('accountability')
@ApiBearerAuth()
@Controller('incidents/:incidentId')
@IncidentScoped()
@ApiProblems(400, 401, 403, 404)
export class ActivityLogController {
  constructor(private readonly log: ActivityLogService) {}

  @Post('activity-log')
  @Roles('admin', 'commander', 'supervisor', 'checkin')
  @ApiSuccess(ActivityItemDto, { status: 201, description: 'The entry as the log shows it.' })
  write(@Param('incidentId', ParseUUIDPipe) incidentId: string, @Body() dto: WriteActivityDto, @RequestActor() actor: AuditActor): Promise<ActivityItem> {
    return this.log.write(incidentId, dto, actor);
  }

  @Get('activity-log')
  @Roles(...ROLES)
  @ApiSuccess(ActivityLogDto, { description: 'The ICS 214 activity log, oldest first: written and automatic entries.' })
  read(@Param('incidentId', ParseUUIDPipe) incidentId: string, @Query() q: ActivityQueryDto): Promise<ActivityLog> {
    return this.log.read(incidentId, q.periodId);
  }

  @Get('ics214.csv')
  @Roles(...ROLES)
  @Header('Content-Type', 'text/csv; charset=utf-8')
  @ApiOkResponse({ description: 'ICS 214 Activity Log, one row per activity.', content: { 'text/csv': { schema: { type: 'string' } } } })
  async csv(@Param('incidentId', ParseUUIDPipe) incidentId: string, @Query() q: ActivityQueryDto): Promise<string> {
    return ics214Csv(await this.log.read(incidentId, q.periodId));
  }

  @Get('ics214.html')
  @Roles(...ROLES)
  @Header('Content-Type', 'text/html; charset=utf-8')
  @ApiOkResponse({ description: 'ICS 214 Activity Log as a printable page (print to PDF).', content: { 'text/html': { schema: { type: 'string' } } } })
  async html(@Param('incidentId', ParseUUIDPipe) incidentId: string, @Query() q: ActivityQueryDto): Promise<string> {
    return ics214Html(await this.log.read(incidentId, q.periodId));
  }
}
