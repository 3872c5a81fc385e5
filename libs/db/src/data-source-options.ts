import type { DataSourceOptions } from 'typeorm';
import { migrations } from './migrations';

/** The one place that says how we talk to PostgreSQL. Schema changes only ever come from `migrations`. */
export function dataSourceOptions(url: string, extra: Partial<{ poolSize: number; applicationName: string }> = {}): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    migrations,
    migrationsTableName: 'schema_migrations',
    synchronize: false,
    migrationsRun: false,
    logging: false,
    poolSize: extra.poolSize ?? 10,
    applicationName: extra.applicationName ?? 'responder-checkin',
    // A request must fail fast (503) rather than hang when PostgreSQL is gone.
    connectTimeoutMS: 5000,
    extra: { query_timeout: 30000, connectionTimeoutMillis: 5000 },
  };
}
