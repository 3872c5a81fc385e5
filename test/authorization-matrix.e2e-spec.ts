import { randomUUID } from 'node:crypto';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { Controller, Get, RequestMethod } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, ModulesContainer, Reflector } from '@nestjs/core';
import request from 'supertest';
import { ACCESS_RULE, INCIDENT_SCOPE, Roles, ROLES, type AccessRule, type Role } from '@app/auth';
import { bearer, createUser, startApi, type TestApi } from './support/test-app';
import { createIncident, staffFor, startWorld, type IncidentFixture, type World } from './support/world';

/**
 * The authorization matrix, generated from the route table of the real api: every HTTP route Nest registered (found
 * with DiscoveryService + the access metadata the global guard reads) and every other route on the Fastify router
 * (Swagger, the queue dashboard, the web app) must have a decision in EXPECTED below, and every route is requested by
 * every role and by no one, at an incident the user is assigned to (or whose jurisdiction an auditor covers) and at
 * one they are not. 401/403 exactly where the table says; anything else (2xx, 400, 404, 409, 422...) elsewhere,
 * because a request that got past the guard reached the handler.
 *
 * Adding a route without an access rule, or without a line here, fails this test.
 */
jest.setTimeout(300_000);

type Principal = 'admin' | 'commander' | 'checkin' | 'supervisor' | 'timekeeper' | 'auditor-FL' | 'auditor-GA' | 'anonymous';
const PRINCIPALS: Principal[] = ['admin', 'commander', 'checkin', 'supervisor', 'timekeeper', 'auditor-FL', 'auditor-GA', 'anonymous'];
const roleOf = (p: Principal): Role | undefined => (p === 'anonymous' ? undefined : p.startsWith('auditor') ? 'auditor' : (p as Role));

/** "own": US-FL, commander, check-in staff and timekeeper assigned. "other": US-GA, nobody assigned. */
type Site = 'own' | 'other';

/** May this principal see this incident? Admins all; commanders, supervisors, check-in staff and timekeepers where assigned; auditors by jurisdiction. */
function canSee(p: Principal, site: Site): boolean {
  if (p === 'admin') return true;
  if (p === 'commander' || p === 'checkin' || p === 'supervisor' || p === 'timekeeper') return site === 'own';
  if (p === 'auditor-FL') return site === 'own';
  if (p === 'auditor-GA') return site === 'other';
  return false;
}

interface Ids {
  incident: Record<Site, IncidentFixture>;
  deployment: Record<Site, string>;
  /** A checked-out deployment, with its deployment record. */
  released: Record<Site, string>;
  responder: Record<Site, string>;
  job: Record<Site, string>;
  par: Record<Site, string>;
  sweepJob: string;
  spareUser: string;
  trustedIssuer: string;
  retirableIssuer: string;
  credential: string;
}

interface Req {
  path: string;
  query?: Record<string, string>;
  body?: unknown;
}

interface Expectation {
  /** The access rule the route must carry: public, or these roles (compared with the route's metadata). */
  access: 'public' | readonly Role[];
  /**
   * How the route picks its incident: `guard` (@IncidentScoped on :incidentId, checked by the global guard) or
   * `handler` (the handler checks the incident named by a parameter or query). Absent: not about one incident.
   */
  incident?: 'guard' | 'handler';
  /** A non-GET route auditors may call must say why it changes nothing. */
  readOnly?: string;
  /** Only admins, whatever the roles say, for this variant (e.g. a job that spans every incident). */
  variants?: Array<{ label: string; request(ids: Ids): Req; adminOnly?: boolean }>;
  request(ids: Ids, site: Site): Req;
}

const ALL: readonly Role[] = ROLES;
const inc = (ids: Ids, site: Site): string => ids.incident[site].id;
const dep = (ids: Ids, site: Site): string => `/incidents/${inc(ids, site)}/deployments/${ids.deployment[site]}`;

