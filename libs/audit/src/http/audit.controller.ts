import { Controller, Get, HttpCode, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentUser, Roles, type Principal } from '@app/auth';
import { ApiProblem, ApiProblems, ApiSuccess } from '@app/common';
import { AuditScope } from '../access/audit-scope';
import { AuditCheckpointsService, type CheckpointRun } from '../checkpoints/audit-checkpoints.service';
import { AuditExportService } from '../verification/audit-export.service';
import { AuditVerificationService } from '../verification/audit-verification.service';
import type { ChainVerification } from '../verification/chain-verifier';
import { AuditSearchService, type AuditEntryPage } from './audit-search.service';
import { AuditBundleDto } from './dto/audit-bundle.dto';
import { AuditEntryPageDto } from './dto/audit-entry.dto';
import { ChainQueryDto, EntriesQueryDto, VerifyQueryDto } from './dto/audit-query.dto';
import { ChainVerificationDto } from './dto/chain-verification.dto';
import { CheckpointRunDto } from './dto/checkpoint.dto';

/** The audit trail for auditors and admins: read-only, except signing checkpoints on demand (admins). */
@ApiTags('audit')
@ApiBearerAuth()
@Controller('audit')
@ApiProblems(401, 403)
export class AuditController {
  constructor(
    private readonly scope: AuditScope,
    private readonly verification: AuditVerificationService,
    private readonly exporter: AuditExportService,
    private readonly search: AuditSearchService,
    private readonly checkpoints: AuditCheckpointsService,
  ) {}

  @Get('verify')
  @Roles('auditor', 'admin')
  @ApiOperation({
    summary: 'Recompute a chain (or a range) and check its signed checkpoints',
    description: 'ok with the head, or the first bad entry and what is wrong: modified, deleted, inserted, reordered, checkpoint_mismatch.',
  })
  @ApiSuccess(ChainVerificationDto, { description: 'The verdict: ok with the head, or the first problem (tampering is reported here, not as an error).' })
  @ApiProblems(400, 404)
  @ApiProblem('unprocessable', 'The entry before the range does not exist: verify the whole chain.')
  async verify(@Query() q: VerifyQueryDto, @CurrentUser() user: Principal): Promise<ChainVerification> {
    const { chainId } = await this.scope.resolveChain(user, q);
    return this.verification.verify(chainId, { fromSeq: q.fromSeq, toSeq: q.toSeq });
  }

  @Get('export')
  @Roles('auditor', 'admin')
  @ApiOperation({ summary: 'Download a chain as an audit bundle (entries, checkpoints, public keys); verify it offline with `audit-verify`' })
  @ApiProduces('application/json')
  @ApiOkResponse({ type: AuditBundleDto, description: 'The bundle (responder-checkin.audit-bundle, version 1), as an attachment.' })
  @ApiProblems(400, 404)
  async export(@Query() q: ChainQueryDto, @CurrentUser() user: Principal, @Res() reply: FastifyReply): Promise<void> {
    const { chainId, incidentId } = await this.scope.resolveChain(user, q);
    const name = `audit-${chainId.replace(/[^a-z0-9-]/gi, '-')}.json`;
    // Streamed straight to the socket (with backpressure): the reply's headers so far (security headers) go along.
    const res = reply.raw;
    for (const [header, value] of Object.entries(reply.getHeaders())) if (value !== undefined) res.setHeader(header, value);
    res.statusCode = 200;
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="${name}"`);
    reply.hijack();
    try {
      await this.exporter.write(res, chainId, incidentId);
    } catch (err) {
      if (!res.headersSent) {
        res.removeHeader('Content-Disposition');
        throw err; // nothing sent yet: the problem response goes out instead (ProblemDetailsFilter writes to reply.raw)
      }
      res.destroy(err instanceof Error ? err : undefined); // mid-stream: a truncated body must not look complete
      return;
    }
    res.end();
  }

  @Get('entries')
  @Roles('auditor', 'admin')
  @ApiOperation({ summary: 'Search the audit log (newest first, paginated by cursor)' })
  @ApiSuccess(AuditEntryPageDto, { description: 'A page of entries, newest first.' })
  @ApiProblems(400, 404)
  entries(@Query() q: EntriesQueryDto, @CurrentUser() user: Principal): Promise<AuditEntryPage> {
    return this.search.search(user, q);
  }

  @Post('checkpoints')
  @HttpCode(200)
  @Roles('admin')
  @ApiOperation({ summary: 'Sign a checkpoint of every chain whose head moved since its last checkpoint' })
  @ApiSuccess(CheckpointRunDto, { description: 'The checkpoints signed, and the chains refused because their new entries do not verify.' })
  createCheckpoints(): Promise<CheckpointRun> {
    return this.checkpoints.checkpointMovedChains();
  }
}
