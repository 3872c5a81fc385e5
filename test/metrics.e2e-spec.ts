import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { MetricsEndpoint } from '@app/telemetry';
import { REVERIFY_TEST_ENV, startWorker, sweepOnce, type TestWorker } from './support/reverification';
import { bearer } from './support/test-app';
import { createIncident, staffFor, startWorld, type IncidentFixture, type World } from './support/world';

/**
 * Prometheus metrics on their own port: the token is required, and the values move with what the processes do
 * (a check-in admitted and one denied, the board event published, a verification timed, a sweep run by the worker).
 */
jest.setTimeout(120_000);

const TOKEN = 'metrics-scrape-token-0123456789';

/** One sample's value: the series of `name` whose labels include every pair of `labels` (0 when absent). */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const labelText = line.slice(name.length, line.lastIndexOf(' '));
    if (wanted.every((pair) => labelText.includes(pair))) total += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return total;
}

async function scrape(port: number, token: string | null = TOKEN): Promise<{ status: number; text: string; type: string | null }> {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: res.status, text: await res.text(), type: res.headers.get('content-type') };
}

describe('metrics', () => {
  let world: World;
  let incident: IncidentFixture;
  let checkin: { token: string };
  let worker: TestWorker;
  let apiPort: number;
  let workerPort: number;

  beforeAll(async () => {
    world = await startWorld('metrics', { env: { ...REVERIFY_TEST_ENV, METRICS_PORT: '0', METRICS_TOKEN: TOKEN } });
    worker = await startWorker({ ...world.env.env, METRICS_PORT: '0', METRICS_TOKEN: TOKEN });
    incident = await createIncident(world.http, world.adminToken);
    checkin = await staffFor(world.http, world.adminToken, incident.id, 'checkin');
    apiPort = world.api.app.get(MetricsEndpoint).port ?? 0;
    workerPort = worker.app.get(MetricsEndpoint).port ?? 0;
  });

  afterAll(async () => {
    await worker?.close();
    await world?.close();
  });

  const scan = (credential: string) =>
    request(world.http)
      .post(`/incidents/${incident.id}/check-ins`)
      .set(...bearer(checkin.token))
      .set('Idempotency-Key', randomUUID())
      .send({ credential });

  it('serves metrics on their own port, only with the token, and not on the API port', async () => {
    expect(apiPort).toBeGreaterThan(0);
    expect(workerPort).toBeGreaterThan(0);
    expect(workerPort).not.toBe(apiPort);
    expect((await scrape(apiPort, null)).status).toBe(401);
    expect((await scrape(apiPort, 'metrics-scrape-token-0123456780')).status).toBe(401);
    const ok = await scrape(apiPort);
    expect(ok.status).toBe(200);
    expect(ok.type).toContain('text/plain');
    expect(ok.text).toContain('process="api"');
    expect((await request(world.http).get('/metrics')).status).toBe(404);
  });

  it('counts check-ins by decision and reason, times verification by format, and counts the board event published', async () => {
    // Both processes run the outbox relay: the board events are counted by whichever published them.
    const both = async () => `${(await scrape(apiPort)).text}\n${(await scrape(workerPort)).text}`;
    const before = await both();
    const badge = (await world.issuer.board('fl-nursing').issue({ format: 'vc+jwt', qualification: 'RN', subject: { name: 'Ana Lima' } })).jws;
    expect((await scan(badge)).body).toMatchObject({ decision: 'admitted' });
    const [head, payload, signature] = badge.split('.');
    const tampered = `${head}.${payload}.${signature.slice(0, -4)}AAAA`;
    expect((await scan(tampered)).body).toMatchObject({ decision: 'denied' });

    // The board event is published by the relay after commit: wait for it.
    let after = await both();
    const published = (text: string) =>
      sample(text, 'live_events_published_total', { event: 'deployment.checked_in' }) +
      sample(text, 'live_events_published_total', { event: 'checkin.denied' });
    for (let i = 0; i < 50 && published(after) - published(before) < 2; i++) {
      await new Promise((r) => setTimeout(r, 100));
      after = await both();
    }
    const delta = (name: string, labels: Record<string, string>) => sample(after, name, labels) - sample(before, name, labels);

    expect(delta('checkin_decisions_total', { decision: 'admitted', reason: 'none' })).toBe(1);
    expect(delta('checkin_decisions_total', { decision: 'denied', reason: 'signature_invalid' })).toBe(1);
    expect(delta('credential_verification_seconds_count', { format: 'vc+jwt', mode: 'verify', verified: 'true' })).toBe(1);
    expect(delta('credential_verification_seconds_count', { format: 'vc+jwt', mode: 'verify', verified: 'false' })).toBe(1);
    expect(delta('checkin_step_seconds_count', { step: 'verify' })).toBe(2);
    expect(delta('checkin_step_seconds_count', { step: 'record' })).toBe(2);
    expect(delta('http_request_duration_seconds_count', { route: '/incidents/:incidentId/check-ins', method: 'POST', status: '2xx' })).toBe(2);
    expect(delta('live_events_published_total', { event: 'deployment.checked_in' })).toBe(1);
    expect(delta('live_events_published_total', { event: 'checkin.denied' })).toBe(1);
    expect(delta('outbox_lag_seconds_count', {})).toBe(2);
    expect(sample(after, 'status_list_reads_total', {})).toBeGreaterThan(0);
    expect(sample(after, 'database_pool_connections', { state: 'total' })).toBeGreaterThan(0);
    expect(after).toMatch(/queue_jobs\{[^}]*state="waiting"/);
    // Labels carry codes and names, never a person or an id.
    expect(after).not.toContain('Ana Lima');
    expect(after).not.toContain(incident.id);
  });

  it("times the worker's jobs", async () => {
    const before = (await scrape(workerPort)).text;
    await sweepOnce(world.http, world.adminToken);
    const after = (await scrape(workerPort)).text;
    expect(after).toContain('process="worker"');
    const runs = (text: string) => sample(text, 'job_duration_seconds_count', { outcome: 'completed' });
    expect(runs(after)).toBeGreaterThan(runs(before));
  });
});
