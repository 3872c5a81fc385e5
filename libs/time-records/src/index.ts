/**
 * @app/time-records: time entries per responder per day derived from deployments (check-in, check-out, status
 * changes), breaks and overtime by per-agency rules, corrections that never overwrite, day approvals and the labour
 * summary for reimbursement. The rules are plain TypeScript in `domain/`. Uses @app/incidents (deployments, read
 * through DeploymentReader) and @app/audit (every change in the same transaction).
 */
export * from './domain';
export * from './time-records.service';
export * from './time-records.module';
export * from './audit-export/export-recomputation';