/** Every route of the api and who may call it. Keys are `METHOD /path` exactly as the router has them. */
const EXPECTED: Record<string, Expectation> = {
  'GET /health/live': { access: 'public', request: () => ({ path: '/health/live' }) },
  'GET /health/ready': { access: 'public', request: () => ({ path: '/health/ready' }) },
  'POST /auth/token': {
    access: 'public',
    readOnly: 'sign-in',
    request: () => ({ path: '/auth/token', body: { email: 'admin@test.example', password: 'admin-password-123' } }),
  },
  'GET /auth/me': { access: ALL, request: () => ({ path: '/auth/me' }) },
  'GET /.well-known/jwks.json': { access: 'public', request: () => ({ path: '/.well-known/jwks.json' }) },
  'GET /.well-known/audit-checkpoint-keys.json': { access: 'public', request: () => ({ path: '/.well-known/audit-checkpoint-keys.json' }) },
  'GET /.well-known/incident-pack-keys.json': { access: 'public', request: () => ({ path: '/.well-known/incident-pack-keys.json' }) },
  // A new password too short: a permitted call is refused by validation (400), never applied.
  'POST /auth/password': {
    access: ALL,
    readOnly: "changes only the caller's own password",
    request: () => ({ path: '/auth/password', body: { currentPassword: 'x', newPassword: 'short' } }),
  },

  'GET /users': { access: ['admin'], request: () => ({ path: '/users' }) },
  'GET /users/:id': { access: ['admin'], request: (ids) => ({ path: `/users/${ids.spareUser}` }) },
  'POST /users': { access: ['admin'], request: () => ({ path: '/users', body: {} }) },
  'GET /admin/keys': { access: ['admin'], request: () => ({ path: '/admin/keys' }) },
  // An invalid delay: a permitted call is refused by validation (400), no key is generated.
  'POST /admin/keys/:purpose/rotate': { access: ['admin'], request: () => ({ path: '/admin/keys/access_token/rotate', body: { activateInSeconds: -1 } }) },
  'PATCH /users/:id': { access: ['admin'], request: (ids) => ({ path: `/users/${ids.spareUser}`, body: { displayName: 'Spare Checkin' } }) },

  'GET /audit/verify': {
    access: ['auditor', 'admin'],
    incident: 'handler',
    request: (ids, s) => ({ path: '/audit/verify', query: { incidentId: inc(ids, s) } }),
  },
  'GET /audit/export': {
    access: ['auditor', 'admin'],
    incident: 'handler',
    request: (ids, s) => ({ path: '/audit/export', query: { incidentId: inc(ids, s) } }),
  },
  // Filtered to what the caller may read (auditors: their jurisdictions), not refused.
  'GET /audit/entries': { access: ['auditor', 'admin'], request: () => ({ path: '/audit/entries' }) },
  'POST /audit/checkpoints': { access: ['admin'], request: () => ({ path: '/audit/checkpoints' }) },
  'GET /reports/incidents/:incidentId/deployments': {
    access: ['auditor', 'admin'],
    incident: 'handler',
    request: (ids, s) => ({ path: `/reports/incidents/${inc(ids, s)}/deployments` }),
  },
  // A responder's deployments across the incidents the caller may see; refused when that is none of them.
  'GET /reports/responders/:responderId': {
    access: ['auditor', 'admin'],
    incident: 'handler',
    request: (ids, s) => ({ path: `/reports/responders/${ids.responder[s]}` }),
  },

  'POST /incidents': { access: ['admin'], request: () => ({ path: '/incidents', body: {} }) },
  // Filtered to the incidents the caller may see.
  'GET /incidents': { access: ALL, request: () => ({ path: '/incidents' }) },
  'GET /incidents/:incidentId': { access: ALL, incident: 'guard', request: (ids, s) => ({ path: `/incidents/${inc(ids, s)}` }) },
  'PATCH /incidents/:incidentId': { access: ['admin', 'commander'], incident: 'guard', request: (ids, s) => ({ path: `/incidents/${inc(ids, s)}`, body: {} }) },
  'POST /incidents/:incidentId/close': {
    access: ['admin', 'commander'],
    incident: 'guard',
    request: (ids, s) => ({ path: `/incidents/${inc(ids, s)}/close` }),
  },
  'GET /incidents/:incidentId/staff': { access: ['admin', 'commander'], incident: 'guard', request: (ids, s) => ({ path: `/incidents/${inc(ids, s)}/staff` }) },
  // Only admins change who is on an incident (a commander could otherwise remove a fellow commander).
  'POST /incidents/:incidentId/staff': {
    access: ['admin'],
    incident: 'guard',
    request: (ids, s) => ({ path: `/incidents/${inc(ids, s)}/staff`, body: { userId: ids.spareUser } }),
  },
  'DELETE /incidents/:incidentId/staff/:userId': {
    access: ['admin'],
    incident: 'guard',
    request: (ids, s) => ({ path: `/incidents/${inc(ids, s)}/staff/${ids.spareUser}` }),
  },
  'POST /incidents/:incidentId/check-ins': {
    access: ['admin', 'commander', 'checkin'],
    incident: 'guard',
    request: (ids, s) => ({ path: `/incidents/${inc(ids, s)}/check-ins`, body: { credential: ids.credential } }),
  },
  // Without the staff statement the body is refused by validation (400): no lookup is made.
  'POST /incidents/:incidentId/check-ins/licence': {
    access: ['admin', 'commander', 'checkin'],
    incident: 'guard',
    request: (ids, s) => ({ path: `/incidents/${inc(ids, s)}/check-ins/licence`, body: { licenceNumber: 'RN1', state: 'FL', profession: 'RN' } }),
  },
  'GET /incidents/:incidentId/primary-source-policy': {
    access: ['admin', 'commander', 'checkin', 'auditor'],
    incident: 'guard',
    request: (ids, s) => ({ path: `/incidents/${inc(ids, s)}/primary-source-policy` }),
  },
  'PUT /incidents/:incidentId/primary-source-policy': {
    access: ['admin', 'commander'],
    incident: 'guard',
    request: (ids, s) => ({ path: `/incidents/${inc(ids, s)}/primary-source-policy`, body: {} }),
  },
  // Authenticated by the source's signature over the body, not a user token; an unknown source is a 404.
  'POST /primary-source/notices/:sourceId': { access: 'public', request: () => ({ path: '/primary-source/notices/no-such-source', body: {} }) },
  'POST /primary-source/relookups': { access: ['admin'], request: () => ({ path: '/primary-source/relookups' }) },
  'GET /incidents/:incidentId/check-ins': {
    access: ['admin', 'commander', 'checkin', 'auditor'],
    incident: 'guard',
    request: (ids, s) => ({ path: `/incidents/${inc(ids, s)}/check-ins` }),
  },
  'GET /incidents/:incidentId/roster': { access: ALL, incident: 'guard', request: (ids, s) => ({ path: `/incidents/${inc(ids, s)}/roster` }) },
  'GET /incidents/:incidentId/deployments': { access: ALL, incident: 'guard', request: (ids, s) => ({ path: `/incidents/${inc(ids, s)}/deployments` }) },
  'GET /incidents/:incidentId/deployments/:deploymentId': { access: ALL, incident: 'guard', request: (ids, s) => ({ path: dep(ids, s) }) },
  'GET /incidents/:incidentId/deployments/:deploymentId/history': { access: ALL, incident: 'guard', request: (ids, s) => ({ path: `${dep(ids, s)}/history` }) },
  'POST /incidents/:incidentId/deployments/:deploymentId/status': {
    access: ['admin', 'commander'],
    incident: 'guard',
    request: (ids, s) => ({ path: `${dep(ids, s)}/status`, body: {} }),
  },
  'POST /incidents/:incidentId/deployments/:deploymentId/check-out': {
    access: ['admin', 'commander', 'checkin'],
    incident: 'guard',
    request: (ids, s) => ({ path: `${dep(ids, s)}/check-out`, body: {} }),
  },
  'PATCH /incidents/:incidentId/deployments/:deploymentId/ics211': {
    access: ['admin', 'commander', 'checkin'],
    incident: 'guard',
    request: (ids, s) => ({ path: `${dep(ids, s)}/ics211`, body: {} }),
  },
  'GET /incidents/:incidentId/ics211.csv': { access: ALL, incident: 'guard', request: (ids, s) => ({ path: `/incidents/${inc(ids, s)}/ics211.csv` }) },
  'POST /incidents/:incidentId/reverify': {
    access: ['admin', 'commander'],
    incident: 'guard',
    request: (ids, s) => ({ path: `/incidents/${inc(ids, s)}/reverify` }),
  },

  // Walk-up volunteers (docs/walk-ups.md): intake and badges by whoever checks people in. Writes name a walk-up that
  // does not exist or send an empty body: a permitted call answers 404 or 400.
  'POST /incidents/:incidentId/walk-ups': {
    access: ['admin', 'commander', 'checkin'],
    incident: 'guard',
    request: (ids, s) => ({ path: `/incidents/${inc(ids, s)}/walk-ups`, body: {} }),
  },
  'GET /incidents/:incidentId/walk-ups': {
    access: ['admin', 'commander', 'checkin'],
    incident: 'guard',
    request: (ids, s) => ({ path: `/incidents/${inc(ids, s)}/walk-ups` }),
  },
  'POST /incidents/:incidentId/walk-ups/:walkUpId/position': {
    access: ['admin', 'commander', 'checkin'],
    incident: 'guard',
    request: (ids, s) => ({ path: `/incidents/${inc(ids, s)}/walk-ups/${randomUUID()}/position`, body: {} }),
  },
  'POST /incidents/:incidentId/walk-ups/:walkUpId/badge': {
    access: ['admin', 'commander', 'checkin'],
    incident: 'guard',
    request: (ids, s) => ({ path: `/incidents/${inc(ids, s)}/walk-ups/${randomUUID()}/badge`, body: {} }),
  },
  'POST /incidents/:incidentId/walk-ups/:walkUpId/upgrade': {
    access: ['admin', 'commander', 'checkin'],
    incident: 'guard',
    request: (ids, s) => ({ path: `/incidents/${inc(ids, s)}/walk-ups/${randomUUID()}/upgrade`, body: {} }),
  },
  'POST /incidents/:incidentId/walk-ups/:walkUpId/licence-check': {
    access: ['admin', 'commander', 'checkin'],
    incident: 'guard',
    request: (ids, s) => ({
      path: `/incidents/${inc(ids, s)}/walk-ups/${randomUUID()}/licence-check`,
      body: { licenceNumber: 'RN1', state: 'FL', profession: 'RN' },
    }),
  },
  'GET /incidents/:incidentId/walk-up-badge-keys': {
    access: ALL,
    incident: 'guard',
    request: (ids, s) => ({ path: `/incidents/${inc(ids, s)}/walk-up-badge-keys` }),
  },

  // Offline stations (docs/offline.md): the pack and device sync for whoever scans; device keys are revoked by commanders.
  'GET /incidents/:incidentId/pack': {
    access: ['admin', 'commander', 'checkin'],
    incident: 'guard',
    request: (ids, s) => ({ path: `/incidents/${inc(ids, s)}/pack` }),
  },
  'POST /incidents/:incidentId/devices': {
    access: ['admin', 'commander', 'checkin'],
    incident: 'guard',
    request: (ids, s) => ({ path: `/incidents/${inc(ids, s)}/devices`, body: {} }),
  },
  'GET /incidents/:incidentId/devices': {
    access: ['admin', 'commander'],
    incident: 'guard',
    request: (ids, s) => ({ path: `/incidents/${inc(ids, s)}/devices` }),
  },
  'POST /incidents/:incidentId/devices/:deviceId/revoke': {
    access: ['admin', 'commander'],
    incident: 'guard',
    request: (ids, s) => ({ path: `/incidents/${inc(ids, s)}/devices/${randomUUID()}/revoke` }),
  },
  'POST /incidents/:incidentId/devices/:deviceId/sync': {
    access: ['admin', 'commander', 'checkin'],
    incident: 'guard',
    request: (ids, s) => ({ path: `/incidents/${inc(ids, s)}/devices/${randomUUID()}/sync`, body: {} }),
  },
  'GET /incidents/:incidentId/offline-scans': {
    access: ['admin', 'commander', 'auditor'],
    incident: 'guard',
    request: (ids, s) => ({ path: `/incidents/${inc(ids, s)}/offline-scans` }),
  },

  // Accountability (docs/accountability.md). Writes name a PAR that does not exist: a permitted call answers 404.
  'POST /incidents/:incidentId/pars': {
    access: ['admin', 'commander', 'supervisor'],
    incident: 'guard',
    request: (ids, s) => ({ path: `/incidents/${inc(ids, s)}/pars`, body: {} }),
  },
  'GET /incidents/:incidentId/pars': { access: ALL, incident: 'guard', request: (ids, s) => ({ path: `/incidents/${inc(ids, s)}/pars` }) },
  'GET /incidents/:incidentId/missing': { access: ALL, incident: 'guard', request: (ids, s) => ({ path: `/incidents/${inc(ids, s)}/missing` }) },
  'GET /incidents/:incidentId/pars/:parId': { access: ALL, incident: 'guard', request: (ids, s) => ({ path: `/incidents/${inc(ids, s)}/pars/${ids.par[s]}` }) },
  'POST /incidents/:incidentId/pars/:parId/acknowledgements': {
    access: ['admin', 'commander', 'supervisor', 'checkin'],
    incident: 'guard',
    request: (ids, s) => ({ path: `/incidents/${inc(ids, s)}/pars/${randomUUID()}/acknowledgements`, body: { deploymentIds: [ids.deployment[s]] } }),
  },
  'POST /incidents/:incidentId/pars/:parId/scans': {
    access: ['admin', 'commander', 'supervisor', 'checkin'],
    incident: 'guard',
    request: (ids, s) => ({ path: `/incidents/${inc(ids, s)}/pars/${randomUUID()}/scans`, body: { credential: 'not-a-badge' } }),
  },
  'POST /incidents/:incidentId/pars/:parId/missing': {
    access: ['admin', 'commander', 'supervisor'],
    incident: 'guard',
    request: (ids, s) => ({ path: `/incidents/${inc(ids, s)}/pars/${randomUUID()}/missing`, body: { deploymentId: ids.deployment[s] } }),
  },
  'POST /incidents/:incidentId/pars/:parId/complete': {
    access: ['admin', 'commander', 'supervisor'],
    incident: 'guard',
    request: (ids, s) => ({ path: `/incidents/${inc(ids, s)}/pars/${randomUUID()}/complete` }),
  },
  'POST /incidents/:incidentId/activity-log': {
    access: ['admin', 'commander', 'supervisor', 'checkin'],
    incident: 'guard',
    request: (ids, s) => ({ path: `/incidents/${inc(ids, s)}/activity-log`, body: {} }),
  },
  'GET /incidents/:incidentId/activity-log': { access: ALL, incident: 'guard', request: (ids, s) => ({ path: `/incidents/${inc(ids, s)}/activity-log` }) },
  'GET /incidents/:incidentId/ics214.csv': { access: ALL, incident: 'guard', request: (ids, s) => ({ path: `/incidents/${inc(ids, s)}/ics214.csv` }) },
  'GET /incidents/:incidentId/ics214.html': { access: ALL, incident: 'guard', request: (ids, s) => ({ path: `/incidents/${inc(ids, s)}/ics214.html` }) },
  'GET /incidents/:incidentId/deployments/:deploymentId/demob': { access: ALL, incident: 'guard', request: (ids, s) => ({ path: `${dep(ids, s)}/demob` }) },
  // The incident asks for no sign-offs: a permitted call is refused by the rules (422), never applied.
  'POST /incidents/:incidentId/deployments/:deploymentId/demob/signoffs': {
    access: ['admin', 'commander', 'checkin'],
    incident: 'guard',
    request: (ids, s) => ({ path: `${dep(ids, s)}/demob/signoffs`, body: { unit: 'supply' } }),
  },
  'PUT /incidents/:incidentId/deployments/:deploymentId/demob/travel': {
    access: ['admin', 'commander', 'checkin'],
    incident: 'guard',
    request: (ids, s) => ({ path: `${dep(ids, s)}/demob/travel`, body: {} }),
  },
  'GET /incidents/:incidentId/deployments/:deploymentId/ics221.csv': {
    access: ALL,
    incident: 'guard',
    request: (ids, s) => ({ path: `${dep(ids, s)}/ics221.csv` }),
  },
  'GET /incidents/:incidentId/deployments/:deploymentId/ics221.html': {
    access: ALL,
    incident: 'guard',
    request: (ids, s) => ({ path: `${dep(ids, s)}/ics221.html` }),
  },
  'GET /incidents/:incidentId/work-limits': { access: ALL, incident: 'guard', request: (ids, s) => ({ path: `/incidents/${inc(ids, s)}/work-limits` }) },
  'GET /incidents/:incidentId/accountability-settings': {
    access: ALL,
    incident: 'guard',
    request: (ids, s) => ({ path: `/incidents/${inc(ids, s)}/accountability-settings` }),
  },
  'PATCH /incidents/:incidentId/accountability-settings': {
    access: ['admin', 'commander'],
    incident: 'guard',
    request: (ids, s) => ({ path: `/incidents/${inc(ids, s)}/accountability-settings`, body: { parResponseSeconds: 1 } }),
  },
  'POST /incidents/:incidentId/par-timer/snooze': {
    access: ['admin', 'commander'],
    incident: 'guard',
    request: (ids, s) => ({ path: `/incidents/${inc(ids, s)}/par-timer/snooze`, body: {} }),
  },
  'GET /incidents/:incidentId/supervisors': {
    access: ['admin', 'commander'],
    incident: 'guard',
    request: (ids, s) => ({ path: `/incidents/${inc(ids, s)}/supervisors` }),
  },
  'PUT /incidents/:incidentId/supervisors/:userId': {
    access: ['admin', 'commander'],
    incident: 'guard',
    request: (ids, s) => ({ path: `/incidents/${inc(ids, s)}/supervisors/${ids.spareUser}`, body: {} }),
  },

  'GET /trust/issuers': { access: ['admin', 'auditor'], request: () => ({ path: '/trust/issuers' }) },
  'POST /trust/issuers': { access: ['admin'], request: () => ({ path: '/trust/issuers', body: {} }) },
  'GET /trust/issuers/:id': { access: ['admin', 'auditor'], request: (ids) => ({ path: `/trust/issuers/${encodeURIComponent(ids.trustedIssuer)}` }) },
  'PATCH /trust/issuers/:id': { access: ['admin'], request: (ids) => ({ path: `/trust/issuers/${encodeURIComponent(ids.trustedIssuer)}`, body: {} }) },
  'POST /trust/issuers/:id/retire': {
    access: ['admin'],
    request: (ids) => ({ path: `/trust/issuers/${encodeURIComponent(ids.retirableIssuer)}/retire`, body: { reason: 'authorization matrix' } }),
  },
  'GET /trust/qualifications': { access: ['admin', 'auditor', 'commander', 'checkin'], request: () => ({ path: '/trust/qualifications' }) },
  'GET /trust/list': { access: ['admin', 'auditor'], request: () => ({ path: '/trust/list' }) },
  // An invalid document: a permitted call is refused by validation (422), never applied.
  'PUT /trust/list': { access: ['admin'], request: () => ({ path: '/trust/list', body: { format: 'not-a-trust-list' } }) },

  'GET /practice-authority/rules': { access: ['admin', 'auditor'], request: () => ({ path: '/practice-authority/rules' }) },
  // An invalid document: a permitted call is refused by validation (422), never applied.
  'PUT /practice-authority/rules': { access: ['admin'], request: () => ({ path: '/practice-authority/rules', body: { format: 'not-practice-rules' } }) },
  'GET /practice-authority/rules/versions': { access: ['admin', 'auditor'], request: () => ({ path: '/practice-authority/rules/versions' }) },

  // Timekeepers verify nothing: they work from the deployments and the time records.
  'POST /credentials/verify': {
    access: ['admin', 'commander', 'checkin', 'auditor'],
    readOnly: 'verifies a credential and stores nothing',
    request: (ids) => ({ path: '/credentials/verify', body: { verifiableCredential: ids.credential } }),
  },
  'POST /reverification/sweeps': { access: ['admin'], request: () => ({ path: '/reverification/sweeps' }) },

  // Time records: the time unit (timekeepers assigned to the incident) writes; auditors read.
  'PUT /incidents/:incidentId/time/rules': {
    access: ['admin', 'timekeeper'],
    incident: 'guard',
    request: (ids, s) => ({ path: `/incidents/${inc(ids, s)}/time/rules`, body: {} }),
  },
  'PUT /incidents/:incidentId/time/responders/:responderId/employment': {
    access: ['admin', 'timekeeper'],
    incident: 'guard',
    request: (ids, s) => ({ path: `/incidents/${inc(ids, s)}/time/responders/${ids.responder[s]}/employment`, body: {} }),
  },
  'GET /incidents/:incidentId/time/corrections': {
    access: ['admin', 'timekeeper', 'auditor'],
    incident: 'guard',
    request: (ids, s) => ({ path: `/incidents/${inc(ids, s)}/time/corrections` }),
  },
  'POST /incidents/:incidentId/time/corrections': {
    access: ['admin', 'timekeeper'],
    incident: 'guard',
    request: (ids, s) => ({ path: `/incidents/${inc(ids, s)}/time/corrections`, body: {} }),
  },
  'POST /incidents/:incidentId/time/corrections/:correctionId/approve': {
    access: ['admin', 'timekeeper'],
    incident: 'guard',
    request: (ids, s) => ({ path: `/incidents/${inc(ids, s)}/time/corrections/${randomUUID()}/approve` }),
  },
  'POST /incidents/:incidentId/time/approvals': {
    access: ['admin', 'timekeeper'],
    incident: 'guard',
    request: (ids, s) => ({ path: `/incidents/${inc(ids, s)}/time/approvals`, body: {} }),
  },
  'POST /incidents/:incidentId/time/period-approvals': {
    access: ['admin', 'timekeeper'],
    incident: 'guard',
    request: (ids, s) => ({ path: `/incidents/${inc(ids, s)}/time/period-approvals`, body: {} }),
  },
  // One agency with nobody at it: an empty summary (the matrix's deployments record no agency, which has no rates).
  'GET /incidents/:incidentId/time/labour-summary.csv': {
    access: ['admin', 'timekeeper', 'auditor'],
    incident: 'guard',
    request: (ids, s) => ({ path: `/incidents/${inc(ids, s)}/time/labour-summary.csv`, query: { agency: 'Matrix Agency' } }),
  },
  'GET /incidents/:incidentId/time/package': {
    access: ['admin', 'timekeeper', 'auditor'],
    incident: 'guard',
    request: (ids, s) => ({ path: `/incidents/${inc(ids, s)}/time/package`, query: { agency: 'Matrix Agency' } }),
  },
  'GET /incidents/:incidentId/time/package.csv': {
    access: ['admin', 'timekeeper', 'auditor'],
    incident: 'guard',
    request: (ids, s) => ({ path: `/incidents/${inc(ids, s)}/time/package.csv`, query: { agency: 'Matrix Agency' } }),
  },
  'GET /incidents/:incidentId/time/package.pdf': {
    access: ['admin', 'timekeeper', 'auditor'],
    incident: 'guard',
    request: (ids, s) => ({ path: `/incidents/${inc(ids, s)}/time/package.pdf`, query: { agency: 'Matrix Agency' } }),
  },
  'GET /incidents/:incidentId/time/donated-hours.csv': {
    access: ['admin', 'timekeeper', 'auditor'],
    incident: 'guard',
    request: (ids, s) => ({ path: `/incidents/${inc(ids, s)}/time/donated-hours.csv`, query: { agency: 'Matrix Agency' } }),
  },
  // Invalid bodies: a permitted call is refused by validation (400), never applied.
  'PUT /incidents/:incidentId/time/mission-reference': {
    access: ['admin', 'timekeeper'],
    incident: 'guard',
    request: (ids, s) => ({ path: `/incidents/${inc(ids, s)}/time/mission-reference`, body: {} }),
  },
  'POST /incidents/:incidentId/time/certifications': {
    access: ['admin', 'timekeeper'],
    incident: 'guard',
    request: (ids, s) => ({ path: `/incidents/${inc(ids, s)}/time/certifications`, body: {} }),
  },
  'GET /jobs/:id': {
    access: ['admin', 'commander'],
    incident: 'handler',
    request: (ids, s) => ({ path: `/jobs/${ids.job[s]}` }),
    variants: [{ label: 'a sweep across every incident', adminOnly: true, request: (ids) => ({ path: `/jobs/${ids.sweepJob}` }) }],
  },
  'POST /jobs/dashboard-session': { access: ['admin'], request: () => ({ path: '/jobs/dashboard-session' }) },

  'GET /incidents/:incidentId/deployments/:deploymentId/record': {
    access: ['admin', 'commander', 'checkin'],
    incident: 'guard',
    request: (ids, s) => ({ path: `/incidents/${inc(ids, s)}/deployments/${ids.released[s]}/record` }),
  },
  'POST /deployment-records/:id/revoke': {
    access: ['admin'],
    request: () => ({ path: `/deployment-records/${randomUUID()}/revoke`, body: { reason: 'in error' } }),
  },
  'PUT /deployment-records/kinds': { access: ['admin'], request: () => ({ path: '/deployment-records/kinds', body: {} }) },
  // An invalid delay: a permitted call is refused by validation (400), no key is generated.
  'POST /deployment-records/issuer-keys/rotate': {
    access: ['admin'],
    request: () => ({ path: '/deployment-records/issuer-keys/rotate', body: { activateInSeconds: -1 } }),
  },
  'POST /deployment-records/presented': { access: ['admin', 'commander', 'checkin'], request: () => ({ path: '/deployment-records/presented', body: {} }) },
  'GET /.well-known/did.json': { access: 'public', request: () => ({ path: '/.well-known/did.json' }) },
  'GET /deployment-records/status/:list': { access: 'public', request: () => ({ path: '/deployment-records/status/1' }) },
  'DELETE /jobs/dashboard-session': { access: ['admin'], request: () => ({ path: '/jobs/dashboard-session' }) },
};

