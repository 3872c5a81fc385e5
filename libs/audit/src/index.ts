/**
 * @app/audit: the tamper-evident audit trail (hash chains per incident, append-only in the database, signed
 * checkpoints, verification, export bundles), its search API, the sign-in and user-change hooks for auth, and the
 * audit scope (who may read which incident's audit data; the deployment reports of @app/incidents use it too).
 * Imports @app/common, @app/config, @app/auth (keys, roles); never @app/incidents (which records into it): the
 * incident facts its access checks need come through the AuditedIncidents port, which @app/incidents implements.
 * The detection logic (verification/chain-verifier.ts) is pure and shared with the offline `audit-verify` CLI.
 */
export * from './audit.types';
export * from './audit-hash';
export * from './canonical-json';
export * from './entry-builder';
export * from './audit-trail';
export { AuditTrailRepository } from './store/audit-trail.repository';
export * from './audit-trail.module';
export * from './request-actor';
export * from './verification/chain-verifier';
export * from './verification/checkpoint-statement';
export * from './verification/audit-bundle';
export * from './verification/bundle-file';
export * from './verification/bundle-writer';
export * from './verification/device-chains';
export * from './verification/audit-verification.service';
export { AuditEntriesRepository, type ChainHead } from './store/audit-entries.repository';
export { AuditSearchRepository, type AuditEntrySearch, type AuditVisibility } from './store/audit-search.repository';
export * from './store/audit-checkpoints.repository';
export * from './access/audited-incidents';
export * from './checkpoints/audit-checkpoints.service';
export * from './checkpoints/checkpoint-scheduler';
export * from './access/audit-scope';
export * from './audit-api.module';
export * from './audit-worker.module';
export * from './auth-events/audit-key-change-events';
export * from './http/dto/audit-actor.dto';
