import { Body, Controller, Get, Headers, HttpCode, Inject, Param, ParseUUIDPipe, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { RequestActor, type AuditActor } from '@app/audit';
import { CurrentUser, IncidentScoped, Roles, type Principal } from '@app/auth';
import { ApiProblem, ApiProblems, ApiSuccess, RateLimiter } from '@app/common';
import { AppConfig } from '@app/config';
import { OfflineDevicesService } from '../devices/offline-devices.service';
import type { OfflineDevice } from '../devices/offline-devices.repository';
import type { SignedIncidentPack } from '../pack/incident-pack';
import { IncidentPackBuilder } from '../pack/incident-pack.builder';
import { OfflineScansRepository, type OfflineScan } from '../sync/offline-scans.repository';
import { OfflineSyncService, type SyncResult } from '../sync/offline-sync.service';
import { OfflineDeviceDto, OfflineScanDto, RegisterDeviceDto, SignedIncidentPackDto, SyncBatchDto, SyncResultDto } from './dto/offline.dto';

const toDeviceDto = (d: OfflineDevice): OfflineDeviceDto => ({
  id: d.id,
  incidentId: d.incidentId,
  userId: d.userId,
  label: d.label,
  keyThumbprint: d.keyThumbprint,
  registeredAt: d.registeredAt.toISOString(),
  revokedAt: d.revokedAt?.toISOString() ?? null,
  headSeq: d.headSeq,
  headHash: d.headHash,
});

const toScanDto = (s: OfflineScan): OfflineScanDto => ({
  deviceId: s.deviceId,
  scanId: s.scanId,
  seq: s.seq,
  hash: s.hash,
  deviceScannedAt: s.deviceScannedAt.toISOString(),
  scannedAt: s.scannedAt.toISOString(),
  receivedAt: s.receivedAt.toISOString(),
  packTime: s.packTime?.toISOString() ?? null,
  offlineDecision: s.offlineDecision,
  onlineDecision: s.onlineDecision,
  outcome: s.outcome,
  code: s.code,
  attemptId: s.attemptId,
  flags: s.flags,
});

/** Offline stations: the incident pack, device keys and log sync (docs/offline.md). */
@ApiTags('offline')
@ApiBearerAuth()
@Controller('incidents/:incidentId')
@IncidentScoped()
@ApiProblems(400, 401, 403, 404)
export class OfflineController {
  constructor(
    private readonly packs: IncidentPackBuilder,
    private readonly devices: OfflineDevicesService,
    private readonly sync: OfflineSyncService,
    private readonly scans: OfflineScansRepository,
    private readonly limiter: RateLimiter,
    @Inject(AppConfig) private readonly config: AppConfig,
  ) {}

  /** The signed incident pack a station verifies with while offline. 304 when If-None-Match names the current ETag. */
  @Get('pack')
  @Roles('admin', 'commander', 'checkin')
  @ApiHeader({ name: 'If-None-Match', required: false, description: 'The ETag of the pack the station holds' })
  @ApiSuccess(SignedIncidentPackDto, {
    description: 'The pack and its signature (an empty 304 when If-None-Match names the current ETag).',
    headers: { ETag: { description: 'Identifies the pack content (not its pack time)', schema: { type: 'string' } } },
  })
  async pack(
    @Param('incidentId', ParseUUIDPipe) incidentId: string,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<SignedIncidentPack> {
    const built = await this.packs.build(incidentId);
    reply.header('ETag', built.etag).header('Cache-Control', 'private, no-cache');
    if (ifNoneMatch && ifNoneMatch.split(',').some((t) => t.trim() === built.etag)) {
      reply.code(304);
      return undefined as unknown as SignedIncidentPack;
    }
    return built.signed;
  }

  /** Registers a station's device key (while online); its log is signed with it. */
  @Post('devices')
  @Roles('admin', 'commander', 'checkin')
  @ApiSuccess(OfflineDeviceDto, { status: 201, description: 'The device, with the genesis hash its log starts from.' })
  @ApiProblem('device_key_exists', 'This public key is already registered.')
  @ApiProblem('incident_closed', 'The incident is closed.')
  @ApiProblems(422)
  async register(
    @Param('incidentId', ParseUUIDPipe) incidentId: string,
    @Body() body: RegisterDeviceDto,
    @CurrentUser() principal: Principal,
    @RequestActor() actor: AuditActor,
  ): Promise<OfflineDeviceDto> {
    return toDeviceDto(await this.devices.register(incidentId, body.label, body.publicKey, principal, actor));
  }

  @Get('devices')
  @Roles('admin', 'commander')
  @ApiSuccess([OfflineDeviceDto], { description: "The incident's stations, oldest first." })
  async list(@Param('incidentId', ParseUUIDPipe) incidentId: string): Promise<OfflineDeviceDto[]> {
    return (await this.devices.list(incidentId)).map(toDeviceDto);
  }

  /** Revokes a device key (a lost or stolen station): its later batches are refused; what it synced stays. */
  @Post('devices/:deviceId/revoke')
  @HttpCode(200)
  @Roles('admin', 'commander')
  @ApiSuccess(OfflineDeviceDto, { description: 'The device, revoked.' })
  async revoke(
    @Param('incidentId', ParseUUIDPipe) incidentId: string,
    @Param('deviceId', ParseUUIDPipe) deviceId: string,
    @CurrentUser() principal: Principal,
    @RequestActor() actor: AuditActor,
  ): Promise<OfflineDeviceDto> {
    return toDeviceDto(await this.devices.revoke(incidentId, deviceId, principal, actor));
  }

  /** Uploads a batch of the station's log, in order; every new scan is re-verified online. Idempotent per scan id. */
  @Post('devices/:deviceId/sync')
  @HttpCode(200)
  @Roles('admin', 'commander', 'checkin')
  @ApiSuccess(SyncResultDto, { description: 'What became of each entry (accepted, duplicate or rejected, with its online outcome).' })
  @ApiProblem('device_revoked', "The station's device key was revoked: the batch is refused.")
  @ApiProblem('device_log_invalid', 'The batch itself is inconsistent (an entry twice).')
  @ApiProblems(429)
  async syncBatch(
    @Param('incidentId', ParseUUIDPipe) incidentId: string,
    @Param('deviceId', ParseUUIDPipe) deviceId: string,
    @Body() body: SyncBatchDto,
    @CurrentUser() principal: Principal,
    @RequestActor() actor: AuditActor,
  ): Promise<SyncResult> {
    // Batches per user and minute, at the check-in limit: a station's backlog goes through, a flood does not.
    await this.limiter.consume('offline-sync', principal.userId, this.config.auth.checkinRateLimitPerMinute);
    return this.sync.sync({ incidentId, deviceId, sentAt: body.sentAt, entries: body.entries, principal, actor });
  }

  @Get('offline-scans')
  @Roles('admin', 'commander', 'auditor')
  @ApiSuccess([OfflineScanDto], { description: 'Synced offline scans, by scan time.' })
  async offlineScans(@Param('incidentId', ParseUUIDPipe) incidentId: string): Promise<OfflineScanDto[]> {
    return (await this.scans.forIncident(incidentId, 5000)).map(toScanDto);
  }
}
