import request from 'supertest';
import type { App } from 'supertest/types';
import { startIssuerServer, type IssuerServer } from '../../apps/issuer/src';
import { ADMIN, bearer, createTestEnv, createUser, signIn, startApi, type TestApi, type TestEnv } from './test-app';

/**
 * A whole test world: a demo issuer (licensing boards on a local port), a fresh database, the api, a trust
 * registry that trusts the Florida boards and the national certifiers, and an incident with its staff.
 */
export interface World {
  issuer: IssuerServer;
  env: TestEnv;
  api: TestApi;
  http: App;
  adminToken: string;
  close(): Promise<void>;
}

export interface TrustSeed {
  slug: string;
  jurisdictions: string[];
  qualifications: string[];
}

export const DEFAULT_TRUST: TrustSeed[] = [
  { slug: 'fl-nursing', jurisdictions: ['US-FL'], qualifications: ['RN', 'LPN', 'APRN'] },
  { slug: 'fl-medicine', jurisdictions: ['US-FL'], qualifications: ['MD'] },
  { slug: 'fl-ems', jurisdictions: ['US-FL'], qualifications: ['PARAMEDIC', 'EMT'] },
  { slug: 'ga-nursing', jurisdictions: ['US-GA'], qualifications: ['RN', 'LPN'] },
  { slug: 'nremt', jurisdictions: ['US'], qualifications: ['PARAMEDIC', 'EMT'] },
  { slug: 'fema-usar', jurisdictions: ['US'], qualifications: ['USAR_TECH'] },
];

export async function startWorld(
  label: string,
  opts: { env?: Record<string, string>; trust?: TrustSeed[]; listen?: boolean; port?: number; statusListTtlMs?: number } = {},
): Promise<World> {
  const issuer = await startIssuerServer({ port: 0, statusListTtlMs: opts.statusListTtlMs ?? 1000 });
  const env = await createTestEnv(label, opts.env);
  const api = await startApi(env.env, { listen: opts.listen, port: opts.port });
  const http = api.http;
  const adminToken = await signIn(http, ADMIN.email, ADMIN.password);
  for (const seed of opts.trust ?? DEFAULT_TRUST) await trustBoard(http, adminToken, issuer, seed);
  return {
    issuer,
    env,
    api,
    http,
    adminToken,
    close: async () => {
      await api.close();
      await issuer.close();
      await env.drop();
    },
  };
}

/** Adds one of the demo issuer's boards to the trust registry through the admin API. */
export async function trustBoard(http: App, adminToken: string, issuer: IssuerServer, seed: TrustSeed): Promise<void> {
  const board = issuer.board(seed.slug);
  const res = await request(http)
    .post('/trust/issuers')
    .set(...bearer(adminToken))
    .send({ id: board.did, name: board.name, jurisdictions: seed.jurisdictions, qualifications: seed.qualifications });
  if (res.status !== 201) throw new Error(`trusting ${seed.slug} failed: ${res.status} ${JSON.stringify(res.body)}`);
}

export interface IncidentFixture {
  id: string;
  positions: Record<string, string>;
  locations: Record<string, string>;
}

export async function createIncident(http: App, adminToken: string, overrides: Record<string, unknown> = {}): Promise<IncidentFixture> {
  const res = await request(http)
    .post('/incidents')
    .set(...bearer(adminToken))
    .send({
      name: 'Surfside Building Collapse',
      number: `FL-2026-${Math.floor(Math.random() * 1e6)}`,
      type: 'Structural collapse',
      jurisdiction: 'US-FL',
      locations: [
        { name: 'Staging Area 1', kind: 'Staging Area' },
        { name: 'Collins Ave ICP', kind: 'ICP' },
      ],
      positions: [
        { name: 'Triage Nurse', requiredQualifications: ['RN', 'APRN'] },
        { name: 'Paramedic', requiredQualifications: ['PARAMEDIC'] },
        { name: 'Rescue Specialist', requiredQualifications: ['USAR_TECH'] },
      ],
      ...overrides,
    });
  if (res.status !== 201) throw new Error(`create incident failed: ${res.status} ${JSON.stringify(res.body)}`);
  const body = res.body as { id: string; positions: Array<{ id: string; name: string }>; locations: Array<{ id: string; name: string }> };
  return {
    id: body.id,
    positions: Object.fromEntries(body.positions.map((p) => [p.name, p.id])),
    locations: Object.fromEntries(body.locations.map((l) => [l.name, l.id])),
  };
}

/** A user of this role assigned to the incident; returns its token. */
export async function staffFor(
  http: App,
  adminToken: string,
  incidentId: string,
  role: 'checkin' | 'commander' | 'timekeeper',
): Promise<{ id: string; email: string; token: string }> {
  const user = await createUser(http, adminToken, role);
  const res = await request(http)
    .post(`/incidents/${incidentId}/staff`)
    .set(...bearer(adminToken))
    .send({ userId: user.id });
  if (res.status !== 204) throw new Error(`assign failed: ${res.status} ${JSON.stringify(res.body)}`);
  return user;
}
