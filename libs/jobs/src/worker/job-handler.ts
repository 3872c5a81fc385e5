import { SetMetadata } from '@nestjs/common';
import type { JobName, JobPayloads } from '../job-catalog';

export interface JobContext {
  /** BullMQ job id. */
  jobId: string;
  /** 1 for the first try. */
  attempt: number;
  /** True when a failure now is final (no retry follows). */
  finalAttempt: boolean;
  /**
   * True once the process is shutting down: a long handler stops at its next checkpoint and returns
   * JOB_INTERRUPTED; the job goes back to the queue (no attempt used) and continues elsewhere from the checkpoint.
   */
  stopping(): boolean;
}

/** Returned by a handler that stopped early at a checkpoint because the process is shutting down. */
export const JOB_INTERRUPTED = Symbol('job-interrupted');

export interface JobHandler<N extends JobName> {
  /** Must be idempotent: running the same job twice changes nothing the second time. */
  handle(payload: JobPayloads[N], ctx: JobContext): Promise<void | typeof JOB_INTERRUPTED>;
  /** Called once when the last attempt failed (record the failure where people look: job_run, logs). */
  onFinalFailure?(payload: JobPayloads[N], error: Error): Promise<void>;
}

export const JOB_HANDLER = 'jobs:handler';

/**
 * Marks a provider as the handler of one job. The class must implement JobHandler for that job's payload, which the
 * compiler checks. The worker refuses to start when a job of the catalog has no handler, or two.
 */
export function HandlesJob<N extends JobName>(name: N): <T extends abstract new (...args: never[]) => JobHandler<N>>(target: T) => void {
  const mark = SetMetadata(JOB_HANDLER, name);
  return (target) => {
    mark(target);
  };
}
