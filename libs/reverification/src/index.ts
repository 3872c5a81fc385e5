/**
 * @app/reverification: re-checking deployed responders' credentials after check-in. Runs (a periodic sweep of every
 * active deployment, one incident on demand, or the deployments on a status list that changed) screen stored
 * credential facts against shared status lists, issuer keys and the trust registry, confirm suspected changes with
 * the verification engine, and flag or clear deployments through @app/incidents (status, audit, board event in one
 * transaction); expiry warnings go out once. Also keeps the status lists in use fresh.
 * Uses @app/jobs (runs, queue), @app/credentials, @app/incidents, @app/audit, @app/realtime; the job processors that
 * call it live in apps/worker.
 */
export * from './evaluation/flag-codes';
export * from './evaluation/screening';
export * from './evaluation/engine-verdict';
export * from './evaluation/run-facts';
export * from './runs/active-credentials.reader';
export * from './runs/reverification-effects';
export * from './runs/reverification-requests';
export * from './runs/reverifier';
export * from './status-lists/status-list-watch';
export * from './http/reverification.controller';
export * from './reverification.module';
export * from './runs/sweep-follow-up';
