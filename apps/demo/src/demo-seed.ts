import { describeQualification, QUALIFICATION_CODES, vctOf, type QualificationCode } from '../../issuer/src';
import type { ApiClient } from './demo-api-client';
import { DEMO_MISSION } from './demo-roster';

/**
 * Seeds the product the way an agency would, over its HTTP API only: the state's trust list, the incident staff's
 * accounts, and the incident (a building collapse in Miami Beach, Florida, with Georgia nurses under EMAC).
 */

/** What the seeding needs to know about a board of the demo issuer. */
export interface BoardIdentity {
  slug: string;
  did: string;
  name: string;
}

export interface TrustGrant {
  slug: string;
  jurisdictions: string[];
  qualifications: string[];
}

/**
 * The Florida Division of Emergency Management's trust list for the demo. `rogue-board` is left out on purpose:
 * its credentials are correctly signed, and must still be refused.
 */
export const DEMO_TRUST: readonly TrustGrant[] = [
  { slug: 'fl-nursing', jurisdictions: ['US-FL'], qualifications: ['RN', 'LPN', 'APRN'] },
  { slug: 'fl-medicine', jurisdictions: ['US-FL'], qualifications: ['MD'] },
  { slug: 'fl-ems', jurisdictions: ['US-FL'], qualifications: ['PARAMEDIC', 'EMT'] },
  { slug: 'ga-nursing', jurisdictions: ['US-GA'], qualifications: ['RN', 'LPN', 'APRN'] },
  { slug: 'ga-ems', jurisdictions: ['US-GA'], qualifications: ['PARAMEDIC', 'EMT'] },
  { slug: 'tx-nursing', jurisdictions: ['US-TX'], qualifications: ['RN', 'LPN'] },
  { slug: 'nremt', jurisdictions: ['US'], qualifications: ['PARAMEDIC', 'EMT'] },
  { slug: 'fema-usar', jurisdictions: ['US'], qualifications: ['USAR_TECH'] },
];

export const UNTRUSTED_BOARDS: readonly string[] = ['rogue-board'];

export type DemoRole = 'admin' | 'commander' | 'checkin' | 'auditor';

export interface DemoUser {
  role: DemoRole;
  email: string;
  password: string;
  displayName: string;
  jurisdictions?: string[];
  /** Assigned to the incident as staff (check-in staff and commanders act only at incidents they are assigned to). */
  incidentStaff: boolean;
  id?: string;
}

/** Demo accounts (the admin is the bootstrap admin the api creates on first start). Passwords are printed. */
export function demoUsers(admin: { email: string; password: string }): DemoUser[] {
  return [
    { role: 'admin', email: admin.email, password: admin.password, displayName: 'Demo Administrator', incidentStaff: false },
    {
      role: 'commander',
      email: 'commander@example.org',
      password: 'commander-demo-2026',
      displayName: 'Chief Maria Alvarez (Incident Commander)',
      incidentStaff: true,
    },
    { role: 'checkin', email: 'checkin@example.org', password: 'checkin-demo-2026', displayName: 'Darnell Brooks (Check-in Recorder)', incidentStaff: true },
    {
      role: 'auditor',
      email: 'auditor@example.org',
      password: 'auditor-demo-2026',
      displayName: 'Linh Tran (FDEM Auditor)',
      jurisdictions: ['US-FL'],
      incidentStaff: false,
    },
  ];
}

export const DEMO_ADMIN = { email: 'admin@example.org', password: 'admin-demo-2026' };

/** Positions of the incident, and which qualification a surge sends to each. */
export const DEMO_POSITIONS: ReadonlyArray<{ name: string; requiredQualifications: string[] }> = [
  { name: 'Triage Nurse', requiredQualifications: ['RN', 'APRN'] },
  { name: 'Shelter Nurse', requiredQualifications: ['RN', 'LPN', 'APRN'] },
  { name: 'Physician', requiredQualifications: ['MD'] },
  { name: 'Paramedic', requiredQualifications: ['PARAMEDIC'] },
  { name: 'EMT', requiredQualifications: ['EMT', 'PARAMEDIC'] },
  { name: 'Rescue Specialist', requiredQualifications: ['USAR_TECH'] },
  // General support: walk-up volunteers pending verification may take it (docs/walk-ups.md).
  { name: 'Shelter Support', requiredQualifications: ['GENERAL_SUPPORT'] },
];

export const DEMO_LOCATIONS: ReadonlyArray<{ name: string; kind: 'Base' | 'Staging Area' | 'ICP' | 'Helibase' | 'Other' }> = [
  { name: 'Staging Area A (Collins Park)', kind: 'Staging Area' },
  { name: 'Base (Miami Beach Convention Center)', kind: 'Base' },
  { name: 'ICP (87th Terrace and Collins Ave)', kind: 'ICP' },
  { name: 'Helispot H-1 (North Beach Oceanside Park)', kind: 'Helibase' },
];

