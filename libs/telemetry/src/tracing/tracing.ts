import { context, propagation, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { BullMQOtel } from 'bullmq-otel';
import type { Telemetry } from 'bullmq';
import { setTracingOn } from './spans';

/** How long a finished span may wait before it is exported (short: an operator looking at one check-in wants it now). */
const EXPORT_DELAY_MS = 500;

/**
 * OpenTelemetry tracing of one process, exported by OTLP over HTTP when an endpoint is configured and off (the API's
 * no-op tracer, nearly free) otherwise. Registers the global tracer, the AsyncLocalStorage context and the W3C
 * trace-context propagator; `shutdown` flushes and unregisters them.
 */
export class Tracing {
  private readonly provider?: NodeTracerProvider;

  constructor(process: string, otlpEndpoint: string | undefined) {
    if (!otlpEndpoint) return;
    const exporter = new OTLPTraceExporter({ url: `${otlpEndpoint.replace(/\/$/, '')}/v1/traces`, timeoutMillis: 5000 });
    this.provider = new NodeTracerProvider({
      resource: resourceFromAttributes({ 'service.name': `responder-checkin-${process}` }),
      spanProcessors: [new BatchSpanProcessor(exporter, { scheduledDelayMillis: EXPORT_DELAY_MS })],
    });
    this.provider.register();
    setTracingOn(true);
  }

  get enabled(): boolean {
    return this.provider !== undefined;
  }

  /** BullMQ's own instrumentation (queue add -> worker process, the context carried in the job), when tracing is on. */
  queueTelemetry(): Telemetry | undefined {
    return this.provider ? (new BullMQOtel({ tracerName: 'responder-checkin' }) as Telemetry) : undefined;
  }

  async shutdown(): Promise<void> {
    if (!this.provider) return;
    setTracingOn(false);
    await this.provider.shutdown();
    trace.disable();
    context.disable();
    propagation.disable();
  }
}
