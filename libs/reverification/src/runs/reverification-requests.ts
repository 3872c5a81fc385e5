import { Injectable } from '@nestjs/common';
import { AuditTrail, type AuditActor } from '@app/audit';
import { Database } from '@app/db';
import { JobRunDispatcher, JobRunRepository, shortHash, type JobRun, type OpenRunInput } from '@app/jobs';

export interface RequestedRun {
  run: JobRun;
  /** False when an open run for the same thing already existed and is returned instead. */
  created: boolean;
  /** False when Redis was unavailable: the run is recorded and will be queued when Redis is back. */
  queued: boolean;
}

/**
 * Opens reverification runs. The run is recorded in PostgreSQL first (with an audit entry when a person asked for it)
 * and queued after commit, so asking never fails or hangs because Redis is down. One open run per incident, one
 * sweep and one re-check per status list at a time: asking again returns the open run.
 */
@Injectable()
export class ReverificationRequests {
  constructor(
    private readonly database: Database,
    private readonly runs: JobRunRepository,
    private readonly dispatcher: JobRunDispatcher,
    private readonly audit: AuditTrail,
  ) {}

  incident(incidentId: string, actor: AuditActor): Promise<RequestedRun> {
    return this.request({ kind: 'incident', incidentId, dedupeKey: `incident:${incidentId}`, requestedBy: actor });
  }

  sweep(actor: AuditActor): Promise<RequestedRun> {
    return this.request({ kind: 'sweep', dedupeKey: 'sweep', requestedBy: actor });
  }

  /** Re-checks the deployments whose credentials are on a status list that changed. */
  statusList(listUrl: string, actor: AuditActor): Promise<RequestedRun> {
    return this.request({ kind: 'status_list', scope: { listUrl }, dedupeKey: `list:${shortHash(listUrl)}`, requestedBy: actor });
  }

  private async request(input: OpenRunInput): Promise<RequestedRun> {
    const { run, created } = await this.database.transaction(async (tx) => {
      const opened = await this.runs.open(tx, input);
      if (opened.created && input.requestedBy.kind === 'user') {
        await this.audit.record(tx, {
          actor: input.requestedBy,
          action: 'reverification.requested',
          incidentId: input.incidentId,
          target: { type: 'job_run', id: opened.run.id },
          payload: { runId: opened.run.id, kind: input.kind },
        });
      }
      return opened;
    });
    const queued = created || !run.enqueuedAt ? await this.dispatcher.dispatch(run) : true;
    return { run, created, queued };
  }
}
