import { Injectable, Logger } from '@nestjs/common';
import { HandlesJob, type JobHandler, type JobPayloads } from '@app/jobs';
import { StatusListWatch } from '@app/reverification';

/** `status-list.refresh-due` (scheduler tick): queues a refresh of every list in use whose freshness runs out. */
@Injectable()
@HandlesJob('status-list.refresh-due')
export class StatusListRefreshDueProcessor implements JobHandler<'status-list.refresh-due'> {
  constructor(private readonly watch: StatusListWatch) {}

  async handle(): Promise<void> {
    await this.watch.refreshDue();
  }
}

/** `status-list.refresh`: fetches one list (If-None-Match), shares it through Redis, re-checks its deployments if it changed. */
@Injectable()
@HandlesJob('status-list.refresh')
export class StatusListRefreshProcessor implements JobHandler<'status-list.refresh'> {
  private readonly logger = new Logger(StatusListRefreshProcessor.name);

  constructor(private readonly watch: StatusListWatch) {}

  async handle({ listUrl }: JobPayloads['status-list.refresh']): Promise<void> {
    await this.watch.refresh(listUrl);
  }

  async onFinalFailure({ listUrl }: JobPayloads['status-list.refresh'], error: Error): Promise<void> {
    // Deployments on this list are reported as "could not be checked" by runs until it is reachable again.
    this.logger.warn(`status list ${listUrl} could not be refreshed: ${error.message}`);
  }
}
