import { Controller, HttpCode, Param, ParseUUIDPipe, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { RequestActor, type AuditActor } from '@app/audit';
import { IncidentScoped, Roles } from '@app/auth';
import { ApiProblems, ApiSuccess } from '@app/common';
import { ReverificationRequests, type RequestedRun } from '../runs/reverification-requests';
import { JOB_LOCATION, ReverifyAcceptedDto } from './dto/reverify-accepted.dto';

/** 202 Accepted: the run is recorded; follow it at GET /jobs/{jobId} (and on the board: `reverify.progress`). */
export interface ReverifyAccepted {
  jobId: string;
  state: RequestedRun['run']['state'];
  /** False when a run for the same thing was already open: its id is returned. */
  created: boolean;
  /** False while Redis is unavailable: the run starts when it is back. */
  queued: boolean;
}

const accepted = (reply: FastifyReply, r: RequestedRun): ReverifyAccepted => {
  reply.header('Location', `/jobs/${r.run.id}`);
  return { jobId: r.run.id, state: r.run.state, created: r.created, queued: r.queued };
};

@ApiTags('reverification')
@ApiBearerAuth()
@Controller()
@ApiProblems(401, 403)
export class ReverificationController {
  constructor(private readonly requests: ReverificationRequests) {}

  @Post('incidents/:incidentId/reverify')
  @HttpCode(202)
  @Roles('admin', 'commander')
  @IncidentScoped('incidentId')
  @ApiOperation({ summary: "Re-check now every active deployment's credential at this incident (revocation, suspension, expiry, issuer trust)" })
  @ApiSuccess(ReverifyAcceptedDto, { status: 202, description: 'The run is recorded; GET /jobs/{jobId} shows its progress and result.', headers: JOB_LOCATION })
  @ApiProblems(400, 404)
  async reverifyIncident(
    @Param('incidentId', ParseUUIDPipe) incidentId: string,
    @RequestActor() actor: AuditActor,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ReverifyAccepted> {
    return accepted(reply, await this.requests.incident(incidentId, actor));
  }

  @Post('reverification/sweeps')
  @HttpCode(202)
  @Roles('admin')
  @ApiOperation({ summary: 'Admins: start a sweep of every active deployment now (it also runs every SWEEP_INTERVAL_MS)' })
  @ApiSuccess(ReverifyAcceptedDto, {
    status: 202,
    description: 'The sweep is recorded; GET /jobs/{jobId} shows its progress and result.',
    headers: JOB_LOCATION,
  })
  async sweep(@RequestActor() actor: AuditActor, @Res({ passthrough: true }) reply: FastifyReply): Promise<ReverifyAccepted> {
    return accepted(reply, await this.requests.sweep(actor));
  }
}
