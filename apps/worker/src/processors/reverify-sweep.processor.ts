import { Injectable, Logger } from '@nestjs/common';
import { HandlesJob, type JobHandler } from '@app/jobs';
import { ReverificationRequests } from '@app/reverification';

/** `reverify.sweep` (scheduler tick): opens the sweep run, unless one is still open, and queues it. */
@Injectable()
@HandlesJob('reverify.sweep')
export class ReverifySweepProcessor implements JobHandler<'reverify.sweep'> {
  private readonly logger = new Logger(ReverifySweepProcessor.name);

  constructor(private readonly requests: ReverificationRequests) {}

  async handle(): Promise<void> {
    const { run, created } = await this.requests.sweep({ kind: 'system', process: 'worker', job: 'reverify.sweep' });
    if (!created) this.logger.log(`sweep ${run.id} is still ${run.state}; not starting another`);
  }
}
