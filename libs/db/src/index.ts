/**
 * @app/db: the one way to reach PostgreSQL. `Database` (with `Transaction`) for repositories, the combined statement
 * and prepared statements for hot write paths, the migrations (run under an advisory lock) and test-database helpers.
 */
export * from './data-source-options';
export * from './migrate';
export * from './prepare-database';
export * from './db.module';
export * from './test-database';
export * from './sql/database';
export * from './sql/combined-statement';
export * from './sql/prepared-statements';
export * from './sql/pooled-connection';
