/** @app/common: cross-cutting pieces every process uses: errors (problem+json), logging, Redis, clock, rate limits. */
export * from './errors';
export * from './http/json-body-guard';
export * from './http/openapi';
export * from './logging/logging.module';
export * from './redis/redis.module';
export * from './clock';
export * from './csv';
export * from './rate-limiter';
export * from './matching-hash';
export * from './single-flight';
export * from './sql/database-errors';
export * from './sql/group-commit';
export * from './common.module';
