import { Global, Module, Optional } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '@app/config';
import { Metrics } from '@app/telemetry';
import { dataSourceOptions } from './data-source-options';
import { Database } from './sql/database';

/**
 * The connection pool of a Nest process and `Database`, the one way repositories reach it. Global: every library's
 * repositories take `Database`, and the pool is the process's one.
 */
@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        ...dataSourceOptions(config.database.url, { poolSize: config.database.poolSize }),
        autoLoadEntities: true,
        retryAttempts: 3,
        retryDelay: 1000,
      }),
    }),
  ],
  providers: [Database],
  exports: [Database],
})
export class DbModule {
  constructor(database: Database, @Optional() metrics?: Metrics) {
    metrics?.onScrape(() => {
      for (const [state, count] of Object.entries(database.poolUsage())) metrics.databasePool.set({ state }, count);
    });
  }
}
