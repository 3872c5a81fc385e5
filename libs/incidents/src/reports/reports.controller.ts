import { Controller, Get, Param, ParseUUIDPipe, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiExtraModels, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentUser, Roles, type Principal } from '@app/auth';
import { ApiProblems } from '@app/common';
import { toCsv, type DeploymentReport } from './deployment-report';
import { DeploymentReportDto, ReportFormatDto, reportContent, ResponderReportDto } from './dto/deployment-report.dto';
import { ReportsService } from './reports.service';

/** Deployment reports (read-only): admins for every incident, auditors for the incidents of their jurisdictions. */
@ApiTags('reports')
@ApiBearerAuth()
@Controller('reports')
@Roles('auditor', 'admin')
@ApiExtraModels(DeploymentReportDto, ResponderReportDto)
@ApiProblems(400, 401, 403, 404)
export class ReportsController {
  constructor(private readonly reports: ReportsService) {}

  @Get('incidents/:incidentId/deployments')
  @ApiOperation({ summary: "Every deployment of an incident: who, position, qualification, how verified, check-in/out, hours per day (incident's time zone)" })
  @ApiOkResponse({ description: 'The report as JSON, or as CSV with ?format=csv.', content: reportContent(DeploymentReportDto) })
  async incident(
    @Param('incidentId', ParseUUIDPipe) incidentId: string,
    @Query() q: ReportFormatDto,
    @CurrentUser() user: Principal,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    send(reply, await this.reports.incidentDeployments(user, incidentId), q.format, `deployments-${incidentId}`);
  }

  @Get('responders/:responderId')
  @ApiOperation({ summary: "One responder's deployments across the incidents the caller may see, with hours per day" })
  @ApiOkResponse({ description: 'The report as JSON, or as CSV with ?format=csv.', content: reportContent(ResponderReportDto) })
  async responder(
    @Param('responderId', ParseUUIDPipe) responderId: string,
    @Query() q: ReportFormatDto,
    @CurrentUser() user: Principal,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    send(reply, await this.reports.responderDeployments(user, responderId), q.format, `responder-${responderId}`);
  }
}

function send(reply: FastifyReply, report: DeploymentReport, format: 'json' | 'csv' | undefined, name: string): void {
  if (format === 'csv') {
    reply.code(200).type('text/csv; charset=utf-8').header('Content-Disposition', `attachment; filename="${name}.csv"`).send(toCsv(report));
    return;
  }
  reply.code(200).send(report);
}
