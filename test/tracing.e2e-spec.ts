import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { REVERIFY_TEST_ENV, startWorker, sweepOnce, type TestWorker } from './support/reverification';
import { bearer } from './support/test-app';
import { createIncident, staffFor, startWorld, type IncidentFixture, type World } from './support/world';

/**
 * OpenTelemetry traces, exported by OTLP/HTTP to a collector stub: one check-in is one trace from the HTTP request
 * (continuing the caller's traceparent) through verification and the database to the board event's publication,
 * and a sweep asked for over HTTP continues on the worker through the queue.
 */
jest.setTimeout(120_000);

interface ExportedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  startTimeUnixNano: string;
  service: string;
}

/** A collector that keeps every span it is sent (OTLP/HTTP with JSON bodies). */
async function startCollector(): Promise<{ url: string; spans: ExportedSpan[]; close(): Promise<void> }> {
  const spans: ExportedSpan[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.url === '/v1/traces') {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
          resourceSpans: Array<{
            resource: { attributes: Array<{ key: string; value: { stringValue?: string } }> };
            scopeSpans: Array<{ spans: Omit<ExportedSpan, 'service'>[] }>;
          }>;
        };
        for (const rs of body.resourceSpans) {
          const service = rs.resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue ?? '';
          for (const ss of rs.scopeSpans) for (const span of ss.spans) spans.push({ ...span, service });
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    spans,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function spansOf(collector: { spans: ExportedSpan[] }, traceId: string, until: (spans: ExportedSpan[]) => boolean): Promise<ExportedSpan[]> {
  for (let i = 0; i < 100; i++) {
    const spans = collector.spans.filter((s) => s.traceId === traceId);
    if (until(spans)) return spans.sort((a, b) => (BigInt(a.startTimeUnixNano) < BigInt(b.startTimeUnixNano) ? -1 : 1));
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(
    `trace ${traceId} incomplete: ${collector.spans
      .filter((s) => s.traceId === traceId)
      .map((s) => s.name)
      .join(', ')}`,
  );
}

describe('tracing', () => {
  let collector: Awaited<ReturnType<typeof startCollector>>;
  let world: World;
  let worker: TestWorker;
  let incident: IncidentFixture;
  let checkin: { token: string };

  beforeAll(async () => {
    collector = await startCollector();
    world = await startWorld('tracing', { env: { ...REVERIFY_TEST_ENV, OTEL_EXPORTER_OTLP_ENDPOINT: collector.url } });
    worker = await startWorker({ ...world.env.env, OTEL_EXPORTER_OTLP_ENDPOINT: collector.url });
    incident = await createIncident(world.http, world.adminToken);
    checkin = await staffFor(world.http, world.adminToken, incident.id, 'checkin');
  });

  afterAll(async () => {
    await worker?.close();
    await world?.close();
    await collector?.close();
  });

  it('follows a check-in from the HTTP request through verification and the database to the board event', async () => {
    const traceId = randomBytes(16).toString('hex');
    const callerSpan = randomBytes(8).toString('hex');
    const badge = (await world.issuer.board('fl-nursing').issue({ format: 'vc+jwt', qualification: 'RN', subject: { name: 'Ana Lima' } })).jws;
    const res = await request(world.http)
      .post(`/incidents/${incident.id}/check-ins`)
      .set(...bearer(checkin.token))
      .set('Idempotency-Key', randomUUID())
      .set('traceparent', `00-${traceId}-${callerSpan}-01`)
      .send({ credential: badge });
    expect(res.body).toMatchObject({ decision: 'admitted' });

    const spans = await spansOf(collector, traceId, (s) => s.some((x) => x.name === 'outbox.publish') && s.some((x) => x.name.startsWith('POST ')));
    const byName = (name: string) => spans.find((s) => s.name === name)!;
    const server = byName('POST /incidents/:incidentId/check-ins');
    const verify = byName('checkin.verify');
    const record = byName('checkin.record');
    const publish = byName('outbox.publish');
    expect(server).toBeDefined();
    expect(server.parentSpanId).toBe(callerSpan);
    expect(server.service).toBe('responder-checkin-api');
    expect(verify.parentSpanId).toBe(server.spanId);
    expect(record.parentSpanId).toBe(server.spanId);
    expect(publish.parentSpanId).toBe(record.spanId);
    const statements = spans.filter((s) => s.name.startsWith('db ') && s.parentSpanId === record.spanId);
    expect(statements.length).toBeGreaterThan(0);
    // In order: the request, then verification, then the write, then the publication.
    const order = spans.map((s) => s.name);
    expect(order.indexOf(server.name)).toBeLessThan(order.indexOf('checkin.verify'));
    expect(order.indexOf('checkin.verify')).toBeLessThan(order.indexOf('checkin.record'));
    expect(order.indexOf('checkin.record')).toBeLessThan(order.indexOf('outbox.publish'));
    // Span names and attributes carry no person: the name on the badge is nowhere in the export.
    expect(JSON.stringify(collector.spans)).not.toContain('Ana Lima');
  });

  it('carries the trace from the api through the queue to the worker', async () => {
    const traceId = randomBytes(16).toString('hex');
    const res = await request(world.http)
      .post('/reverification/sweeps')
      .set(...bearer(world.adminToken))
      .set('traceparent', `00-${traceId}-${randomBytes(8).toString('hex')}-01`);
    expect(res.status).toBe(202);
    await sweepOnce(world.http, world.adminToken).catch(() => undefined);
    const spans = await spansOf(collector, traceId, (s) => s.some((x) => x.name.startsWith('process ')));
    const server = spans.find((s) => s.name === 'POST /reverification/sweeps')!;
    const processed = spans.find((s) => s.name.startsWith('process '))!;
    expect(server).toBeDefined();
    expect(spans.some((s) => s.name.startsWith('add '))).toBe(true);
    expect(BigInt(processed.startTimeUnixNano)).toBeGreaterThan(BigInt(server.startTimeUnixNano));
  });
});
