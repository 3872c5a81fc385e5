/** @app/metrics: the process's Prometheus metrics and the endpoint that serves them on their own port. */
export * from './metrics';
export * from './metrics-endpoint';
export * from './metrics.module';
