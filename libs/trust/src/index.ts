/**
 * @app/trust: the trust registry: which issuers (licensing boards, national certifiers) are trusted, in which
 * jurisdictions, for which qualifications, with which algorithms and for what period; the qualification rules; the
 * versioned trust-list document (import/export, and the CLI's --trust FILE); the /trust admin API; and the
 * TrustSource the verification engine reads. Imports @app/credentials (the TrustSource contract), @app/audit,
 * @app/auth, @app/common, @app/db; never @app/incidents.
 */
export * from './trust-list.document';
export * from './trust-registry.repository';
export * from './db-trust-source';
export * from './dto/trusted-issuer.dto';
export * from './trust-registry.service';
export * from './http/trust.controller';
export * from './trust.module';
