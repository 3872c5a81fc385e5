import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { OpenAPIObject, OperationObject, ReferenceObject, ResponseObject, SchemaObject } from '@nestjs/swagger';
import request from 'supertest';
import { ERROR_STATUS } from '@app/common';
import { openApiDocumentOffline } from '../apps/api/src/openapi-document';
import { signNotice, startLicenceBoard, type LicenceBoard } from '../apps/licence-board/src';
import { TestStation } from './support/offline-station';
import { ADMIN, asBytes, bearer, createTestEnv, createUser, startApi, type TestApi, type TestEnv } from './support/test-app';
import { createIncident, staffFor, startWorld, type World } from './support/world';

/**
 * The OpenAPI document (/docs-json) is what API clients are generated from: every route's success and error
 * responses must be described with a schema, or the generated client is untyped where it matters. These checks
 * walk every path and method of the document the real api serves.
 */
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;
const PROBLEM_JSON = 'application/problem+json';
const PROBLEM_REF = '#/components/schemas/ProblemDetails';

/** Error responses answered with the route's own body instead of problem details. */
const OWN_BODY_ERRORS: Record<string, string> = {
  'GET /health/ready 503': 'the readiness report names what is down',
};

type Schema = SchemaObject | ReferenceObject;
const isRef = (s: Schema): s is ReferenceObject => '$ref' in s;
const isSuccess = (status: string): boolean => /^2\d\d$/.test(status);
const schemaIn = (doc: OpenAPIObject, ref: string): SchemaObject | undefined =>
  doc.components?.schemas?.[ref.replace('#/components/schemas/', '')] as SchemaObject | undefined;

