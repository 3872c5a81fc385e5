import { DynamicModule, Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '@app/config';
import { Metrics } from './metrics/metrics';
import { MetricsEndpoint } from './metrics/metrics-endpoint';
import { Tracing } from './tracing/tracing';

/**
 * Global: any library injects Metrics to count what it does and uses the span helpers to trace it; the process
 * names itself in every series and span.
 */
@Global()
@Module({})
export class TelemetryModule implements OnApplicationShutdown {
  constructor(@Inject(Tracing) private readonly tracing: Tracing) {}

  static forProcess(process: 'api' | 'worker'): DynamicModule {
    return {
      module: TelemetryModule,
      providers: [
        { provide: Metrics, useValue: new Metrics(process) },
        MetricsEndpoint,
        { provide: Tracing, useFactory: (config: AppConfig) => new Tracing(process, config.tracing.otlpEndpoint), inject: [AppConfig] },
      ],
      exports: [Metrics, MetricsEndpoint, Tracing],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.tracing.shutdown();
  }
}
