import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { JobsController } from './http/jobs.controller';
import { JobProducer } from './queue/job-producer';
import { JobQueues } from './queue/job-queues';
import { JobRunDispatcher } from './runs/job-run.dispatcher';
import { JobRunRepository } from './runs/job-run.repository';
import { JobMaintenance } from './worker/job-maintenance';
import { JobWorkerHost } from './worker/job-worker-host';

const PRODUCER_SIDE = [JobQueues, JobProducer, JobRunRepository, JobRunDispatcher];

/** Queueing and job runs, for every process that enqueues (api and worker). Never waits on Redis. */
@Module({ providers: PRODUCER_SIDE, exports: PRODUCER_SIDE })
export class JobsModule {}

/** GET /jobs/:id and the queue dashboard cookie (api process). Mount the dashboard itself with mountQueueDashboard. */
@Module({ imports: [JobsModule], controllers: [JobsController], exports: [JobsModule] })
export class JobsHttpModule {}

/**
 * The worker side: runs the @HandlesJob providers of the whole application (start-up fails if the catalog is not
 * covered exactly), keeps the schedulers installed and the open runs on the queue.
 */
@Module({ imports: [JobsModule, DiscoveryModule], providers: [JobWorkerHost, JobMaintenance], exports: [JobsModule] })
export class JobWorkerModule {}
