/** @app/telemetry: the process's Prometheus metrics (served on their own port) and its OpenTelemetry traces. */
export * from './metrics/metrics';
export * from './metrics/metrics-endpoint';
export * from './tracing/tracing';
export * from './tracing/spans';
export * from './telemetry.module';
