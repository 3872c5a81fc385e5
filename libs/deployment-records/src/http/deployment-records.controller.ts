import { Body, Controller, Get, Header, HttpCode, Inject, Ip, Param, ParseIntPipe, ParseUUIDPipe, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import QRCode from 'qrcode';
import { RequestActor, type AuditActor } from '@app/audit';
import { CurrentUser, IncidentScoped, Public, Roles, ServerKeysService, type Principal } from '@app/auth';
import { ApiProblem, ApiProblems, ApiSuccess, notFound, RateLimiter } from '@app/common';
import { AppConfig } from '@app/config';
import { RecordIssuerKeysService } from '../keys/record-issuer-keys.service';
import type { DeploymentRecord } from '../records/deployment-record';
import { DeploymentRecordsService } from '../records/deployment-records.service';
import {
  DeploymentKindDto,
  DeploymentKindSavedDto,
  DeploymentRecordDto,
  DidDocumentDto,
  PresentedRecordDto,
  PresentedRecordResultDto,
  RecordIssuerKeyDto,
  RevokeRecordDto,
  RotateRecordKeyDto,
} from './dto/deployment-record.dto';

/** The record as the API shows it: the JWT, the credential it secures and a QR code of the JWT. */
async function toDto(record: DeploymentRecord): Promise<DeploymentRecordDto> {
  const credential = record.jwt ? (JSON.parse(Buffer.from(record.jwt.split('.')[1], 'base64url').toString('utf8')) as Record<string, unknown>) : null;
  let qrSvg: string | null = null;
  if (record.jwt) {
    try {
      qrSvg = await QRCode.toString(record.jwt, { type: 'svg', errorCorrectionLevel: 'L', margin: 2 });
    } catch {
      // Longer than a QR code holds: the downloads still carry it.
      qrSvg = null;
    }
  }
  return {
    id: record.id,
    deploymentId: record.deploymentId,
    incidentId: record.incidentId,
    state: record.state,
    jwt: record.jwt,
    credential,
    qrSvg,
    issuedAt: record.issuedAt?.toISOString() ?? null,
    revokedAt: record.revokedAt?.toISOString() ?? null,
    revokeReason: record.revokeReason,
  };
}

/** The record of a checked-out deployment: what the check-out screen shows and offers for download. */
@ApiTags('deployment-records')
@ApiBearerAuth()
@Controller('incidents/:incidentId')
@IncidentScoped()
@ApiProblems(400, 401, 403, 404)
export class DeploymentRecordController {
  constructor(private readonly records: DeploymentRecordsService) {}

  @Get('deployments/:deploymentId/record')
  @Roles('admin', 'commander', 'checkin')
  @ApiSuccess(DeploymentRecordDto, { description: 'The deployment record (signed now if it was still pending).' })
  @ApiProblem('service_unavailable', 'Deployment records are not issued here (RECORDS_ISSUER_DID is not set).')
  async get(@Param('incidentId', ParseUUIDPipe) incidentId: string, @Param('deploymentId', ParseUUIDPipe) deploymentId: string): Promise<DeploymentRecordDto> {
    return toDto(await this.records.forDeployment(incidentId, deploymentId));
  }
}

/** Administration of deployment records, and a record presented at a station. */
@ApiTags('deployment-records')
@ApiBearerAuth()
@Controller('deployment-records')
@ApiProblems(400, 401, 403)
export class DeploymentRecordsAdminController {
  constructor(
    private readonly records: DeploymentRecordsService,
    private readonly serverKeys: ServerKeysService,
    private readonly limiter: RateLimiter,
    @Inject(AppConfig) private readonly config: AppConfig,
  ) {}

  /** Revokes a record issued in error: its bit is set on the agency's status list (audited). */
  @Post(':id/revoke')
  @HttpCode(200)
  @Roles('admin')
  @ApiSuccess(DeploymentRecordDto, { description: 'The record, revoked.' })
  @ApiProblems(404)
  @ApiProblem('conflict', 'The record is already revoked, or not issued yet.')
  async revoke(
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: RevokeRecordDto,
    @RequestActor() actor: AuditActor,
    @CurrentUser() user: Principal,
  ): Promise<DeploymentRecordDto> {
    return toDto(await this.records.revoke(id, dto.reason, actor, user.userId));
  }

  /** Names the deployment kind (the record's achievement) for one incident or every incident of a type. */
  @Put('kinds')
  @Roles('admin')
  @ApiSuccess(DeploymentKindSavedDto, { description: 'Saved: records issued from now on name it.' })
  async setKind(@Body() dto: DeploymentKindDto, @RequestActor() actor: AuditActor, @CurrentUser() user: Principal): Promise<DeploymentKindSavedDto> {
    const kind = { name: dto.name.trim(), description: dto.description ?? null };
    await this.records.setKind({ incidentId: dto.incidentId, incidentType: dto.incidentType }, kind, actor, user.userId);
    return { scope: dto.incidentId ? `incident:${dto.incidentId}` : `type:${dto.incidentType ?? ''}`, ...kind };
  }

  /** Generates the next records key: in the DID document at once, signing from its activation; older keys stay published. */
  @Post('issuer-keys/rotate')
  @HttpCode(200)
  @Roles('admin')
  @ApiSuccess(RecordIssuerKeyDto, { description: 'The new key, and when it starts signing.' })
  @ApiProblem('conflict', 'The key comes from RECORDS_SIGNING_KEY: rotate it there.')
  @ApiProblem('service_unavailable', 'Deployment records are not issued here (RECORDS_ISSUER_DID is not set).')
  async rotate(@Body() dto: RotateRecordKeyDto, @CurrentUser() principal: Principal, @Ip() ip: string): Promise<RecordIssuerKeyDto> {
    // The same audited rotation as POST /admin/keys/deployment_record/rotate.
    const key = await this.serverKeys.rotate('deployment_record', { activateInSeconds: dto.activateInSeconds }, { principal, ip });
    return { kid: key.kid, verificationMethod: `${this.config.records.issuerDid ?? ''}#${key.kid}`, activatesAt: key.activatesAt.toISOString() };
  }

  /** A record presented at a station: verified, then the holder's deployment history. Admits no one. */
  @Post('presented')
  @HttpCode(200)
  @Roles('admin', 'commander', 'checkin')
  @ApiSuccess(PresentedRecordResultDto, { description: 'Whether it verified and, if so, the deployment history of its holder.' })
  @ApiProblems(429)
  @ApiProblem('service_unavailable', 'Deployment records are not issued here (RECORDS_ISSUER_DID is not set).')
  async presented(@Body() dto: PresentedRecordDto, @CurrentUser() user: Principal): Promise<PresentedRecordResultDto> {
    await this.limiter.consume('verify', user.userId, this.config.auth.verifyRateLimitPerMinute);
    return this.records.presented(dto.verifiableCredential);
  }
}

/** What anyone verifying a record fetches: the agency's DID document and its status lists. */
@ApiTags('deployment-records')
@Controller()
export class DeploymentRecordsPublicController {
  constructor(
    private readonly records: DeploymentRecordsService,
    private readonly keys: RecordIssuerKeysService,
  ) {}

  @Get('.well-known/did.json')
  @Public()
  @Header('Cache-Control', 'max-age=300')
  @ApiOkResponse({ type: DidDocumentDto, description: "The agency's did:web document: every records key, current and retired, as JsonWebKey." })
  @ApiProblems(404)
  async didDocument(): Promise<DidDocumentDto> {
    const issuer = this.records.issuer;
    if (!issuer) throw notFound('DID document', 'did:web');
    const methods = (await this.keys.published()).map((k) => ({
      id: `${issuer.did}#${k.kid}`,
      type: 'JsonWebKey',
      controller: issuer.did,
      publicKeyJwk: { kty: k.publicJwk.kty, crv: k.publicJwk.crv, x: k.publicJwk.x, kid: k.kid, alg: 'EdDSA' },
    }));
    return {
      '@context': ['https://www.w3.org/ns/did/v1', 'https://www.w3.org/ns/cid/v1'],
      id: issuer.did,
      verificationMethod: methods,
      assertionMethod: methods.map((m) => m.id),
    };
  }

  /** Not cached: a revocation applies from the verifier's next fetch. */
  @Get('deployment-records/status/:list')
  @Public()
  @Header('Content-Type', 'application/vc+jwt')
  @Header('Cache-Control', 'no-store')
  @ApiProduces('application/vc+jwt')
  @ApiOkResponse({ description: 'The Bitstring Status List credential (vc+jwt, 131,072 entries, purpose revocation).', schema: { type: 'string' } })
  @ApiProblems(400, 404)
  @ApiProblem('service_unavailable', 'Deployment records are not issued here (RECORDS_ISSUER_DID is not set).')
  async statusList(@Param('list', ParseIntPipe) list: number): Promise<string> {
    if (list < 1 || list > 16_384) throw notFound('Status list', String(list));
    return this.records.statusList(list);
  }
}
