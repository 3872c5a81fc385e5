import { isJobName, JOB_NAMES, type JobName } from '../job-catalog';
import type { JobHandler } from './job-handler';

export interface FoundHandler {
  /** The job name the provider declared with @HandlesJob. */
  job: string;
  /** Class name, for the error message. */
  provider: string;
  instance: JobHandler<JobName>;
}

/**
 * Checks that every job of the catalog has exactly one handler and that no handler names an unknown job; returns
 * the handlers by job name. Throws with every problem listed: the worker must not start half-wired.
 */
export function handlerTable(found: FoundHandler[]): Map<JobName, JobHandler<JobName>> {
  const problems: string[] = [];
  const byJob = new Map<string, FoundHandler[]>();
  for (const f of found) byJob.set(f.job, [...(byJob.get(f.job) ?? []), f]);
  for (const job of byJob.keys()) {
    if (!isJobName(job))
      problems.push(
        `${byJob
          .get(job)
          ?.map((f) => f.provider)
          .join(', ')} handles "${job}", which is not in the job catalog`,
      );
  }
  for (const job of JOB_NAMES) {
    const handlers = byJob.get(job) ?? [];
    if (handlers.length === 0) problems.push(`job "${job}" has no handler`);
    if (handlers.length > 1) problems.push(`job "${job}" has ${handlers.length} handlers (${handlers.map((h) => h.provider).join(', ')})`);
  }
  if (problems.length > 0) throw new Error(`The job handlers do not match the job catalog: ${problems.join('; ')}.`);
  return new Map(JOB_NAMES.map((job) => [job, (byJob.get(job) as FoundHandler[])[0].instance]));
}
