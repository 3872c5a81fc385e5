import { context, INVALID_SPAN_CONTEXT, propagation, SpanKind, SpanStatusCode, trace, type Attributes, type Context, type Span } from '@opentelemetry/api';

const tracer = (): ReturnType<typeof trace.getTracer> => trace.getTracer('responder-checkin');

/** Off unless a Tracing exports spans: the helpers then cost one branch (they run around every statement). */
let tracingOn = false;
const NO_SPAN = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);

export function setTracingOn(on: boolean): void {
  tracingOn = on;
}

/** Whether spans are exported (to skip preparing a span's name and attributes when they are not). */
export function isTracingOn(): boolean {
  return tracingOn;
}

/**
 * Runs `work` in a span that is the current one for everything it awaits (child spans, queued jobs). The span
 * records a thrown error and ends when `work` settles. With tracing off this is the API's no-op span.
 */
export function inSpan<T>(name: string, work: (span: Span) => Promise<T>, attributes: Attributes = {}, kind: SpanKind = SpanKind.INTERNAL): Promise<T> {
  if (!tracingOn) return work(NO_SPAN);
  return tracer().startActiveSpan(name, { kind, attributes }, async (span) => {
    try {
      return await work(span);
    } catch (err) {
      span.recordException(err instanceof Error ? err : String(err));
      span.setStatus({ code: SpanStatusCode.ERROR });
      throw err;
    } finally {
      span.end();
    }
  });
}

/** Starts a span that the caller ends (for work whose start and end are in different callbacks: an HTTP request). */
export function startSpan(name: string, parent: Context, attributes: Attributes, kind: SpanKind): { span: Span; context: Context } {
  if (!tracingOn) return { span: NO_SPAN, context: parent };
  const span = tracer().startSpan(name, { kind, attributes }, parent);
  return { span, context: trace.setSpan(parent, span) };
}

/** The current trace context as a W3C `traceparent` value (undefined when there is no sampled span). */
export function currentTraceParent(): string | undefined {
  if (!tracingOn) return undefined;
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent;
}

/** The context a W3C `traceparent` value (from a request header or a stored row) names, else the current one. */
export function contextOf(traceparent: string | undefined | null): Context {
  return traceparent ? propagation.extract(context.active(), { traceparent }) : context.active();
}

export { context as traceContext, SpanKind, SpanStatusCode, type Span };
