/**
 * @app/audit/bundle: the audit bundle's format alone (reading its header and its entries), without the trail's server
 * modules (framework, database), for offline tools that must start fast.
 */
export { parseBundle, parseBundleHeader, type AuditBundle, type BundleParse } from './verification/audit-bundle';
