/**
 * @app/time-records/offline: an auditor's offline recomputation of an incident's packages from its audit export,
 * without the server's modules (framework, database, PDF): the CLI's `time-package` loads only this.
 */
export { MAX_THREADS, recomputeAuditExport, type ExportRecomputation, type ExportRecomputationOptions } from './audit-export/export-recomputation';
export type { Provisional, Recomputed } from './domain/audit-recompute';
export type { AgencyTotals } from './domain/labour-summary';
