import type { FastifyInstance } from 'fastify';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * UUIDs are case-insensitive, but several things key on their text: audit chains (`incident:<id>`), caches, live
 * board rooms. Every UUID in a path parameter or a query value is lower-cased before the guard sees the request,
 * so an id in capitals names the same incident, chain and scope as its lower-case form, never an empty twin.
 */
export function lowerCaseUuids(fastify: FastifyInstance): void {
  fastify.addHook('preValidation', (req, _reply, done) => {
    lowerCaseValues(req.params);
    lowerCaseValues(req.query);
    done();
  });
}

function lowerCaseValues(values: unknown): void {
  if (!values || typeof values !== 'object') return;
  const record = values as Record<string, unknown>;
  for (const [name, value] of Object.entries(record)) {
    if (typeof value === 'string' && UUID.test(value)) record[name] = value.toLowerCase();
  }
}
