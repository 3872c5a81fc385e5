import { DynamicModule, Global, Module } from '@nestjs/common';
import { Metrics } from './metrics';
import { MetricsEndpoint } from './metrics-endpoint';

/** Global: any library injects Metrics to count what it does; the process names itself in every series. */
@Global()
@Module({})
export class MetricsModule {
  static forProcess(process: 'api' | 'worker'): DynamicModule {
    return {
      module: MetricsModule,
      providers: [{ provide: Metrics, useValue: new Metrics(process) }, MetricsEndpoint],
      exports: [Metrics, MetricsEndpoint],
    };
  }
}
