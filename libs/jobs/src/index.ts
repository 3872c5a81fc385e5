/**
 * @app/jobs: the queue plumbing. The typed job catalog (names, payloads, ids, retry policy), type-checked enqueueing
 * that never hangs on Redis, job_run (the PostgreSQL record of every run: GET /jobs/:id, re-queued when Redis lost
 * it), the worker host that dispatches jobs to @HandlesJob providers and refuses to start when the catalog is not
 * covered, and the admin queue dashboard (bull-board at /admin/queues).
 * Imports @app/config, @app/common, @app/db, @app/auth and @app/audit (types) only; what a job does lives with its feature
 * (e.g. @app/reverification), and the processors that bind jobs to use cases live in apps/worker.
 */
export * from './job-catalog';
export * from './queue/job-queues';
export * from './queue/job-producer';
export * from './queue/queue-connection';
export * from './runs/job-run';
export * from './runs/job-run.repository';
export * from './runs/job-run.dispatcher';
export * from './worker/job-handler';
export * from './worker/job-handler-registry';
export * from './worker/job-worker-host';
export * from './worker/job-maintenance';
export * from './http/jobs.controller';
export * from './http/queue-dashboard';
export * from './jobs.module';
