import { once } from 'node:events';
import { Body, Controller, Get, Header, HttpCode, Param, ParseUUIDPipe, Post, Put, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { RequestActor, type AuditActor } from '@app/audit';
import { CurrentUser, IncidentScoped, Roles, type Principal } from '@app/auth';
import { ApiProblem, ApiProblems, ApiSuccess } from '@app/common';
import { donatedHoursCsv, labourSummaryCsv, timePackageCsvHeader, timePackageCsvRows, timePackageCsvTotal } from '../domain';
import { TimePackagePdfWriter } from '../time-package-pdf';
import { sendPackageFile } from './package-file';
import type { StoredApproval, StoredCorrection, StoredPeriodApproval } from '../time-records.repository';
import { TimeRecordsService } from '../time-records.service';
import {
  AgencyQueryDto,
  AgencyRulesDto,
  CertificationDto,
  CertifyDto,
  MissionReferenceDto,
  TimePackageDto,
  ApproveDayDto,
  ApprovePeriodDto,
  PeriodApprovalDto,
  CorrectionDto,
  CreateCorrectionDto,
  DayApprovalDto,
  EmploymentDto,
  EmploymentResultDto,
  LabourSummaryQueryDto,
} from './time-records.dto';

const correctionView = (c: StoredCorrection): CorrectionDto => ({
  id: c.id,
  responderId: c.responderId,
  agency: c.agency,
  date: c.date,
  onDuty: c.onDuty,
  reason: c.reason,
  authorId: c.authorId,
  createdAt: c.createdAt.toISOString(),
  approverId: c.approverId,
  approvedAt: c.approvedAt?.toISOString() ?? null,
});

const approvalView = (a: StoredApproval): DayApprovalDto => ({ ...a, approvedAt: a.approvedAt.toISOString() });
const periodApprovalView = (a: StoredPeriodApproval): PeriodApprovalDto => ({
  ...a,
  startsAt: a.startsAt.toISOString(),
  endsAt: a.endsAt.toISOString(),
  approvedAt: a.approvedAt.toISOString(),
});

/** The time unit of an incident: rules and rates, corrections (never overwriting), day approvals and the labour summary. */
@ApiTags('time records')
@ApiBearerAuth()
@Controller('incidents/:incidentId/time')
@IncidentScoped()
@ApiProblems(400, 401, 403, 404)
export class TimeRecordsController {
  constructor(private readonly time: TimeRecordsService) {}

  @Put('rules')
  @Roles('admin', 'timekeeper')
  @ApiSuccess(AgencyRulesDto, { description: "The agency's rules as saved." })
  setRules(
    @Param('incidentId', ParseUUIDPipe) incidentId: string,
    @Body() dto: AgencyRulesDto,
    @CurrentUser() user: Principal,
    @RequestActor() actor: AuditActor,
  ): Promise<AgencyRulesDto> {
    return this.time.setRules(incidentId, dto, user, actor);
  }

  @Put('responders/:responderId/employment')
  @Roles('admin', 'timekeeper')
  @ApiSuccess(EmploymentResultDto, { description: 'How the responder is paid at this incident.' })
  setEmployment(
    @Param('incidentId', ParseUUIDPipe) incidentId: string,
    @Param('responderId', ParseUUIDPipe) responderId: string,
    @Body() dto: EmploymentDto,
    @CurrentUser() user: Principal,
    @RequestActor() actor: AuditActor,
  ): Promise<EmploymentResultDto> {
    return this.time.setEmployment(incidentId, responderId, dto.employment, user, actor);
  }

  @Get('corrections')
  @Roles('admin', 'timekeeper', 'auditor')
  @ApiSuccess([CorrectionDto], { description: 'Every correction, approved or not, oldest first.' })
  async corrections(@Param('incidentId', ParseUUIDPipe) incidentId: string): Promise<CorrectionDto[]> {
    return (await this.time.corrections(incidentId)).map(correctionView);
  }

  @Post('corrections')
  @Roles('admin', 'timekeeper')
  @ApiSuccess(CorrectionDto, { status: 201, description: 'The correction, waiting for approval by someone else.' })
  @ApiProblem('time_entry_negative', 'An interval ends before it starts.')
  @ApiProblem('time_entry_overlap', "Two intervals overlap, or one overlaps the responder's recorded travel.")
  @ApiProblem('time_entry_outside_incident', "An interval leaves the corrected day or the incident's dates.")
  async addCorrection(
    @Param('incidentId', ParseUUIDPipe) incidentId: string,
    @Body() dto: CreateCorrectionDto,
    @CurrentUser() user: Principal,
    @RequestActor() actor: AuditActor,
  ): Promise<CorrectionDto> {
    return correctionView(await this.time.addCorrection(incidentId, dto, user, actor));
  }

  @Post('corrections/:correctionId/approve')
  @HttpCode(200)
  @Roles('admin', 'timekeeper')
  @ApiSuccess(CorrectionDto, { description: 'The approved correction; on an approved day it counts once the day is approved again.' })
  @ApiProblem('time_correction_self_approved', 'The author cannot approve their own correction.')
  @ApiProblem('conflict', 'The correction is already approved.')
  async approveCorrection(
    @Param('incidentId', ParseUUIDPipe) incidentId: string,
    @Param('correctionId', ParseUUIDPipe) correctionId: string,
    @CurrentUser() user: Principal,
    @RequestActor() actor: AuditActor,
  ): Promise<CorrectionDto> {
    return correctionView(await this.time.approveCorrection(incidentId, correctionId, user, actor));
  }

  @Post('approvals')
  @Roles('admin', 'timekeeper')
  @ApiSuccess(DayApprovalDto, { status: 201, description: "The approval: the agency's day is locked." })
  @ApiProblem('time_day_already_approved', 'The day is approved and unchanged since.')
  async approveDay(
    @Param('incidentId', ParseUUIDPipe) incidentId: string,
    @Body() dto: ApproveDayDto,
    @CurrentUser() user: Principal,
    @RequestActor() actor: AuditActor,
  ): Promise<DayApprovalDto> {
    return approvalView(await this.time.approveDay(incidentId, dto.agency, dto.date, user, actor));
  }

  @Post('period-approvals')
  @Roles('admin', 'timekeeper')
  @ApiSuccess(PeriodApprovalDto, {
    status: 201,
    description: "The approval: the agency's responder days whose time lies within approved periods are approved and locked.",
  })
  @ApiProblem('time_period_unknown', 'The incident has no such operational period.')
  @ApiProblem('time_period_already_approved', "The agency's period is approved and unchanged since.")
  @ApiProblem('time_package_certified', "The agency's package is certified.")
  async approvePeriod(
    @Param('incidentId', ParseUUIDPipe) incidentId: string,
    @Body() dto: ApprovePeriodDto,
    @CurrentUser() user: Principal,
    @RequestActor() actor: AuditActor,
  ): Promise<PeriodApprovalDto> {
    return periodApprovalView(await this.time.approvePeriod(incidentId, dto.agency, dto.periodId, user, actor));
  }

  /** Per responder day: hours regular and overtime, breaks, rates, amounts, donated hours, approval; a total per agency. */
  @Get('labour-summary.csv')
  @Roles('admin', 'timekeeper', 'auditor')
  @Header('Content-Type', 'text/csv; charset=utf-8')
  @ApiOkResponse({
    description: 'The labour summary, one row per responder and day, then one total row per agency.',
    content: { 'text/csv': { schema: { type: 'string', description: 'RFC 4180 with a header row' } } },
  })
  @ApiProblem('time_rate_missing', 'An agency has no rules or rates for someone who worked.')
  @ApiProblem('time_travel_implausible', 'A journey to or from the incident lasts more than 72 hours.')
  @ApiProblem('time_day_reapproval_required', 'settled=true and a corrected day waits for re-approval.')
  async labourSummary(@Param('incidentId', ParseUUIDPipe) incidentId: string, @Query() query: LabourSummaryQueryDto): Promise<string> {
    return labourSummaryCsv(await this.time.summary(incidentId, { agency: query.agency, settled: query.settled === 'true' }));
  }

  @Put('mission-reference')
  @Roles('admin', 'timekeeper')
  @ApiSuccess(MissionReferenceDto, { description: "The reference as saved; it heads the agency's package." })
  @ApiProblem('time_package_certified', "The agency's package is certified and locked.")
  async setMissionReference(
    @Param('incidentId', ParseUUIDPipe) incidentId: string,
    @Body() dto: MissionReferenceDto,
    @CurrentUser() user: Principal,
    @RequestActor() actor: AuditActor,
  ): Promise<MissionReferenceDto> {
    await this.time.setMissionReference(incidentId, dto.agency, dto.reference, user, actor);
    return { agency: dto.agency, reference: dto.reference };
  }

  @Post('certifications')
  @Roles('admin', 'timekeeper')
  @ApiSuccess(CertificationDto, { status: 201, description: "The certification: the agency's package is locked." })
  @ApiProblem('time_day_not_approved', 'A day of the agency is not approved, or the agency has no time.')
  @ApiProblem('time_travel_implausible', 'A journey to or from the incident lasts more than 72 hours.')
  @ApiProblem('time_day_reapproval_required', 'A corrected day waits for re-approval.')
  @ApiProblem('time_package_certified', 'The package is already certified.')
  certify(
    @Param('incidentId', ParseUUIDPipe) incidentId: string,
    @Body() dto: CertifyDto,
    @CurrentUser() user: Principal,
    @RequestActor() actor: AuditActor,
  ): Promise<CertificationDto> {
    return this.time.certify(incidentId, dto.agency, user, actor);
  }

  @Get('package')
  @Roles('admin', 'timekeeper', 'auditor')
  @ApiSuccess(TimePackageDto, { description: "One agency's reimbursement package: responder days with evidence, totals, donated hours, certification." })
  @ApiProblem('time_rate_missing', 'An agency has no rules or rates for someone who worked.')
  @ApiProblem('time_travel_implausible', 'A journey to or from the incident lasts more than 72 hours.')
  package(@Param('incidentId', ParseUUIDPipe) incidentId: string, @Query() query: AgencyQueryDto): Promise<TimePackageDto> {
    return this.time.package(incidentId, query.agency);
  }

  @Get('package.csv')
  @Roles('admin', 'timekeeper', 'auditor')
  @ApiOkResponse({
    description: "The package as CSV: the labour summary's columns plus work description, credential evidence, legal basis, mission and certification.",
    content: { 'text/csv': { schema: { type: 'string', description: 'RFC 4180 with a header row' } } },
  })
  @ApiProblem('time_rate_missing', 'An agency has no rules or rates for someone who worked.')
  @ApiProblem('time_travel_implausible', 'A journey to or from the incident lasts more than 72 hours.')
  async packageCsv(@Param('incidentId', ParseUUIDPipe) incidentId: string, @Query() query: AgencyQueryDto, @Res() reply: FastifyReply): Promise<void> {
    await sendPackageFile(reply, { type: 'text/csv; charset=utf-8', name: 'labour-package.csv' }, async (out) => {
      await out.write(timePackageCsvHeader());
      let mission: string | null = null;
      const head = await this.time.buildPackage(incidentId, query.agency, {
        begin: (h) => void (mission = h.missionReference),
        rows: (rows) => out.write(timePackageCsvRows(rows, mission)),
      });
      await out.write(timePackageCsvTotal(head));
    });
  }

  @Get('donated-hours.csv')
  @Roles('admin', 'timekeeper', 'auditor')
  @Header('Content-Type', 'text/csv; charset=utf-8')
  @ApiOkResponse({
    description: "The agency's volunteers: days, donated hours and their value at the volunteer rate; then the total.",
    content: { 'text/csv': { schema: { type: 'string', description: 'RFC 4180 with a header row' } } },
  })
  @ApiProblem('time_rate_missing', 'An agency has no rules or rates for someone who worked.')
  @ApiProblem('time_travel_implausible', 'A journey to or from the incident lasts more than 72 hours.')
  async donatedHours(@Param('incidentId', ParseUUIDPipe) incidentId: string, @Query() query: AgencyQueryDto): Promise<string> {
    // Only totals and volunteers are kept: the rows are dropped batch by batch.
    const head = await this.time.buildPackage(incidentId, query.agency, { rows: () => undefined });
    return donatedHoursCsv({ ...head, rows: [] });
  }

  @Get('package.pdf')
  @Roles('admin', 'timekeeper', 'auditor')
  @ApiOkResponse({
    description: 'The package as a printable PDF (US Letter, landscape).',
    content: { 'application/pdf': { schema: { type: 'string', format: 'binary' } } },
  })
  @ApiProblem('time_rate_missing', 'An agency has no rules or rates for someone who worked.')
  @ApiProblem('time_travel_implausible', 'A journey to or from the incident lasts more than 72 hours.')
  async packagePdf(@Param('incidentId', ParseUUIDPipe) incidentId: string, @Query() query: AgencyQueryDto, @Res() reply: FastifyReply): Promise<void> {
    const generatedAt = new Date();
    await sendPackageFile(reply, { type: 'application/pdf', name: 'labour-package.pdf' }, async (out) => {
      let pdf: TimePackagePdfWriter | undefined;
      const head = await this.time.buildPackage(incidentId, query.agency, {
        begin: (h) => {
          pdf = new TimePackagePdfWriter(h, generatedAt);
          pdf.doc.pipe(out.stream);
        },
        rows: (rows) => pdf?.rows(rows),
      });
      if (!pdf) return;
      // The file is complete once the document has been read to its end (the pipe then ends the file).
      const read = once(pdf.doc, 'end');
      pdf.end(head);
      await read;
    });
  }
}
