import type { FastifyInstance } from 'fastify';
import type { Metrics } from '@app/metrics';

/** Every HTTP request's duration, labelled by route pattern (never the URL: ids would make a series per incident). */
export function countRequests(fastify: FastifyInstance, metrics: Metrics): void {
  fastify.addHook('onResponse', (req, reply, done) => {
    const route = req.routeOptions.url ?? 'unmatched';
    metrics.httpSeconds.observe({ method: req.method, route, status: `${Math.floor(reply.statusCode / 100)}xx` }, reply.elapsedTime / 1000);
    done();
  });
}