export interface DemoIncident {
  id: string;
  name: string;
  number: string;
  jurisdiction: string;
  mutualAidJurisdictions: string[];
  /** name -> id */
  positions: Record<string, string>;
  /** name -> id */
  locations: Record<string, string>;
}

export interface DemoSeed {
  incident: DemoIncident;
  users: DemoUser[];
  /** The trust-list document that was imported. */
  trustList: TrustListDocument;
  /** The practice-rules document that was imported (docs/practice-authority.md). */
  practiceRules: Record<string, unknown>;
}

const DAY_MS = 86_400_000;

/**
 * Florida's practice rules for the demo: the Nurse Licensure Compact (Florida, Georgia and Texas are members), the
 * EMAC mission that brings the Georgia EMS strike team (REQ-A signed yesterday, 30 days), and the governor's order
 * letting Georgia nurses practise under supervision. A nationally certified paramedic with no state licence has no
 * basis here: the demo shows that refusal too.
 */
export function demoPracticeRules(now: Date = new Date()): Record<string, unknown> {
  const day = (offset: number): string => new Date(Math.floor((now.getTime() + offset * DAY_MS) / DAY_MS) * DAY_MS).toISOString();
  return {
    format: 'responder-checkin/practice-rules',
    version: 1,
    publisher: 'Florida Division of Emergency Management (demo)',
    issuedAt: now.toISOString(),
    compacts: [
      {
        id: 'NLC',
        professions: ['RN', 'LPN'],
        requiresMultistate: true,
        members: [
          { state: 'US-TX', from: '2000-01-01T00:00:00.000Z', until: null },
          { state: 'US-GA', from: '2018-01-19T00:00:00.000Z', until: null },
          { state: 'US-FL', from: '2018-01-19T00:00:00.000Z', until: null },
        ],
      },
    ],
    missions: [
      {
        id: DEMO_MISSION,
        requestingState: 'US-FL',
        assistingState: 'US-GA',
        requestNumber: 'REQ-A-0142',
        signedAt: day(-1),
        order: 'EO 26-117',
        professions: ['PARAMEDIC', 'EMT'],
        from: day(-1),
        until: day(30),
        roster: [],
        conditions: [],
      },
    ],
    orders: [
      {
        id: 'EO 26-117',
        state: 'US-FL',
        issuedBy: 'Governor of Florida',
        effect: 'authorize',
        professions: ['RN', 'LPN'],
        homeStates: ['US-GA'],
        from: day(-1),
        until: day(30),
        conditions: ['under supervision'],
        suspends: false,
      },
    ],
  };
}

/** Imports the demo's practice rules (PUT /practice-authority/rules, audited as a new version). */
export async function seedPracticeRules(api: ApiClient, adminToken: string, now: Date = new Date()): Promise<Record<string, unknown>> {
  const document = demoPracticeRules(now);
  await api.call('PUT', '/practice-authority/rules', { token: adminToken, body: document, expect: [200] });
  return document;
}

interface TrustListIssuerEntry {
  id: string;
  name: string;
  jurisdictions: string[];
  qualifications: string[];
}

export interface TrustListDocument {
  format: string;
  version: number;
  publisher?: string;
  issuedAt?: string;
  qualifications: unknown[];
  issuers: TrustListIssuerEntry[];
}

/**
 * Imports the demo trust list as one document, the way a state agency publishes it: the registry's own
 * qualification definitions (GET /trust/list) plus the trusted boards, replaced in one PUT /trust/list.
 */
export async function seedTrustList(
  api: ApiClient,
  adminToken: string,
  boards: readonly BoardIdentity[],
  grants: readonly TrustGrant[] = DEMO_TRUST,
): Promise<TrustListDocument> {
  const current = (await api.get<TrustListDocument>('/trust/list', { token: adminToken, expect: [200] })).body;
  const bySlug = new Map(boards.map((b) => [b.slug, b]));
  const trusted: TrustListIssuerEntry[] = grants.map((grant) => {
    const board = bySlug.get(grant.slug);
    if (!board) throw new Error(`the demo issuer has no board ${grant.slug}`);
    return { id: board.did, name: board.name, jurisdictions: [...grant.jurisdictions], qualifications: [...grant.qualifications] };
  });
  const ours = new Set(trusted.map((t) => t.id));
  const document: TrustListDocument = {
    ...current,
    qualifications: current.qualifications.map(withVctRule),
    publisher: 'Florida Division of Emergency Management (demo)',
    issuedAt: new Date().toISOString(),
    issuers: [...current.issuers.filter((i) => !ours.has(i.id)), ...trusted],
  };
  await api.call('PUT', '/trust/list', { token: adminToken, body: document, expect: [200] });
  return document;
}

const isQualificationCode = (code: unknown): code is QualificationCode => typeof code === 'string' && (QUALIFICATION_CODES as readonly string[]).includes(code);

/**
 * An SD-JWT VC names its qualification by `vct` only (it carries no achievement): the registry's definition of each
 * demo qualification gains a rule for the `vct` the demo boards issue it under.
 */
