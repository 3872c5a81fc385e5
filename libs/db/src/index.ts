/** @app/db: the PostgreSQL data source, migrations (run under an advisory lock) and test-database helpers. */
export * from './data-source-options';
export * from './migrate';
export * from './prepare-database';
export * from './db.module';
export * from './test-database';
