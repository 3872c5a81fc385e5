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
    // JIT off: every statement here is OLTP. The check-in's batch statements read jsonb_to_recordset, which the
    // planner guesses at 100 rows, and that guess crosses jit_above_cost: compiling the plan (some 50 to 200 ms
    // of CPU) would then cost far more than running it (about 1 ms).
    extra: { query_timeout: 30000, connectionTimeoutMillis: 5000, options: '-c jit=off' },
  };
}
