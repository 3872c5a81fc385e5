import { Body, Controller, Get, HttpCode, Param, Patch, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOkResponse, ApiTags, type SchemaObject } from '@nestjs/swagger';
import { z } from 'zod';
import { RequestActor, type AuditActor } from '@app/audit';
import { Roles } from '@app/auth';
import { ApiProblem, ApiProblems, ApiSuccess } from '@app/common';
import {
  CreateTrustedIssuerDto,
  RetireTrustedIssuerDto,
  TrustedIssuerDto,
  TrustListImportSummaryDto,
  UpdateTrustedIssuerDto,
  type TrustedIssuerView,
  type TrustListImportSummary,
} from '../dto/trusted-issuer.dto';
import { IssuerIdParamsDto, ListIssuersQueryDto } from '../dto/trust-queries.dto';
import { trustListSchema, type TrustListDocument, type TrustListQualification } from '../trust-list.document';
import { TrustRegistryService } from '../trust-registry.service';

/**
 * The trust registry admin API. Reads: admin and auditor; writes: admin only, each audited. Issuer ids are DIDs or
 * URLs: send them URL-encoded in the path (encodeURIComponent).
 */
@ApiTags('trust')
@ApiBearerAuth()
@Controller('trust')
@ApiProblems(401, 403)
export class TrustController {
  constructor(private readonly registry: TrustRegistryService) {}

  @Get('issuers')
  @Roles('admin', 'auditor')
  @ApiSuccess([TrustedIssuerDto], { description: 'The trusted issuers that match (retired ones too unless includeRetired=false).' })
  @ApiProblems(400)
  listIssuers(@Query() { jurisdiction, qualification, includeRetired }: ListIssuersQueryDto): Promise<TrustedIssuerView[]> {
    return this.registry.listIssuers({ jurisdiction, qualification, includeRetired: includeRetired !== 'false' });
  }

  @Post('issuers')
  @Roles('admin')
  @ApiSuccess(TrustedIssuerDto, { status: 201, description: 'The issuer is trusted.' })
  @ApiProblems(400)
  @ApiProblem('issuer_exists', 'The issuer is already in the registry.')
  @ApiProblem('unprocessable', 'A qualification is not in the registry.')
  createIssuer(@Body() dto: CreateTrustedIssuerDto, @RequestActor() actor: AuditActor): Promise<TrustedIssuerView> {
    return this.registry.createIssuer(dto, actor);
  }

  @Get('issuers/:id')
  @Roles('admin', 'auditor')
  @ApiSuccess(TrustedIssuerDto, { description: 'The issuer.' })
  @ApiProblems(400, 404)
  getIssuer(@Param() { id }: IssuerIdParamsDto): Promise<TrustedIssuerView> {
    return this.registry.getIssuer(id);
  }

  @Patch('issuers/:id')
  @Roles('admin')
  @ApiSuccess(TrustedIssuerDto, { description: 'The issuer as changed.' })
  @ApiProblems(400, 404)
  @ApiProblem('unprocessable', 'A qualification is not in the registry.')
  updateIssuer(@Param() { id }: IssuerIdParamsDto, @Body() dto: UpdateTrustedIssuerDto, @RequestActor() actor: AuditActor): Promise<TrustedIssuerView> {
    return this.registry.updateIssuer(id, dto, actor);
  }

  @Post('issuers/:id/retire')
  @HttpCode(200)
  @Roles('admin')
  @ApiSuccess(TrustedIssuerDto, { description: 'The issuer, retired: credentials it signs are no longer trusted.' })
  @ApiProblems(400, 404)
  @ApiProblem('conflict', 'The issuer is already retired.')
  retireIssuer(@Param() { id }: IssuerIdParamsDto, @Body() dto: RetireTrustedIssuerDto, @RequestActor() actor: AuditActor): Promise<TrustedIssuerView> {
    return this.registry.retireIssuer(id, dto.reason, actor);
  }

  @Get('qualifications')
  @Roles('admin', 'auditor', 'commander', 'checkin')
  @ApiOkResponse({ standardSchema: trustListSchema.shape.qualifications, description: 'Every qualification code with its recognition rules.' })
  listQualifications(): Promise<TrustListQualification[]> {
    return this.registry.listQualifications();
  }

  /** The whole registry as a trust-list document (format responder-checkin/trust-list, version 1). */
  @Get('list')
  @Roles('admin', 'auditor')
  @ApiOkResponse({ standardSchema: trustListSchema, description: 'The trust-list document (format responder-checkin/trust-list, version 1).' })
  exportList(): Promise<TrustListDocument> {
    return this.registry.exportList();
  }

  /** Replaces the registry with a trust-list document; 422 trust_list_invalid names the first bad fields. */
  @Put('list')
  @Roles('admin')
  @ApiBody({
    description: 'A trust-list document (see docs/verification.md)',
    schema: z.toJSONSchema(trustListSchema, { target: 'openapi-3.0', io: 'input' }) as SchemaObject,
  })
  @ApiSuccess(TrustListImportSummaryDto, { description: 'The registry now holds the document: what changed.' })
  @ApiProblems(400)
  @ApiProblem('trust_list_invalid', 'The document is invalid: `errors` names the first bad fields.')
  importList(@Body() document: unknown, @RequestActor() actor: AuditActor): Promise<TrustListImportSummary> {
    return this.registry.importList(document, actor);
  }
}
