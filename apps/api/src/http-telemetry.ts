import type { FastifyInstance, FastifyRequest } from 'fastify';
import { contextOf, SpanKind, SpanStatusCode, startSpan, traceContext, type Metrics, type Span } from '@app/telemetry';

/**
 * Every HTTP request is timed (labelled by route pattern, never the URL: ids would make a series per incident) and,
 * when tracing is on, is a server span that continues the caller's W3C trace context and parents what the handler
 * does (verification, statements, queued jobs).
 */
export function observeRequests(fastify: FastifyInstance, metrics: Metrics): void {
  const spans = new WeakMap<FastifyRequest, Span>();
  fastify.addHook('onRequest', (req, _reply, done) => {
    const route = req.routeOptions.url ?? 'unmatched';
    const header = req.headers.traceparent;
    const { span, context } = startSpan(
      `${req.method} ${route}`,
      contextOf(typeof header === 'string' ? header : undefined),
      { 'http.request.method': req.method, 'http.route': route },
      SpanKind.SERVER,
    );
    spans.set(req, span);
    // The rest of the request runs in this context (AsyncLocalStorage follows what it starts).
    traceContext.with(context, done);
  });
  fastify.addHook('onResponse', (req, reply, done) => {
    const route = req.routeOptions.url ?? 'unmatched';
    metrics.httpSeconds.observe({ method: req.method, route, status: `${Math.floor(reply.statusCode / 100)}xx` }, reply.elapsedTime / 1000);
    const span = spans.get(req);
    if (span) {
      span.setAttribute('http.response.status_code', reply.statusCode);
      if (reply.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    }
    done();
  });
}
