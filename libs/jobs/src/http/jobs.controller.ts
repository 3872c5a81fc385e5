import { Controller, Delete, Get, HttpCode, Inject, Param, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { bearerToken, CurrentUser, IncidentAccess, Roles, type Principal } from '@app/auth';
import { ApiProblems, ApiSuccess, forbidden, notFound } from '@app/common';
import { AppConfig } from '@app/config';
import type { JobRun } from '../runs/job-run';
import { JobRunRepository } from '../runs/job-run.repository';
import { JobIdParamsDto } from './dto/job-id.dto';
import { JobDto } from './dto/job.dto';
import { QUEUE_DASHBOARD_COOKIE, QUEUE_DASHBOARD_PATH } from './queue-dashboard';

/** GET /jobs/:id: a background run as its requester sees it. */
export interface JobView {
  id: string;
  kind: JobRun['kind'];
  incidentId: string | null;
  state: JobRun['state'];
  progress: { done: number; total: number; percent: number };
  result: Record<string, unknown> | null;
  error: string | null;
  attempts: number;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export const toJobView = (run: JobRun): JobView => ({
  id: run.id,
  kind: run.kind,
  incidentId: run.incidentId,
  state: run.state,
  progress: {
    done: run.progress.done,
    total: run.progress.total,
    percent: run.progress.total > 0 ? Math.min(100, Math.floor((run.progress.done / run.progress.total) * 100)) : run.state === 'completed' ? 100 : 0,
  },
  result: run.result,
  error: run.error,
  attempts: run.attempts,
  createdAt: run.createdAt.toISOString(),
  startedAt: run.startedAt?.toISOString() ?? null,
  finishedAt: run.finishedAt?.toISOString() ?? null,
});

@ApiTags('jobs')
@ApiBearerAuth()
@Controller('jobs')
@ApiProblems(401, 403)
export class JobsController {
  constructor(
    private readonly runs: JobRunRepository,
    private readonly access: IncidentAccess,
    @Inject(AppConfig) private readonly config: AppConfig,
  ) {}

  @Get(':id')
  @Roles('admin', 'commander')
  @ApiOperation({ summary: 'State, progress, result and error of a background run (commanders: runs of their incidents only)' })
  @ApiSuccess(JobDto, { description: 'The run.' })
  @ApiProblems(400, 404)
  async get(@Param() { id }: JobIdParamsDto, @CurrentUser() user: Principal): Promise<JobView> {
    const run = await this.runs.get(id);
    if (!run) throw notFound('Job', id);
    if (user.role !== 'admin') {
      // Sweeps span every incident: admins only. Others see the runs of incidents they may see.
      if (!run.incidentId) throw forbidden('Only administrators may look at sweeps across all incidents.');
      await this.access.assertCanAccess(user, run.incidentId);
    }
    return toJobView(run);
  }

  /**
   * The queue dashboard (/admin/queues) is opened by the browser without an Authorization header: this puts the
   * admin's access token in an HttpOnly cookie that is sent to /admin/queues only.
   */
  @Post('dashboard-session')
  @HttpCode(204)
  @Roles('admin')
  @ApiOperation({ summary: 'Admins: set the cookie that opens the queue dashboard at /admin/queues (expires with the token)' })
  @ApiNoContentResponse({ description: 'The cookie is set (Set-Cookie, HttpOnly, path /admin/queues).' })
  openDashboard(@Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply, @CurrentUser() _user: Principal): void {
    // The guard has accepted this bearer token, so it is a well-formed JWS: base64url and dots, safe in a cookie.
    const token = bearerToken(req.headers.authorization) ?? '';
    reply.header('Set-Cookie', this.dashboardCookie(token, this.config.auth.accessTokenTtlSeconds));
  }

  @Delete('dashboard-session')
  @HttpCode(204)
  @Roles('admin')
  @ApiOperation({ summary: 'Admins: remove the queue dashboard cookie' })
  @ApiNoContentResponse({ description: 'The cookie is removed.' })
  closeDashboard(@Res({ passthrough: true }) reply: FastifyReply): void {
    reply.header('Set-Cookie', this.dashboardCookie('', 0));
  }

  /** Sent to /admin/queues only, never readable by scripts, never sent cross-site; Secure in production. */
  private dashboardCookie(value: string, maxAgeSeconds: number): string {
    const secure = this.config.env === 'production' ? '; Secure' : '';
    return `${QUEUE_DASHBOARD_COOKIE}=${value}; Max-Age=${maxAgeSeconds}; Path=${QUEUE_DASHBOARD_PATH}; HttpOnly; SameSite=Strict${secure}`;
  }
}
