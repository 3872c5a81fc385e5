import { Injectable } from '@nestjs/common';
import { HandlesJob, JOB_INTERRUPTED, JobRunRepository, type JobContext, type JobHandler, type JobPayloads } from '@app/jobs';
import { Reverifier } from '@app/reverification';

/**
 * `reverify.run`: carries out one job_run (sweep, incident, status list) with Reverifier. Failed attempts are noted
 * on the run (visible at GET /jobs/:id) and retried with backoff; the last one marks the run failed.
 */
@Injectable()
@HandlesJob('reverify.run')
export class ReverifyRunProcessor implements JobHandler<'reverify.run'> {
  constructor(
    private readonly reverifier: Reverifier,
    private readonly runs: JobRunRepository,
  ) {}

  async handle({ runId }: JobPayloads['reverify.run'], ctx: JobContext): Promise<void | typeof JOB_INTERRUPTED> {
    try {
      const outcome = await this.reverifier.process(runId, { stopping: ctx.stopping, jobName: 'reverify.run' });
      return outcome === 'interrupted' ? JOB_INTERRUPTED : undefined;
    } catch (err) {
      if (!ctx.finalAttempt) await this.runs.noteError(runId, `attempt ${ctx.attempt} failed: ${err instanceof Error ? err.message : String(err)}`);
      throw err;
    }
  }

  async onFinalFailure({ runId }: JobPayloads['reverify.run'], error: Error): Promise<void> {
    if (await this.runs.fail(runId, error.message)) {
      const run = await this.runs.get(runId);
      if (run) this.reverifier.progress(run, run.progress.done, run.progress.total, 'failed');
    }
  }
}
