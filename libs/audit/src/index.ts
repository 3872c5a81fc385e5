/**
 * @app/audit: the tamper-evident audit trail (hash chains per incident, signed checkpoints, verification, export
 * bundles) and the deployment reports for state agencies. Imports @app/common, @app/config, @app/auth (keys).
 */
export * from './audit.types';
export * from './audit-hash';
export * from './audit-trail';
export * from './audit.module';
export * from './request-actor';