/**
 * Routes on the Fastify router that are not Nest handlers (no guard metadata), all public: Swagger UI and the OpenAPI
 * document, the web app's static files and the redirect to it, and the CORS preflight answer.
 */
const EXTERNAL_ROUTES: Record<string, 'public'> = {
  'GET /docs': 'public',
  'GET /docs/': 'public',
  'GET /docs/*': 'public',
  'GET /docs/index.html': 'public',
  'GET /docs/LICENSE': 'public',
  'GET /docs/swagger-ui-init.js': 'public',
  'GET /docs/docs/swagger-ui-init.js': 'public',
  'GET /docs-json': 'public',
  'GET /docs-yaml': 'public',
  'GET /': 'public',
  'GET /app': 'public',
  'GET /app/*': 'public',
  'OPTIONS *': 'public',
};

/** bull-board's own routes, every one behind the dashboard's admin-only onRequest hook (libs/jobs queue-dashboard.ts). */
const QUEUE_DASHBOARD = '/admin/queues';

/** Requested below by every principal, as probes of the routes above that are not plain public pages. */
const MOUNTED: Array<{ key: string; access: 'public' | readonly Role[]; path: string }> = [
  { key: 'GET /admin/queues (bull-board)', access: ['admin'], path: '/admin/queues' },
  { key: 'GET /admin/queues/api/queues (bull-board API)', access: ['admin'], path: '/admin/queues/api/queues' },
  { key: 'GET / (redirect to the web app)', access: 'public', path: '/' },
];

