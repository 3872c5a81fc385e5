/**
 * @app/primary-source: licences checked at their licensing authority instead of a signed credential. The adapter
 * contract (`LicenceSource`), a nurse-licensure-database adapter (asynchronous lookups, signed push notices) and a
 * generic state-board adapter (HTTP with a configurable mapping); lookups bounded, rate-limited per source and
 * cached for the source's stated freshness; check-in by licence number through @app/incidents' check-in; notices and
 * scheduled re-lookups flag deployments through @app/reverification. Owns primary_source_policy and
 * primary_source_notice. See docs/primary-source.md.
 */
export * from './sources/licence-source';
export * from './sources/bounded-http';
export * from './sources/nursys.source';
export * from './sources/state-board.source';
export * from './licence-number-hash';
export * from './licence-check';
export * from './licence-lookup.service';
export * from './licence-check-in.service';
export * from './licence-changes.service';
export * from './primary-source.repository';
export * from './primary-source-policy.service';
export * from './primary-sources';
export * from './dto/licence-check-in.dto';
export * from './dto/primary-source-policy.dto';
export * from './http/primary-source.controller';
export * from './primary-source.module';
