import { Body, Controller, Get, Header, HttpCode, Param, ParseUUIDPipe, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { RequestActor, type AuditActor } from '@app/audit';
import { IncidentScoped, Roles, ROLES } from '@app/auth';
import { ApiProblem, ApiProblems, ApiSuccess } from '@app/common';
import { DemobService, type DemobView } from '../demob/demob.service';
import { DemobDto, SignOffDto, TravelDto } from './dto/par.dto';

@ApiTags('accountability')
@ApiBearerAuth()
@Controller('incidents/:incidentId/deployments/:deploymentId')
@IncidentScoped()
@ApiProblems(400, 401, 403, 404)
export class DemobController {
  constructor(private readonly demob: DemobService) {}

  @Get('demob')
  @Roles(...ROLES)
  @ApiSuccess(DemobDto, { description: 'The ICS 221 release: sign-offs, travel, ready or not.' })
  view(@Param('incidentId', ParseUUIDPipe) incidentId: string, @Param('deploymentId', ParseUUIDPipe) id: string): Promise<DemobView> {
    return this.demob.view(incidentId, id);
  }

  @Post('demob/signoffs')
  @HttpCode(200)
  @Roles('admin', 'commander', 'checkin')
  @ApiSuccess(DemobDto, { description: 'The release with the sign-off (signing twice changes nothing).' })
  @ApiProblem('unprocessable', 'The incident does not ask for this unit’s sign-off.')
  @ApiProblem('deployment_not_active', 'The responder has already been released.')
  sign(
    @Param('incidentId', ParseUUIDPipe) incidentId: string,
    @Param('deploymentId', ParseUUIDPipe) id: string,
    @Body() dto: SignOffDto,
    @RequestActor() actor: AuditActor,
  ): Promise<DemobView> {
    return this.demob.sign(incidentId, id, dto.unit, dto.note, actor);
  }

  @Put('demob/travel')
  @Roles('admin', 'commander', 'checkin')
  @ApiSuccess(DemobDto, { description: 'The release with the travel information.' })
  @ApiProblem('deployment_not_active', 'The responder has already been released.')
  travel(
    @Param('incidentId', ParseUUIDPipe) incidentId: string,
    @Param('deploymentId', ParseUUIDPipe) id: string,
    @Body() dto: TravelDto,
    @RequestActor() actor: AuditActor,
  ): Promise<DemobView> {
    return this.demob.travel(incidentId, id, dto.method, dto.etaHome, actor);
  }

  @Get('ics221.csv')
  @Roles(...ROLES)
  @Header('Content-Type', 'text/csv; charset=utf-8')
  @ApiOkResponse({ description: 'ICS 221 for this person, one row per unit sign-off.', content: { 'text/csv': { schema: { type: 'string' } } } })
  async csv(@Param('incidentId', ParseUUIDPipe) incidentId: string, @Param('deploymentId', ParseUUIDPipe) id: string): Promise<string> {
    return (await this.demob.ics221(incidentId, id)).csv;
  }

  @Get('ics221.html')
  @Roles(...ROLES)
  @Header('Content-Type', 'text/html; charset=utf-8')
  @ApiOkResponse({ description: 'ICS 221 for this person as a printable page.', content: { 'text/html': { schema: { type: 'string' } } } })
  async html(@Param('incidentId', ParseUUIDPipe) incidentId: string, @Param('deploymentId', ParseUUIDPipe) id: string): Promise<string> {
    return (await this.demob.ics221(incidentId, id)).html;
  }
}