/** Routes that change state run last, after every read, so that they cannot hide a read's outcome. */
const RUN_LAST = [
  'POST /incidents/:incidentId/close',
  'DELETE /incidents/:incidentId/staff/:userId',
  'POST /trust/issuers/:id/retire',
  'PUT /trust/list',
  'POST /incidents/:incidentId/deployments/:deploymentId/check-out',
];

interface DiscoveredRoute {
  key: string;
  rule?: AccessRule;
  incidentParam?: string;
}

function joinPath(...parts: Array<string | undefined>): string {
  const path = parts
    .filter((p): p is string => typeof p === 'string')
    .map((p) => p.replace(/^\/+|\/+$/g, ''))
    .filter((p) => p.length > 0)
    .join('/');
  return `/${path}`;
}

/** The route table of a running app: Nest handlers with the metadata the global guard reads, and the Fastify router. */
function discoverRoutes({ app, routes }: TestApi): { nestRoutes: DiscoveredRoute[]; routerRoutes: string[] } {
  const reflector = app.get(Reflector);
  const scanner = new MetadataScanner();
  const nestRoutes: DiscoveredRoute[] = [];
  for (const wrapper of new DiscoveryService(app.get(ModulesContainer)).getControllers()) {
    const controller = wrapper.metatype as (new (...args: never[]) => unknown) | null;
    if (!controller || !wrapper.instance) continue;
    const prototype = Object.getPrototypeOf(wrapper.instance) as Record<string, unknown>;
    const controllerPaths = ([] as Array<string | undefined>).concat(Reflect.getMetadata(PATH_METADATA, controller) as string | string[] | undefined);
    for (const name of scanner.getAllMethodNames(prototype)) {
      const handler = prototype[name] as object;
      const methodPath = Reflect.getMetadata(PATH_METADATA, handler) as string | string[] | undefined;
      if (methodPath === undefined) continue;
      const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod];
      const targets = [handler as () => unknown, controller];
      for (const cp of controllerPaths) {
        for (const mp of ([] as string[]).concat(methodPath)) {
          nestRoutes.push({
            key: `${method} ${joinPath(cp, mp)}`,
            rule: reflector.getAllAndOverride<AccessRule | undefined>(ACCESS_RULE, targets),
            incidentParam: reflector.getAllAndOverride<string | undefined>(INCIDENT_SCOPE, targets),
          });
        }
      }
    }
  }
  // HEAD routes are Fastify's copies of the GET ones.
  return { nestRoutes, routerRoutes: routes.filter((r) => !r.startsWith('HEAD ')) };
}