describe('OpenAPI: every response is described', () => {
  let env: TestEnv;
  let api: TestApi;
  let doc: OpenAPIObject;
  let operations: Array<{ label: string; path: string; op: OperationObject }>;

  beforeAll(async () => {
    env = await createTestEnv('openapi');
    api = await startApi(env.env);
    doc = (await request(api.http).get('/docs-json').expect(200)).body as OpenAPIObject;
    operations = Object.entries(doc.paths).flatMap(([path, item]) =>
      METHODS.flatMap((m) => (item[m] ? [{ label: `${m.toUpperCase()} ${path}`, path, op: item[m] }] : [])),
    );
  });
  afterAll(async () => {
    await api?.close();
    await env?.drop();
  });

  const schemaNamed = (ref: string): SchemaObject | undefined => schemaIn(doc, ref);

  it('is the document built offline for `npm run api:types` (no database)', async () => {
    expect(await openApiDocumentOffline()).toEqual(doc);
  });

  /** What leaves a typed client guessing: objects with no properties, arrays without items, dangling references. */
  function untyped(schema: Schema, where: string, seen = new Set<string>()): string[] {
    if (isRef(schema)) {
      const target = schemaNamed(schema.$ref);
      if (!target) return [`${where}: ${schema.$ref} does not exist`];
      if (seen.has(schema.$ref)) return [];
      seen.add(schema.$ref);
      return untyped(target, schema.$ref, seen);
    }
    const problems: string[] = [];
    const composed = [...(schema.oneOf ?? []), ...(schema.anyOf ?? []), ...(schema.allOf ?? [])];
    composed.forEach((s, i) => problems.push(...untyped(s, `${where}<${i}>`, seen)));
    if (schema.type === 'array') {
      if (!schema.items) problems.push(`${where}: an array without items`);
      else problems.push(...untyped(schema.items, `${where}[]`, seen));
    } else if (schema.type === 'object' || (schema.type === undefined && composed.length === 0 && schema.enum === undefined)) {
      const { properties, additionalProperties } = schema;
      if (!properties && additionalProperties === undefined && composed.length === 0) problems.push(`${where}: an object with no properties`);
      for (const [name, property] of Object.entries(properties ?? {})) problems.push(...untyped(property, `${where}.${name}`, seen));
      if (typeof additionalProperties === 'object') problems.push(...untyped(additionalProperties, `${where}.*`, seen));
    }
    return problems;
  }

  const responsesOf = (op: OperationObject): Array<[string, ResponseObject]> =>
    Object.entries(op.responses).map(([status, r]) => [status, r as ResponseObject]);

  it('every route has a success response; each has a typed schema, except 204 which has no content', () => {
    expect(operations.length).toBeGreaterThan(40);
    const problems: string[] = [];
    for (const { label, op } of operations) {
      const successes = responsesOf(op).filter(([status]) => isSuccess(status));
      if (successes.length === 0) problems.push(`${label}: no 2xx response`);
      for (const [status, response] of successes) {
        if (!response.description) problems.push(`${label} ${status}: no description`);
        const content = Object.entries(response.content ?? {});
        if (status === '204') {
          if (content.length > 0) problems.push(`${label} 204: content on No Content`);
          continue;
        }
        if (content.length === 0) problems.push(`${label} ${status}: no content`);
        for (const [type, media] of content) {
          if (!media.schema) problems.push(`${label} ${status} ${type}: no schema`);
          else problems.push(...untyped(media.schema, `${label} ${status} ${type}`));
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('every error response is problem details (application/problem+json, the ProblemDetails schema)', () => {
    const problems: string[] = [];
    for (const { label, op } of operations) {
      for (const [status, response] of responsesOf(op).filter(([s]) => !isSuccess(s))) {
        const where = `${label} ${status}`;
        if (!response.description) problems.push(`${where}: no description`);
        const content = response.content ?? {};
        if (OWN_BODY_ERRORS[where]) {
          if (Object.keys(content).length === 0) problems.push(`${where}: no content`);
        } else if ((content[PROBLEM_JSON]?.schema as ReferenceObject | undefined)?.$ref !== PROBLEM_REF) {
          problems.push(`${where}: not ${PROBLEM_JSON} with ${PROBLEM_REF}`);
        }
        for (const [type, media] of Object.entries(content)) {
          if (!media.schema) problems.push(`${where} ${type}: no schema`);
          else problems.push(...untyped(media.schema, `${where} ${type}`));
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('every route documents the errors its shape implies: 401 behind a token, 404 for path ids, 400 for a body, and a default', () => {
    const problems: string[] = [];
    for (const { label, path, op } of operations) {
      const statuses = Object.keys(op.responses);
      const expected = [
        ...((op.security ?? doc.security ?? []).length > 0 ? ['401'] : []),
        ...(path.includes('{') ? ['404'] : []),
        ...(op.requestBody ? ['400'] : []),
        'default',
      ];
      const missing = expected.filter((s) => !statuses.includes(s));
      if (missing.length > 0) problems.push(`${label}: no ${missing.join(', ')}`);
    }
    expect(problems).toEqual([]);
  });

  it('ProblemDetails names every reason code of the error code table', () => {
    const problem = schemaNamed(PROBLEM_REF);
    expect(problem?.required).toEqual(expect.arrayContaining(['type', 'title', 'status', 'detail', 'code']));
    const code = problem?.properties?.code as SchemaObject | undefined;
    const named = code?.allOf?.find(isRef); // an enum with a name of its own (ErrorCode) is referenced
    const codes = named ? schemaNamed(named.$ref)?.enum : code?.enum;
    expect([...(codes ?? [])].sort()).toEqual(Object.keys(ERROR_STATUS).sort());
  });

  it('no two documented classes share a name (a schema is named after its class: the second would be dropped)', () => {
    const root = join(__dirname, '..');
    const files = ['apps/api/src', 'libs'].flatMap((dir) =>
      (readdirSync(join(root, dir), { recursive: true }) as string[]).filter((f) => f.endsWith('.ts')).map((f) => join(root, dir, f)),
    );
    const names = files
      .map((file) => readFileSync(file, 'utf8'))
      .filter((text) => text.includes("from '@nestjs/swagger'"))
      .flatMap((text) => [...text.matchAll(/^export (?:abstract )?class (\w+)/gm)].map((m) => m[1]));
    expect(names.length).toBeGreaterThan(50);
    expect(names.filter((name, i) => names.indexOf(name) !== i)).toEqual([]);
  });
});

/**
 * What the routes send agrees with what the document says: every route is called for real (successes and a few
 * errors), and each answer must be a documented status whose schema the body fits, with no undocumented fields.
 */
describe('OpenAPI: every route answers as documented', () => {
  let world: World;
  let licenceBoard: LicenceBoard;
  let doc: OpenAPIObject;
  const problems: string[] = [];
  const called = new Set<string>();

  /** Why a value does not fit a schema ([] when it does). */
  function misfits(value: unknown, schema: Schema, where: string): string[] {
    if (isRef(schema)) return misfits(value, schemaIn(doc, schema.$ref) ?? {}, where);
    if (value === null) return schema.nullable ? [] : [`${where}: null`];
    const out: string[] = [];
    for (const s of schema.allOf ?? []) out.push(...misfits(value, s, where));
    const alternatives = schema.oneOf ?? schema.anyOf;
    if (alternatives) {
      const fitting = alternatives.filter((s) => misfits(value, s, where).length === 0).length;
      if (schema.oneOf ? fitting !== 1 : fitting === 0) out.push(`${where}: fits ${fitting} of ${alternatives.length} alternatives`);
    }
    if (schema.enum && !schema.enum.includes(value)) out.push(`${where}: ${JSON.stringify(value)} is not one of ${JSON.stringify(schema.enum)}`);
    const type = Array.isArray(value) ? 'array' : typeof value;
    switch (schema.type) {
      case 'string':
      case 'boolean':
        if (type !== schema.type) out.push(`${where}: ${type}, not ${schema.type}`);
        break;
      case 'number':
      case 'integer':
        if (type !== 'number' || (schema.type === 'integer' && !Number.isInteger(value))) out.push(`${where}: ${JSON.stringify(value)}, not ${schema.type}`);
        break;
      case 'array':
        if (!Array.isArray(value)) out.push(`${where}: ${type}, not an array`);
        else value.forEach((item, i) => out.push(...misfits(item, schema.items ?? {}, `${where}[${i}]`)));
        break;
    }
    if (schema.type === 'object' || schema.properties) {
      if (type !== 'object') return [...out, `${where}: ${type}, not an object`];
      const record = value as Record<string, unknown>;
      for (const key of schema.required ?? []) if (!(key in record)) out.push(`${where}.${key}: missing`);
      for (const [key, v] of Object.entries(record)) {
        const property = schema.properties?.[key];
        if (property) out.push(...misfits(v, property, `${where}.${key}`));
        else if (typeof schema.additionalProperties === 'object') out.push(...misfits(v, schema.additionalProperties, `${where}.${key}`));
        else if (schema.properties && schema.additionalProperties !== true) out.push(`${where}.${key}: not documented`);
      }
    }
    return out;
  }

  /**
   * Calls `METHOD /documented/{path}` with `params` filled in and checks the answer against the document. Returns it.
   * `expect` guards the scenario (a call that does not get the status the next steps need fails loudly).
   */
  async function call(
    route: string,
    {
      params = {},
      token,
      body,
      query,
      headers = {},
      expect: status,
    }: { params?: Record<string, string>; token?: string; body?: unknown; query?: Record<string, string>; headers?: Record<string, string>; expect: number },
  ): Promise<request.Response> {
    const [method, template] = route.split(' ');
    const path = template.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(params[name]));
    let req = request(world.http)[method.toLowerCase() as 'get'](path);
    if (token) req = req.set(...bearer(token));
    for (const [name, value] of Object.entries(headers)) req = req.set(name, value);
    if (query) req = req.query(query);
    // Binary answers (the PDF package) are collected as bytes, checked below against `format: binary`.
    if (template.endsWith('.pdf')) req = req.buffer(true).parse(asBytes);
    const res = await (body === undefined ? req : req.send(body as object));
    if (res.status !== status) throw new Error(`${route}: ${res.status}, expected ${status}: ${res.text.slice(0, 300)}`);
    called.add(route);
    const op = doc.paths[template]?.[method.toLowerCase() as 'get'];
    const response = (op?.responses[String(res.status)] ?? op?.responses.default) as ResponseObject | undefined;
    if (!response) {
      problems.push(`${route} ${res.status}: not documented`);
      return res;
    }
    if (res.status === 204) return res;
    const mediaType = String(res.headers['content-type'] ?? '').split(';')[0];
    const media = response.content?.[mediaType];
    if (!media?.schema) problems.push(`${route} ${res.status}: ${mediaType} not documented`);
    else if (!isRef(media.schema) && media.schema.format === 'binary') {
      if (!Buffer.isBuffer(res.body) || res.body.length === 0) problems.push(`${route} ${res.status}: no bytes for a binary answer`);
    } else problems.push(...misfits(/json/.test(mediaType) ? res.body : res.text, media.schema, `${route} ${res.status}`));
    return res;
  }

  beforeAll(async () => {
    // Deployment records on (their DID need not resolve here: the presented record is answered as not verified).
    licenceBoard = await startLicenceBoard({ noticeSecret: 'openapi-notice-secret-0', latencyMs: 1 });
    const sources = [
      {
        id: 'nursys',
        kind: 'nursys',
        name: 'Nurse licensure database',
        baseUrl: licenceBoard.url,
        states: ['FL'],
        professions: ['RN'],
        noticeSecret: 'openapi-notice-secret-0',
      },
    ];
    world = await startWorld('openapi-answers', { env: { RECORDS_ISSUER_DID: 'did:web:records.openapi.example', PRIMARY_SOURCES: JSON.stringify(sources) } });
    doc = (await request(world.http).get('/docs-json').expect(200)).body as OpenAPIObject;
  });
  afterAll(async () => {
    await world?.close();
    await licenceBoard?.close();
  });

  it('every documented route is called, and every answer fits the document', async () => {
    const admin = world.adminToken;
    const id = (res: request.Response, key = 'id'): string => (res.body as Record<string, string>)[key];

    await call('GET /health/live', { expect: 200 });
    await call('GET /health/ready', { expect: 200 });
    await call('POST /auth/token', { body: { email: ADMIN.email, password: ADMIN.password }, expect: 200 });
    await call('POST /auth/token', { body: { email: ADMIN.email, password: 'wrong-password-0' }, expect: 401 });
    await call('GET /auth/me', { token: admin, expect: 200 });
    await call('GET /.well-known/jwks.json', { expect: 200 });
    await call('GET /.well-known/audit-checkpoint-keys.json', { expect: 200 });
    await call('GET /.well-known/incident-pack-keys.json', { expect: 200 });

    const user = await call('POST /users', {
      token: admin,
      body: { email: 'auditor@openapi.example', password: 'auditor-password-1', displayName: 'Ann Auditor', role: 'auditor', jurisdictions: ['US-FL'] },
      expect: 201,
    });
    await call('POST /users', {
      token: admin,
      body: { email: 'auditor@openapi.example', password: 'auditor-password-1', displayName: 'Ann', role: 'auditor' },
      expect: 409,
    });
    await call('POST /users', { token: admin, body: { email: 'not an e-mail' }, expect: 400 });
    await call('GET /users', { expect: 401 });
    await call('GET /users', { token: admin, expect: 200 });
    await call('GET /users/{id}', { params: { id: id(user) }, token: admin, expect: 200 });
    await call('PATCH /users/{id}', { params: { id: id(user) }, token: admin, body: { displayName: 'Ann A. Auditor' }, expect: 200 });

    const incident = await createIncident(world.http, admin);
    const checkin = await staffFor(world.http, admin, incident.id, 'checkin');
    const spare = await createUser(world.http, admin, 'checkin');
    const auditor = await createUser(world.http, admin, 'auditor', { jurisdictions: ['US-FL'] });
    await call('GET /users', { token: checkin.token, expect: 403 });
    await call('POST /auth/password', { token: spare.token, body: { currentPassword: 'checkin-password-123', newPassword: 'short' }, expect: 400 });
    await call('POST /auth/password', { token: spare.token, body: { currentPassword: 'not-the-password', newPassword: 'a-new-password-456' }, expect: 403 });
    await call('POST /auth/password', {
      token: spare.token,
      body: { currentPassword: 'checkin-password-123', newPassword: 'a-new-password-456' },
      expect: 200,
    });
    await call('GET /incidents', { token: admin, expect: 200 });
    await call('GET /incidents/{incidentId}', { params: { incidentId: incident.id }, token: admin, expect: 200 });
    await call('GET /incidents/{incidentId}', { params: { incidentId: '00000000-0000-4000-8000-000000000000' }, token: admin, expect: 404 });
    await call('PATCH /incidents/{incidentId}', {
      params: { incidentId: incident.id },
      token: admin,
      body: { addLocations: [{ name: 'Base', kind: 'Base' }] },
      expect: 200,
    });
    await call('POST /incidents/{incidentId}/staff', { params: { incidentId: incident.id }, token: admin, body: { userId: spare.id }, expect: 204 });
    await call('GET /incidents/{incidentId}/staff', { params: { incidentId: incident.id }, token: admin, expect: 200 });
    await call('DELETE /incidents/{incidentId}/staff/{userId}', { params: { incidentId: incident.id, userId: spare.id }, token: admin, expect: 204 });

    const nurse = await world.issuer
      .board('fl-nursing')
      .issue({ format: 'vc+jwt', qualification: 'RN', subject: { name: 'Ana Diaz' }, licenseNumber: 'RN9876543' });
    const notAuthorized = await world.issuer.board('fl-nursing').issue({ format: 'vc+jwt', qualification: 'MD', subject: { name: 'Nurse Claiming MD' } });
    await call('POST /credentials/verify', {
      token: checkin.token,
      body: { verifiableCredential: nurse.jws, options: { jurisdiction: 'US-FL' } },
      expect: 200,
    });
    await call('POST /credentials/verify', {
      token: checkin.token,
      body: { verifiableCredential: notAuthorized.jws, options: { jurisdiction: 'US-FL' } },
      expect: 400,
    });
    await call('POST /credentials/verify', {
      token: checkin.token,
      body: { verifiableCredential: nurse.jws, options: { jurisdiction: 'Florida' } },
      expect: 400,
    });

    const scan = { params: { incidentId: incident.id }, token: checkin.token };
    const admitted = await call('POST /incidents/{incidentId}/check-ins', {
      ...scan,
      body: {
        credential: nurse.jws,
        positionId: incident.positions['Triage Nurse'],
        locationId: incident.locations['Staging Area 1'],
        ics211: { agency: 'Jackson Memorial' },
      },
      expect: 201,
    });
    await call('POST /incidents/{incidentId}/check-ins', { ...scan, body: { credential: notAuthorized.jws }, expect: 201 });
    await call('POST /incidents/{incidentId}/check-ins', {
      ...scan,
      body: { credential: nurse.jws, positionId: '00000000-0000-4000-8000-000000000000' },
      expect: 422,
    });
    await call('GET /incidents/{incidentId}/check-ins', { ...scan, expect: 200 });
    const deployment = { incidentId: incident.id, deploymentId: (admitted.body as { deployment: { id: string } }).deployment.id };

    await call('GET /incidents/{incidentId}/roster', { ...scan, expect: 200 });
    await call('GET /incidents/{incidentId}/deployments', { ...scan, expect: 200 });
    await call('GET /incidents/{incidentId}/deployments/{deploymentId}', { params: deployment, token: admin, expect: 200 });
    await call('POST /incidents/{incidentId}/deployments/{deploymentId}/status', {
      params: deployment,
      token: admin,
      body: { status: 'assigned', assignment: 'Division A' },
      expect: 200,
    });
    await call('POST /incidents/{incidentId}/deployments/{deploymentId}/status', {
      params: deployment,
      token: admin,
      body: { status: 'out_of_service', reason: 'rest' },
      expect: 200,
    });
    await call('PATCH /incidents/{incidentId}/accountability-settings', {
      params: { incidentId: incident.id },
      token: admin,
      body: { minRestHours: 8 },
      expect: 200,
    });
    await call('POST /incidents/{incidentId}/deployments/{deploymentId}/status', {
      params: deployment,
      token: admin,
      body: { status: 'assigned', assignment: 'Division A' },
      expect: 422,
    });
    await call('POST /incidents/{incidentId}/deployments/{deploymentId}/status', {
      params: deployment,
      token: admin,
      body: { status: 'assigned', assignment: 'Division A', overrideReason: 'needed on the pile' },
      expect: 200,
    });
    await call('PATCH /incidents/{incidentId}/deployments/{deploymentId}/ics211', {
      params: deployment,
      token: admin,
      body: { homeUnit: 'Miami-Dade' },
      expect: 200,
    });
    await call('GET /incidents/{incidentId}/deployments/{deploymentId}/history', { params: deployment, token: admin, expect: 200 });
    await call('GET /incidents/{incidentId}/ics211.csv', { params: { incidentId: incident.id }, token: admin, expect: 200 });

    // Offline stations: the pack, a device key, a synced scan, the device revoked.
    await call('GET /incidents/{incidentId}/pack', { ...scan, expect: 200 });
    const deviceKey = await TestStation.newKey();
    const registered = await call('POST /incidents/{incidentId}/devices', {
      ...scan,
      body: { label: 'Tablet 1', publicKey: deviceKey.publicKey },
      expect: 201,
    });
    await call('POST /incidents/{incidentId}/devices', { ...scan, body: { label: 'Tablet 1', publicKey: deviceKey.publicKey }, expect: 409 });
    await call('POST /incidents/{incidentId}/devices', {
      ...scan,
      body: { label: 'Bad key', publicKey: { kty: 'EC', crv: 'P-256', x: 'A'.repeat(43), y: 'B'.repeat(43) } },
      expect: 422,
    });
    const device = { incidentId: incident.id, deviceId: id(registered, 'id') };
    const station = await TestStation.attach(device.deviceId, incident.id, checkin.id, deviceKey.privateKey);
    await station.scan(nurse.jws, 'admitted');
    await call('POST /incidents/{incidentId}/devices/{deviceId}/sync', {
      params: device,
      token: checkin.token,
      body: { sentAt: new Date().toISOString(), entries: station.entries },
      expect: 200,
    });
    await call('POST /incidents/{incidentId}/devices/{deviceId}/sync', {
      params: device,
      token: checkin.token,
      body: { sentAt: new Date().toISOString(), entries: [station.entries[0], station.entries[0]] },
      expect: 422,
    });
    await call('GET /incidents/{incidentId}/devices', { params: { incidentId: incident.id }, token: admin, expect: 200 });
    await call('GET /incidents/{incidentId}/offline-scans', { params: { incidentId: incident.id }, token: auditor.token, expect: 200 });
    await call('POST /incidents/{incidentId}/devices/{deviceId}/revoke', { params: device, token: admin, expect: 200 });
    await call('POST /incidents/{incidentId}/devices/{deviceId}/sync', {
      params: device,
      token: checkin.token,
      body: { sentAt: new Date().toISOString(), entries: station.entries },
      expect: 403,
    });
    await call('POST /incidents/{incidentId}/close', { params: { incidentId: incident.id }, token: admin, expect: 409 });

    // Accountability: supervisors, settings and PAR timer, a PAR from start to completion with its refusals.
    const inc = { incidentId: incident.id };
    const supervisor = await createUser(world.http, admin, 'supervisor');
    await call('PUT /incidents/{incidentId}/supervisors/{userId}', {
      params: { ...inc, userId: supervisor.id },
      token: admin,
      body: { assignments: ['Division A'] },
      expect: 200,
    });
    await call('PUT /incidents/{incidentId}/supervisors/{userId}', {
      params: { ...inc, userId: spare.id },
      token: admin,
      body: { assignments: ['Division A'] },
      expect: 422,
    });
    await call('GET /incidents/{incidentId}/supervisors', { params: inc, token: admin, expect: 200 });
    await call('POST /incidents/{incidentId}/par-timer/snooze', { params: inc, token: admin, body: { minutes: 10, reason: 'hose lay' }, expect: 422 });
    await call('PATCH /incidents/{incidentId}/accountability-settings', {
      params: inc,
      token: admin,
      body: { parTimerMinutes: 20, minRestHours: 8 },
      expect: 200,
    });
    await call('PATCH /incidents/{incidentId}/accountability-settings', { params: inc, token: admin, body: { parTimerMinutes: 1 }, expect: 400 });
    await call('GET /incidents/{incidentId}/accountability-settings', { params: inc, token: admin, expect: 200 });
    await call('GET /incidents/{incidentId}/work-limits', { params: inc, token: admin, expect: 200 });
    await call('POST /incidents/{incidentId}/activity-log', {
      params: inc,
      token: admin,
      body: { subjectKind: 'unit', subject: 'Task Force 2', text: 'Sector B searched.' },
      expect: 201,
    });
    await call('POST /incidents/{incidentId}/activity-log', { params: inc, token: admin, body: { subjectKind: 'unit', text: 'Which unit?' }, expect: 400 });
    await call('GET /incidents/{incidentId}/activity-log', { params: inc, token: admin, expect: 200 });
    await call('GET /incidents/{incidentId}/ics214.csv', { params: inc, token: admin, expect: 200 });
    await call('GET /incidents/{incidentId}/ics214.html', { params: inc, token: admin, expect: 200 });
    // Walk-up volunteers (docs/walk-ups.md): intake, a clinical position refused, a badge, verified by a credential.
    const atIncident = { params: { incidentId: incident.id }, token: checkin.token };
    const intake = {
      name: 'Sam Rivera',
      contact: '+1 305 555 0142',
      claimedQualifications: ['RN'],
      idSeen: { type: 'Passport', statement: 'Photo matches.' },
      agency: 'Jackson Memorial',
    };
    const walkUp = await call('POST /incidents/{incidentId}/walk-ups', { ...atIncident, body: intake, expect: 201 });
    await call('POST /incidents/{incidentId}/walk-ups', { ...atIncident, body: { ...intake, positionId: incident.positions['Triage Nurse'] }, expect: 422 });
    await call('GET /incidents/{incidentId}/walk-ups', { ...atIncident, expect: 200 });
    const walkUpParams = { params: { incidentId: incident.id, walkUpId: id(walkUp) }, token: checkin.token };
    await call('POST /incidents/{incidentId}/walk-ups/{walkUpId}/position', { ...walkUpParams, body: { positionId: null }, expect: 200 });
    await call('POST /incidents/{incidentId}/walk-ups/{walkUpId}/badge', { ...walkUpParams, body: { validHours: 2 }, expect: 200 });
    await call('GET /incidents/{incidentId}/walk-up-badge-keys', { ...atIncident, expect: 200 });
    const walkUpLicence = await world.issuer.board('fl-nursing').issue({ format: 'vc+jwt', qualification: 'RN', subject: { name: 'Sam Rivera' } });
    await call('POST /incidents/{incidentId}/walk-ups/{walkUpId}/upgrade', { ...walkUpParams, body: { credential: walkUpLicence.jws }, expect: 200 });
    await call('POST /incidents/{incidentId}/walk-ups/{walkUpId}/upgrade', { ...walkUpParams, body: { credential: walkUpLicence.jws }, expect: 409 });
    await call('POST /incidents/{incidentId}/deployments/{deploymentId}/check-out', {
      params: { incidentId: incident.id, deploymentId: (walkUp.body as { deployment: { id: string } }).deployment.id },
      token: checkin.token,
      body: {},
      expect: 200,
    });

    await call('PATCH /incidents/{incidentId}/accountability-settings', {
      params: inc,
      token: admin,
      body: { demobRequired: true, demobSignoffs: ['supply'] },
      expect: 200,
    });
    await call('GET /incidents/{incidentId}/deployments/{deploymentId}/demob', { params: deployment, token: admin, expect: 200 });
    await call('POST /incidents/{incidentId}/deployments/{deploymentId}/demob/signoffs', {
      params: deployment,
      token: admin,
      body: { unit: 'finance' },
      expect: 422,
    });
    await call('POST /incidents/{incidentId}/deployments/{deploymentId}/demob/signoffs', {
      params: deployment,
      token: admin,
      body: { unit: 'supply' },
      expect: 200,
    });
    await call('PUT /incidents/{incidentId}/deployments/{deploymentId}/demob/travel', {
      params: deployment,
      token: admin,
      body: { method: 'POV' },
      expect: 400,
    });
    await call('PUT /incidents/{incidentId}/deployments/{deploymentId}/demob/travel', {
      params: deployment,
      token: admin,
      // Home a minute after: check-out to the ETA is travel time, and a journey of more than 72 hours is refused.
      body: { method: 'POV', etaHome: new Date(Date.now() + 60_000).toISOString() },
      expect: 200,
    });
    await call('GET /incidents/{incidentId}/deployments/{deploymentId}/ics221.csv', { params: deployment, token: admin, expect: 200 });
    await call('GET /incidents/{incidentId}/deployments/{deploymentId}/ics221.html', { params: deployment, token: admin, expect: 200 });
    await call('POST /incidents/{incidentId}/par-timer/snooze', {
      params: inc,
      token: admin,
      body: { minutes: 10, reason: 'hose lay in progress' },
      expect: 200,
    });
    await call('POST /incidents/{incidentId}/pars', { params: inc, token: admin, body: { reason: 'collapse', assignment: 'Division Z' }, expect: 422 });
    const par = await call('POST /incidents/{incidentId}/pars', { params: inc, token: admin, body: { reason: 'collapse' }, expect: 201 });
    await call('POST /incidents/{incidentId}/pars', { params: inc, token: admin, body: { reason: 'collapse' }, expect: 409 });
    await call('POST /incidents/{incidentId}/pars', { params: inc, token: admin, body: { reason: 'nope' }, expect: 400 });
    const parIds = { ...inc, parId: id(par) };
    await call('GET /incidents/{incidentId}/pars', { params: inc, token: admin, expect: 200 });
    await call('GET /incidents/{incidentId}/pars/{parId}', { params: parIds, token: admin, expect: 200 });
    await call('POST /incidents/{incidentId}/pars/{parId}/acknowledgements', {
      params: parIds,
      token: admin,
      body: { deploymentIds: ['00000000-0000-4000-8000-000000000000'] },
      expect: 422,
    });
    await call('POST /incidents/{incidentId}/pars/{parId}/missing', {
      params: parIds,
      token: admin,
      body: { deploymentId: deployment.deploymentId },
      expect: 200,
    });
    await call('POST /incidents/{incidentId}/pars/{parId}/missing', {
      params: parIds,
      token: admin,
      body: { deploymentId: deployment.deploymentId },
      expect: 409,
    });
    await call('POST /incidents/{incidentId}/pars/{parId}/complete', { params: parIds, token: admin, expect: 200 });
    await call('POST /incidents/{incidentId}/pars/{parId}/complete', { params: parIds, token: admin, expect: 409 });
    const stillMissing = await call('GET /incidents/{incidentId}/missing', { params: inc, token: admin, expect: 200 });
    expect((stillMissing.body as Array<{ deploymentId: string }>).map((m) => m.deploymentId)).toEqual([deployment.deploymentId]);
    const par2 = await call('POST /incidents/{incidentId}/pars', { params: inc, token: admin, body: { reason: 'timer' }, expect: 201 });
    const ack = { params: { ...inc, parId: id(par2) }, token: admin, body: { deploymentIds: [deployment.deploymentId] } };
    await call('POST /incidents/{incidentId}/pars/{parId}/scans', { params: ack.params, token: admin, body: { credential: 'not a badge' }, expect: 422 });
    await call('POST /incidents/{incidentId}/pars/{parId}/acknowledgements', { ...ack, expect: 200 });
    await call('POST /incidents/{incidentId}/pars/{parId}/acknowledgements', { ...ack, expect: 409 });
    await call('POST /incidents/{incidentId}/pars/{parId}/scans', { params: ack.params, token: admin, body: { credential: nurse.jws }, expect: 409 });
    await call('POST /incidents/{incidentId}/pars/{parId}/scans', { params: ack.params, token: admin, body: {}, expect: 400 });

    const run = await call('POST /incidents/{incidentId}/reverify', { params: { incidentId: incident.id }, token: admin, expect: 202 });
    await call('GET /jobs/{id}', { params: { id: id(run, 'jobId') }, token: admin, expect: 200 });
    await call('POST /reverification/sweeps', { token: admin, expect: 202 });
    await call('POST /jobs/dashboard-session', { token: admin, expect: 204 });
    await call('DELETE /jobs/dashboard-session', { token: admin, expect: 204 });

    await call('POST /incidents/{incidentId}/deployments/{deploymentId}/check-out', {
      params: deployment,
      token: admin,
      body: { note: 'end of shift' },
      expect: 200,
    });
    await call('POST /incidents/{incidentId}/deployments/{deploymentId}/check-out', { params: deployment, token: admin, body: {}, expect: 409 });

    const time = { params: { incidentId: incident.id } };
    const timekeeper = await staffFor(world.http, admin, incident.id, 'timekeeper');
    const today = new Date().toISOString().slice(0, 10);
    await call('PUT /incidents/{incidentId}/time/rules', {
      ...time,
      token: timekeeper.token,
      body: {
        agency: 'Jackson Memorial',
        dailyRegularMinutes: 480,
        weeklyRegularMinutes: 2400,
        weekStartsOn: 0,
        breaks: [{ kind: 'meal', afterMinutes: 360, minutes: 30, paid: false }],
        rates: [{ position: null, regularCentsPerHour: 5000, overtimeCentsPerHour: 7500 }],
        volunteerCentsPerHour: null,
      },
      expect: 200,
    });
    await call('PUT /incidents/{incidentId}/time/responders/{responderId}/employment', {
      params: { incidentId: incident.id, responderId: (admitted.body as { responder: { id: string } }).responder.id },
      token: timekeeper.token,
      body: { employment: 'budgeted' },
      expect: 200,
    });
    // An hour of today clear of the responder's travel home (from the check-out, about now, to a minute after).
    const nearNow = Math.abs(Date.now() - Date.parse(`${today}T08:30:00Z`)) < 45 * 60_000;
    const clearHour = nearNow ? { start: `${today}T10:00:00Z`, end: `${today}T11:00:00Z` } : { start: `${today}T08:00:00Z`, end: `${today}T09:00:00Z` };
    const correction = await call('POST /incidents/{incidentId}/time/corrections', {
      ...time,
      token: admin,
      body: {
        responderId: (admitted.body as { responder: { id: string } }).responder.id,
        agency: 'Jackson Memorial',
        date: today,
        onDuty: [clearHour],
        reason: 'Scanned out late',
      },
      expect: 201,
    });
    const correctionId = { incidentId: incident.id, correctionId: id(correction, 'id') };
    await call('POST /incidents/{incidentId}/time/corrections/{correctionId}/approve', { params: correctionId, token: admin, expect: 422 });
    await call('POST /incidents/{incidentId}/time/corrections/{correctionId}/approve', { params: correctionId, token: timekeeper.token, expect: 200 });
    await call('GET /incidents/{incidentId}/time/corrections', { ...time, token: auditor.token, expect: 200 });
    await call('POST /incidents/{incidentId}/time/approvals', {
      ...time,
      token: timekeeper.token,
      body: { agency: 'Jackson Memorial', date: today },
      expect: 201,
    });
    await call('POST /incidents/{incidentId}/time/approvals', {
      ...time,
      token: timekeeper.token,
      body: { agency: 'Jackson Memorial', date: today },
      expect: 409,
    });
    const withPeriod = await call('PATCH /incidents/{incidentId}', {
      ...time,
      token: admin,
      body: {
        addOperationalPeriods: [
          { label: 'Time OP', startsAt: `${today}T00:00:00Z`, endsAt: new Date(Date.parse(`${today}T00:00:00Z`) + 86_400_000).toISOString() },
        ],
      },
      expect: 200,
    });
    const timePeriod = (withPeriod.body as { operationalPeriods: Array<{ id: string; label: string }> }).operationalPeriods.find(
      (p) => p.label === 'Time OP',
    )!.id;
    for (const [periodId, status] of [
      ['00000000-0000-4000-8000-000000000000', 422],
      [timePeriod, 201],
      [timePeriod, 409],
    ] as const) {
      await call('POST /incidents/{incidentId}/time/period-approvals', {
        ...time,
        token: timekeeper.token,
        body: { agency: 'Jackson Memorial', periodId },
        expect: status,
      });
    }
    await call('GET /incidents/{incidentId}/time/labour-summary.csv', { ...time, token: auditor.token, query: { settled: 'true' }, expect: 200 });
    const agency = { agency: 'Jackson Memorial' };
    await call('PUT /incidents/{incidentId}/time/mission-reference', {
      ...time,
      token: timekeeper.token,
      body: { ...agency, reference: 'EMAC FL-2026-0142' },
      expect: 200,
    });
    await call('GET /incidents/{incidentId}/time/package', { ...time, token: auditor.token, query: agency, expect: 200 });
    await call('POST /incidents/{incidentId}/time/certifications', { ...time, token: timekeeper.token, body: agency, expect: 201 });
    await call('POST /incidents/{incidentId}/time/certifications', { ...time, token: timekeeper.token, body: agency, expect: 409 });
    await call('GET /incidents/{incidentId}/time/package.csv', { ...time, token: auditor.token, query: agency, expect: 200 });
    await call('GET /incidents/{incidentId}/time/donated-hours.csv', { ...time, token: auditor.token, query: agency, expect: 200 });
    await call('GET /incidents/{incidentId}/time/package.pdf', { ...time, token: auditor.token, query: agency, expect: 200 });

    const record = await call('GET /incidents/{incidentId}/deployments/{deploymentId}/record', { params: deployment, token: checkin.token, expect: 200 });
    await call('GET /.well-known/did.json', { expect: 200 });
    await call('GET /deployment-records/status/{list}', { params: { list: '1' }, expect: 200 });
    await call('GET /deployment-records/status/{list}', { params: { list: 'one' }, expect: 400 });
    await call('POST /deployment-records/presented', { token: checkin.token, body: { verifiableCredential: id(record, 'jwt') }, expect: 200 });
    await call('PUT /deployment-records/kinds', { token: admin, body: { incidentType: 'Hurricane', name: 'Disaster Deployment: Hurricane' }, expect: 200 });
    await call('POST /deployment-records/issuer-keys/rotate', { token: admin, body: {}, expect: 200 });
    await call('GET /admin/keys', { token: admin, expect: 200 });
    await call('POST /admin/keys/{purpose}/rotate', { params: { purpose: 'incident_pack' }, token: admin, body: {}, expect: 200 });
    await call('POST /admin/keys/{purpose}/rotate', { params: { purpose: 'audit_checkpoint' }, token: admin, body: { overlapSeconds: 60 }, expect: 400 });
    await call('POST /admin/keys/{purpose}/rotate', { params: { purpose: 'session_cookie' }, token: admin, body: {}, expect: 404 });
    await call('POST /deployment-records/{id}/revoke', { params: { id: id(record) }, token: admin, body: { reason: 'issued in error' }, expect: 200 });
    await call('POST /deployment-records/{id}/revoke', { params: { id: id(record) }, token: admin, body: { reason: 'issued in error' }, expect: 409 });
    await call('POST /incidents/{incidentId}/close', { params: { incidentId: incident.id }, token: admin, expect: 200 });
    await call('POST /incidents', {
      token: admin,
      body: { name: 'Hurricane Ida', number: 'LA-2026-0001', type: 'Hurricane', jurisdiction: 'US-LA' },
      expect: 201,
    });

    const responderId = (admitted.body as { responder: { id: string } }).responder.id;
    await call('GET /reports/incidents/{incidentId}/deployments', { params: { incidentId: incident.id }, token: auditor.token, expect: 200 });
    await call('GET /reports/incidents/{incidentId}/deployments', {
      params: { incidentId: incident.id },
      query: { format: 'csv' },
      token: auditor.token,
      expect: 200,
    });
    await call('GET /reports/responders/{responderId}', { params: { responderId }, token: auditor.token, expect: 200 });
    await call('GET /audit/entries', { query: { incidentId: incident.id, limit: '50' }, token: auditor.token, expect: 200 });
    await call('GET /audit/entries', { token: admin, expect: 200 });
    await call('GET /audit/verify', { query: { incidentId: incident.id }, token: auditor.token, expect: 200 });
    await call('GET /audit/export', { query: { incidentId: incident.id }, token: auditor.token, expect: 200 });
    await call('POST /audit/checkpoints', { token: admin, expect: 200 });

    const boardId = world.issuer.board('fl-nursing').did;
    await call('GET /trust/issuers', { token: admin, expect: 200 });
    await call('GET /trust/issuers/{id}', { params: { id: boardId }, token: auditor.token, expect: 200 });
    await call('PATCH /trust/issuers/{id}', { params: { id: boardId }, token: admin, body: { name: 'Florida Board of Nursing' }, expect: 200 });
    await call('GET /trust/qualifications', { token: checkin.token, expect: 200 });
    const list = await call('GET /trust/list', { token: admin, expect: 200 });
    await call('PUT /trust/list', { token: admin, body: list.body, expect: 200 });
    await call('PUT /trust/list', { token: admin, body: { format: 'something else' }, expect: 422 });
    const rules = await call('GET /practice-authority/rules', { token: auditor.token, expect: 200 });
    await call('PUT /practice-authority/rules', { token: admin, body: rules.body, expect: 200 });
    await call('PUT /practice-authority/rules', { token: admin, body: { ...rules.body, orders: [{ id: 'EO 1' }] }, expect: 422 });
    await call('GET /practice-authority/rules/versions', { token: auditor.token, expect: 200 });
    await call('GET /practice-authority/rules', { query: { version: '99' }, token: auditor.token, expect: 404 });
    await call('POST /trust/issuers', {
      token: admin,
      body: { id: 'did:web:boards.example.org:tx:nursing', name: 'Texas Board of Nursing', jurisdictions: ['US-TX'], qualifications: ['RN'] },
      expect: 201,
    });
    await call('POST /trust/issuers/{id}/retire', {
      params: { id: 'did:web:boards.example.org:tx:nursing' },
      token: admin,
      body: { reason: 'merged' },
      expect: 200,
    });

    const psIncident = await createIncident(world.http, admin);
    const psStaff = await staffFor(world.http, admin, psIncident.id, 'checkin');
    await call('GET /incidents/{incidentId}/primary-source-policy', { params: { incidentId: psIncident.id }, token: psStaff.token, expect: 200 });
    await call('PUT /incidents/{incidentId}/primary-source-policy', {
      params: { incidentId: psIncident.id },
      token: admin,
      body: { acceptPrimarySource: true, onIndeterminate: 'deny', signedCredentialPositions: [] },
      expect: 200,
    });
    const licence = { licenceNumber: 'RN9876543', state: 'FL', profession: 'RN' };
    await call('POST /incidents/{incidentId}/check-ins/licence', {
      params: { incidentId: psIncident.id },
      token: psStaff.token,
      body: { ...licence, twoFormsOfIdSeen: true },
      expect: 201,
    });
    await call('POST /incidents/{incidentId}/check-ins/licence', {
      params: { incidentId: psIncident.id },
      token: psStaff.token,
      body: { ...licence, twoFormsOfIdSeen: false },
      expect: 422,
    });
    const licenceWalkUp = await call('POST /incidents/{incidentId}/walk-ups', {
      params: { incidentId: psIncident.id },
      token: psStaff.token,
      body: { name: 'Lee Park', contact: '+1 305 555 0177', claimedQualifications: ['RN'], idSeen: { type: 'Passport', statement: 'Photo matches.' } },
      expect: 201,
    });
    const licenceCheck = { params: { incidentId: psIncident.id, walkUpId: id(licenceWalkUp) }, token: psStaff.token };
    await call('POST /incidents/{incidentId}/walk-ups/{walkUpId}/licence-check', {
      ...licenceCheck,
      body: { licenceNumber: 'RN0000000', state: 'FL', profession: 'RN', twoFormsOfIdSeen: true },
      expect: 422,
    });
    await call('POST /incidents/{incidentId}/walk-ups/{walkUpId}/licence-check', {
      ...licenceCheck,
      body: { licenceNumber: 'RN5550101', state: 'FL', profession: 'RN', twoFormsOfIdSeen: true },
      expect: 200,
    });
    const notice = JSON.stringify({
      NoticeId: 'openapi-1',
      JurisdictionAbbreviation: 'FL',
      LicenseType: 'RN',
      LicenseNumber: 'RN9876543',
      LicenseStatus: 'Suspended',
    });
    const json = { 'content-type': 'application/json' };
    await call('POST /primary-source/notices/{sourceId}', {
      params: { sourceId: 'nursys' },
      headers: { ...json, 'x-notice-signature': signNotice('openapi-notice-secret-0', notice) },
      body: notice,
      expect: 200,
    });
    await call('POST /primary-source/notices/{sourceId}', {
      params: { sourceId: 'nursys' },
      headers: { ...json, 'x-notice-signature': 't=1,v1=00' },
      body: notice,
      expect: 400,
    });
    await call('POST /primary-source/relookups', { token: admin, expect: 200 });

    const documented = Object.entries(doc.paths).flatMap(([path, item]) => METHODS.filter((m) => item[m]).map((m) => `${m.toUpperCase()} ${path}`));
    expect(documented.filter((route) => !called.has(route))).toEqual([]);
    expect(problems).toEqual([]);
  });
});