function withVctRule(qualification: unknown): unknown {
  if (typeof qualification !== 'object' || qualification === null) return qualification;
  const q = qualification as { code?: unknown; rules?: unknown };
  if (!isQualificationCode(q.code) || !Array.isArray(q.rules)) return qualification;
  const vct = vctOf(describeQualification(q.code, 'state-board').name);
  const known = q.rules.some((r: unknown) => typeof r === 'object' && r !== null && (r as { vct?: unknown }).vct === vct);
  return known ? qualification : { ...q, rules: [...q.rules, { vct }] };
}

/** Creates the demo accounts (except the bootstrap admin); returns them with their ids. */
export async function seedUsers(api: ApiClient, adminToken: string, users: DemoUser[]): Promise<DemoUser[]> {
  const result: DemoUser[] = [];
  for (const user of users) {
    if (user.role === 'admin') {
      result.push(user); // the bootstrap admin exists already
      continue;
    }
    const res = await api.post<{ id: string }>(
      '/users',
      { email: user.email, password: user.password, displayName: user.displayName, role: user.role, jurisdictions: user.jurisdictions },
      { token: adminToken, expect: [201] },
    );
    result.push({ ...user, id: res.body.id });
  }
  return result;
}

/** Twelve-hour operational periods starting at the last 07:00 or 19:00 (Miami time, taken as UTC-4/-5 loosely: UTC 11:00/23:00). */
function operationalPeriods(now: Date): Array<{ label: string; startsAt: string; endsAt: string }> {
  const start = new Date(now);
  start.setUTCMinutes(0, 0, 0);
  const hour = start.getUTCHours();
  // 11:00 and 23:00 UTC are 07:00 and 19:00 in Miami during daylight saving time.
  const back = hour >= 11 && hour < 23 ? hour - 11 : (hour + 24 - 23) % 24;
  start.setUTCHours(hour - back);
  return [0, 1, 2].map((i) => {
    const from = new Date(start.getTime() + i * 12 * 3_600_000);
    const to = new Date(from.getTime() + 12 * 3_600_000);
    const day = from.getUTCHours() === 11;
    return { label: `OP ${i + 1} (${day ? 'day' : 'night'})`, startsAt: from.toISOString(), endsAt: to.toISOString() };
  });
}

/** Creates the incident and assigns the staff who must be assigned to act at it. */
export async function seedIncident(api: ApiClient, adminToken: string, users: readonly DemoUser[], now: Date = new Date()): Promise<DemoIncident> {
  const number = `FL-MDC-${now.getUTCFullYear()}-${String(now.getUTCMonth() + 1).padStart(2, '0')}${String(now.getUTCDate()).padStart(2, '0')}-0147`;
  const res = await api.post<{
    id: string;
    name: string;
    number: string;
    jurisdiction: string;
    mutualAidJurisdictions: string[];
    positions: Array<{ id: string; name: string }>;
    locations: Array<{ id: string; name: string }>;
  }>(
    '/incidents',
    {
      name: 'Bayshore Tower Collapse',
      number,
      type: 'Structural collapse',
      jurisdiction: 'US-FL',
      mutualAidJurisdictions: ['US-GA'],
      timeZone: 'America/New_York',
      locations: DEMO_LOCATIONS,
      positions: DEMO_POSITIONS,
      operationalPeriods: operationalPeriods(now),
    },
    { token: adminToken, expect: [201] },
  );
  const incident = res.body;
  for (const user of users) {
    if (!user.incidentStaff || !user.id) continue;
    await api.post(`/incidents/${incident.id}/staff`, { userId: user.id }, { token: adminToken, expect: [200, 201, 204] });
  }
  return {
    id: incident.id,
    name: incident.name,
    number: incident.number,
    jurisdiction: incident.jurisdiction,
    mutualAidJurisdictions: incident.mutualAidJurisdictions,
    positions: Object.fromEntries(incident.positions.map((p) => [p.name, p.id])),
    locations: Object.fromEntries(incident.locations.map((l) => [l.name, l.id])),
  };
}

/** Everything the API needs for the demo: trust list, users, incident with staff. */
export async function seedDemo(
  api: ApiClient,
  boards: readonly BoardIdentity[],
  admin: { email: string; password: string } = DEMO_ADMIN,
  now: Date = new Date(),
): Promise<DemoSeed> {
  const adminToken = await api.signIn(admin.email, admin.password);
  const trustList = await seedTrustList(api, adminToken, boards);
  const users = await seedUsers(api, adminToken, demoUsers(admin));
  const incident = await seedIncident(api, adminToken, users, now);
  // The achievement the agency's deployment records name for this incident.
  await api.put(
    '/deployment-records/kinds',
    {
      incidentId: incident.id,
      name: 'Disaster Deployment: Structural Collapse, Medical Unit',
      description: 'Served with the state medical unit at a building collapse.',
    },
    { token: adminToken },
  );
  const practiceRules = await seedPracticeRules(api, adminToken, now);
  return { incident, users, trustList, practiceRules };
}