/** What is wrong with the route table against EXPECTED (empty: every route has a rule and a matching decision). */
function tableProblems(nestRoutes: DiscoveredRoute[], routerRoutes: string[]): string[] {
  const problems: string[] = [];
  for (const route of nestRoutes) {
    const expected = EXPECTED[route.key];
    if (!route.rule) problems.push(`${route.key} has no access rule (@Public or @Roles): the guard refuses it to everyone`);
    if (!expected) {
      problems.push(`${route.key} is missing from EXPECTED in test/authorization-matrix.e2e-spec.ts: decide who may call it`);
      continue;
    }
    const declared = !route.rule ? 'none' : route.rule.kind === 'public' ? 'public' : [...route.rule.roles].sort().join(',');
    const tabled = expected.access === 'public' ? 'public' : [...expected.access].sort().join(',');
    if (declared !== tabled) problems.push(`${route.key}: the code allows ${declared}, the matrix says ${tabled}`);
    if (route.incidentParam !== undefined && expected.incident !== 'guard')
      problems.push(`${route.key} is @IncidentScoped('${route.incidentParam}'): mark it incident: 'guard'`);
    if (route.incidentParam === undefined && expected.incident === 'guard')
      problems.push(`${route.key} is not @IncidentScoped but the matrix says the guard checks its incident`);
    if (route.incidentParam !== undefined && !route.key.includes(`:${route.incidentParam}`))
      problems.push(`${route.key}: @IncidentScoped names :${route.incidentParam}, which is not in the path`);
    // An :incidentId in the path with no incident check at all would open every incident to anyone with the role.
    if (route.key.includes(':incidentId') && !expected.incident) problems.push(`${route.key} takes an :incidentId but the matrix records no incident check`);
  }
  const known = new Set(nestRoutes.map((r) => r.key));
  for (const key of Object.keys(EXPECTED)) if (!known.has(key)) problems.push(`EXPECTED lists ${key}, which the api does not have (remove it)`);
  for (const key of routerRoutes) {
    const path = key.split(' ')[1];
    if (known.has(key) || key in EXTERNAL_ROUTES || path === QUEUE_DASHBOARD || path.startsWith(`${QUEUE_DASHBOARD}/`)) continue;
    problems.push(`${key} is on the Fastify router but is neither a Nest route nor listed in EXTERNAL_ROUTES`);
  }
  // Auditors read; they never change anything.
  for (const [key, e] of Object.entries(EXPECTED)) {
    const writes = !key.startsWith('GET ');
    if (writes && e.access !== 'public' && e.access.includes('auditor') && !e.readOnly) problems.push(`${key} lets auditors write`);
  }
  return problems;
}

/** A controller someone might add: one route without any access rule, one with a rule but not in the matrix. */
@Controller('matrix-probe')
class UnlistedController {
  @Get('no-rule')
  noRule(): string {
    return 'should never be reachable';
  }

  @Get('not-in-matrix')
  @Roles('admin')
  notInMatrix(): string {
    return 'listed nowhere';
  }
}

describe('authorization matrix: every route x every role x own/other incident', () => {
  let world: World;
  let ids: Ids;
  const tokens = {} as Record<Principal, string | undefined>;
  let nestRoutes: DiscoveredRoute[];
  let routerRoutes: string[];

  beforeAll(async () => {
    world = await startWorld('authz', { env: { RECORDS_ISSUER_DID: 'did:web:records.matrix.example' } });
    const { http, adminToken } = world;
    const own = await createIncident(http, adminToken, { name: 'Matrix Own Incident' });
    const other = await createIncident(http, adminToken, { name: 'Matrix Other Incident', jurisdiction: 'US-GA' });
    const commander = await staffFor(http, adminToken, own.id, 'commander');
    const checkin = await staffFor(http, adminToken, own.id, 'checkin');
    const timekeeper = await staffFor(http, adminToken, own.id, 'timekeeper');
    const supervisor = await createUser(http, adminToken, 'supervisor');
    await request(http)
      .post(`/incidents/${own.id}/staff`)
      .set(...bearer(adminToken))
      .send({ userId: supervisor.id })
      .expect(204);
    const spare = await createUser(http, adminToken, 'checkin');
    for (const site of [own, other])
      await request(http)
        .post(`/incidents/${site.id}/staff`)
        .set(...bearer(adminToken))
        .send({ userId: spare.id })
        .expect(204);
    tokens.admin = adminToken;
    tokens.commander = commander.token;
    tokens.checkin = checkin.token;
    tokens.timekeeper = timekeeper.token;
    tokens.supervisor = supervisor.token;
    tokens['auditor-FL'] = (await createUser(http, adminToken, 'auditor', { jurisdictions: ['US-FL'] })).token;
    tokens['auditor-GA'] = (await createUser(http, adminToken, 'auditor', { jurisdictions: ['US-GA'] })).token;
    tokens.anonymous = undefined;

    // A real deployment (and responder) at each incident, and a reverification run per incident plus a sweep.
    const checkInAt = async (incident: IncidentFixture, slug: string, qualification: string) => {
      const { jws } = await world.issuer.board(slug).issue({ format: 'vc+jwt', qualification, subject: { name: `Matrix ${slug}` } });
      const res = await request(http)
        .post(`/incidents/${incident.id}/check-ins`)
        .set(...bearer(adminToken))
        .set('Idempotency-Key', randomUUID())
        .send({ credential: jws })
        .expect(201);
      expect(res.body.decision).toBe('admitted');
      return { deployment: res.body.deployment.id as string, responder: res.body.responder.id as string };
    };
    const atOwn = await checkInAt(own, 'fl-nursing', 'RN');
    const atOther = await checkInAt(other, 'ga-nursing', 'RN');
    const release = async (incident: IncidentFixture, slug: string, qualification: string): Promise<string> => {
      const { deployment } = await checkInAt(incident, slug, qualification);
      await request(http)
        .post(`/incidents/${incident.id}/deployments/${deployment}/check-out`)
        .set(...bearer(adminToken))
        .send({})
        .expect(200);
      return deployment;
    };
    const released = { own: await release(own, 'fl-medicine', 'MD'), other: await release(other, 'nremt', 'EMT') };
    const reverify = async (incidentId: string) =>
      (
        await request(http)
          .post(`/incidents/${incidentId}/reverify`)
          .set(...bearer(adminToken))
          .expect(202)
      ).body.jobId as string;
    const sweep = (
      await request(http)
        .post('/reverification/sweeps')
        .set(...bearer(adminToken))
        .expect(202)
    ).body.jobId as string;
    const { jws: credential } = await world.issuer.board('nremt').issue({ format: 'vc+jwt', qualification: 'EMT', subject: { name: 'Matrix Scan' } });
    const startPar = async (incidentId: string) =>
      (
        await request(http)
          .post(`/incidents/${incidentId}/pars`)
          .set(...bearer(adminToken))
          .send({ reason: 'timer' })
          .expect(201)
      ).body.id as string;
    ids = {
      incident: { own, other },
      deployment: { own: atOwn.deployment, other: atOther.deployment },
      released,
      responder: { own: atOwn.responder, other: atOther.responder },
      job: { own: await reverify(own.id), other: await reverify(other.id) },
      par: { own: await startPar(own.id), other: await startPar(other.id) },
      sweepJob: sweep,
      spareUser: spare.id,
      trustedIssuer: world.issuer.board('fl-nursing').did,
      retirableIssuer: world.issuer.board('fema-usar').did,
      credential,
    };

    ({ nestRoutes, routerRoutes } = discoverRoutes(world.api));
  });

  afterAll(async () => world?.close());

  it('finds the routes (the discovery itself works)', () => {
    expect(nestRoutes.length).toBeGreaterThanOrEqual(40);
    expect(nestRoutes.map((r) => r.key)).toContain('POST /incidents/:incidentId/check-ins');
    expect(PRINCIPALS.map(roleOf).filter(Boolean).sort()).toEqual(expect.arrayContaining([...ROLES].sort()));
  });

  it('every route has an access rule and a decision in this matrix that matches it', () => {
    expect(tableProblems(nestRoutes, routerRoutes)).toEqual([]);
  });

  it('a route added without an access rule, or without a decision here, fails the check (and the guard refuses it)', async () => {
    const probe = await startApi(world.env.env, { extraControllers: [UnlistedController] });
    try {
      const found = discoverRoutes(probe);
      const problems = tableProblems(found.nestRoutes, found.routerRoutes);
      expect(problems).toEqual(
        expect.arrayContaining([
          expect.stringContaining('GET /matrix-probe/no-rule has no access rule'),
          expect.stringContaining('GET /matrix-probe/no-rule is missing from EXPECTED'),
          expect.stringContaining('GET /matrix-probe/not-in-matrix is missing from EXPECTED'),
        ]),
      );
      const refused = await request(probe.http)
        .get('/matrix-probe/no-rule')
        .set(...bearer(tokens.admin!));
      expect(refused.status).toBe(403);
      expect(refused.body.code).toBe('access_rule_missing');
    } finally {
      await probe.close();
    }
  });

  it('every route x every role x own/other incident: 401/403 exactly where expected, and nowhere else', async () => {
    type Outcome = 'allowed' | 401 | 403;
    const cells: Array<{ key: string; label: string; who: Principal; expected: Outcome; req: Req; method: string }> = [];
    const order = Object.keys(EXPECTED).sort((a, b) => Number(RUN_LAST.includes(a)) - Number(RUN_LAST.includes(b)));
    for (const key of order) {
      const e = EXPECTED[key];
      const method = key.split(' ')[0];
      const sites: Array<Site | undefined> = e.incident ? ['own', 'other'] : [undefined];
      for (const site of sites) {
        for (const who of PRINCIPALS) {
          const role = roleOf(who);
          let expected: Outcome = 'allowed';
          if (e.access !== 'public') {
            if (!role) expected = 401;
            else if (!e.access.includes(role)) expected = 403;
            else if (site && !canSee(who, site)) expected = 403;
          }
          cells.push({ key, label: site ?? '-', who, expected, req: e.request(ids, site ?? 'own'), method });
        }
      }
      for (const variant of e.variants ?? []) {
        for (const who of PRINCIPALS) {
          const role = roleOf(who);
          const expected: Outcome = !role
            ? 401
            : e.access !== 'public' && !e.access.includes(role)
              ? 403
              : variant.adminOnly && role !== 'admin'
                ? 403
                : 'allowed';
          cells.push({ key, label: variant.label, who, expected, req: variant.request(ids), method });
        }
      }
    }
    for (const m of MOUNTED) {
      for (const who of PRINCIPALS) {
        const role = roleOf(who);
        const expected: Outcome = m.access === 'public' ? 'allowed' : !role ? 401 : m.access.includes(role) ? 'allowed' : 403;
        cells.push({ key: m.key, label: '-', who, expected, req: { path: m.path }, method: 'GET' });
      }
    }
    for (const key of Object.keys(EXTERNAL_ROUTES).filter((k) => k.startsWith('GET '))) {
      const path = key.split(' ')[1].replace(/\*$/, 'index.html');
      for (const who of PRINCIPALS) cells.push({ key, label: '-', who, expected: 'allowed', req: { path }, method: 'GET' });
    }

    const wrong: string[] = [];
    const tally = { requests: 0, allowed: 0, refused: 0 };
    for (const cell of cells) {
      let r = request(world.http)[cell.method.toLowerCase() as 'get' | 'post' | 'patch' | 'put' | 'delete'](cell.req.path).set('Idempotency-Key', randomUUID());
      if (cell.req.query) r = r.query(cell.req.query);
      const token = tokens[cell.who];
      if (token) r = r.set(...bearer(token));
      const res = cell.req.body === undefined ? await r : await r.send(cell.req.body as object);
      tally.requests++;
      const refused = res.status === 401 || res.status === 403;
      const ok = cell.expected === 'allowed' ? !refused && res.status < 500 : res.status === cell.expected;
      if (cell.expected === 'allowed') tally.allowed++;
      else tally.refused++;
      if (!ok)
        wrong.push(
          `${cell.key} [${cell.label}] as ${cell.who}: expected ${cell.expected === 'allowed' ? 'not 401/403' : cell.expected}, got ${res.status} ${res.text.slice(0, 160)}`,
        );
      // The ids are real: a permitted read succeeds, so it did reach its handler (writes may answer 4xx to their bodies).
      else if (cell.expected === 'allowed' && cell.method === 'GET' && cell.key in EXPECTED && res.status >= 400)
        wrong.push(`${cell.key} [${cell.label}] as ${cell.who}: a permitted read answered ${res.status} ${res.text.slice(0, 160)}`);
    }
    process.stdout.write(
      `\nauthorization matrix: ${Object.keys(EXPECTED).length} api routes + ${Object.keys(EXTERNAL_ROUTES).length + MOUNTED.length} others, ${tally.requests} requests (${tally.allowed} permitted, ${tally.refused} refused)\n`,
    );
    expect(wrong).toEqual([]);
  });

  it('every queue dashboard route refuses everyone but admins (its guard covers the whole plugin)', async () => {
    const dashboard = routerRoutes.filter((r) => r.split(' ')[1].startsWith(QUEUE_DASHBOARD));
    expect(dashboard.length).toBeGreaterThan(10);
    const wrong: string[] = [];
    for (const route of dashboard) {
      const [method, path] = route.split(' ');
      const url = path.replace(/:[A-Za-z]+/g, 'x').replace(/\*$/, 'x');
      for (const who of ['anonymous', 'commander', 'auditor-FL'] as const) {
        let r = request(world.http)[method.toLowerCase() as 'get' | 'put' | 'post' | 'delete'](url);
        if (tokens[who]) r = r.set(...bearer(tokens[who]!));
        const res = await r;
        const expected = who === 'anonymous' ? 401 : 403;
        if (res.status !== expected) wrong.push(`${route} as ${who}: expected ${expected}, got ${res.status}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('nothing answers an unknown path, whatever the method', async () => {
    for (const method of ['get', 'post', 'delete'] as const) {
      const res = await request(world.http)
        [method](`/no-such-route-${randomUUID()}`)
        .set(...bearer(tokens.admin!));
      expect(res.status).toBe(404);
    }
  });
});
