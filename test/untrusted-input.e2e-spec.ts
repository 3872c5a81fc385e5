import { randomUUID } from 'node:crypto';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import * as zlib from 'node:zlib';
import { gzipSync } from 'node:zlib';
import { Client } from 'pg';
import request from 'supertest';
import type { App } from 'supertest/types';
import { encodeList, VERIFICATION_LIMITS } from '@app/credentials';
import { generateKey, signJws } from './support/credential-fixtures';
import { ADMIN, bearer, createTestEnv, signIn, startApi, type TestApi, type TestEnv } from './support/test-app';
import { createIncident, staffFor, type IncidentFixture } from './support/world';

/**
 * What a stranger's credential may cost the server, through POST /credentials/verify and check-in, against the real
 * PostgreSQL registry and Redis: nothing is fetched for an issuer the registry does not trust, the work a
 * presentation can cause stays within the documented limits (VERIFICATION_LIMITS), a gzip bomb neither passes nor
 * stalls the event loop, and what cannot be confirmed (an unreadable registry, a list that cannot be fetched but was
 * seen revoked) denies.
 */
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const MiB = 1024 * 1024;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** did:web boards and their status lists on one local server that counts every request it gets. */
class CountingIssuer {
  requests: string[] = [];
  readonly lists = new Map<string, string>();
  readonly down = new Set<string>();
  readonly key = generateKey('ES256');
  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(): Promise<CountingIssuer> {
    let issuer: CountingIssuer | undefined;
    const server = createServer((req, res) => issuer!.handle(req.url ?? '/', res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    issuer = new CountingIssuer(server, (server.address() as AddressInfo).port);
    return issuer;
  }

  get base(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  did(slug: string): string {
    return `did:web:127.0.0.1%3A${this.port}:${slug}`;
  }

  listRequests(): string[] {
    return this.requests.filter((r) => r.startsWith('/lists/'));
  }

  private handle(url: string, res: ServerResponse): void {
    this.requests.push(url);
    const slug = /^\/([a-z-]+)\/did\.json$/.exec(url)?.[1];
    if (slug) {
      const did = this.did(slug);
      const doc = {
        id: did,
        verificationMethod: [{ id: `${did}#key-1`, type: 'JsonWebKey', controller: did, publicKeyJwk: this.key.publicJwk }],
        assertionMethod: [`${did}#key-1`],
      };
      return void res.writeHead(200, { 'content-type': 'application/did+json' }).end(JSON.stringify(doc));
    }
    const list = this.lists.get(url);
    if (this.down.has(url)) return void res.writeHead(500).end();
    if (list) return void res.writeHead(200, { 'content-type': 'application/vc+jwt' }).end(list);
    res.writeHead(404).end();
  }

  /** Publishes a signed revocation list of `slug` at /lists/<name>; returns its URL. */
  async publish(slug: string, name: string, encodedList: string, ttlMs = 60_000): Promise<string> {
    const url = `${this.base}/lists/${name}`;
    const credential = {
      '@context': ['https://www.w3.org/ns/credentials/v2'],
      id: url,
      type: ['VerifiableCredential', 'BitstringStatusListCredential'],
      issuer: this.did(slug),
      validFrom: '2024-01-01T00:00:00Z',
      credentialSubject: { id: `${url}#list`, type: 'BitstringStatusList', statusPurpose: 'revocation', encodedList, ttl: ttlMs },
    };
    this.lists.set(`/lists/${name}`, await signJws(this.key.privateKey, { alg: 'ES256', typ: 'vc+jwt', kid: `${this.did(slug)}#key-1` }, credential));
    return url;
  }

  /** A Registered Nurse licence of `slug`, with one revocation entry (index 3) per list URL. */
  issue(slug: string, listUrls: string[] = [], name = 'Dana Rivera'): Promise<string> {
    const credential = {
      '@context': ['https://www.w3.org/ns/credentials/v2', 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json'],
      id: `urn:uuid:${randomUUID()}`,
      type: ['VerifiableCredential', 'OpenBadgeCredential'],
      issuer: { id: this.did(slug), type: ['Profile'], name: 'Whatever The Credential Claims' },
      validFrom: '2024-01-01T00:00:00Z',
      validUntil: '2099-01-01T00:00:00Z',
      credentialSubject: {
        id: `did:example:${randomUUID()}`,
        type: ['AchievementSubject'],
        name,
        achievement: {
          id: `${this.base}/${slug}/rn`,
          type: ['Achievement'],
          name: 'Registered Nurse',
          achievementType: 'License',
          criteria: { narrative: 'Licensed.' },
        },
      },
      ...(listUrls.length > 0
        ? {
            credentialStatus: listUrls.map((url) => ({
              id: `${url}#3`,
              type: 'BitstringStatusListEntry',
              statusPurpose: 'revocation',
              statusListIndex: '3',
              statusListCredential: url,
            })),
          }
        : {}),
    };
    return signJws(this.key.privateKey, { alg: 'ES256', typ: 'vc+jwt', kid: `${this.did(slug)}#key-1` }, credential);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** A presentation of these credentials by a holder with a did:jwk (resolved offline: no request of its own). */
async function present(credentials: string[]): Promise<string> {
  const holder = generateKey('ES256');
  const did = `did:jwk:${Buffer.from(JSON.stringify(holder.publicJwk)).toString('base64url')}`;
  const vp = {
    '@context': ['https://www.w3.org/ns/credentials/v2'],
    type: ['VerifiablePresentation'],
    holder: did,
    verifiableCredential: credentials.map((jws) => ({
      '@context': 'https://www.w3.org/ns/credentials/v2',
      type: 'EnvelopedVerifiableCredential',
      id: `data:application/vc+jwt,${jws}`,
    })),
  };
  return signJws(holder.privateKey, { alg: 'ES256', typ: 'vp+jwt', kid: `${did}#0` }, vp);
}

type Check = { id: string; status: string; code: string; message: string };
const check = (body: { checks: Check[] }, id: string): Check | undefined => body.checks.find((c) => c.id === id);

describe('untrusted input: no work for strangers, bounded work for everyone, fail closed', () => {
  let issuer: CountingIssuer;
  let env: TestEnv;
  let api: TestApi;
  let adminToken: string;
  let incident: IncidentFixture;
  let checkin: { id: string; token: string };

  const verify = (verifiableCredential: string, options: Record<string, unknown> = { jurisdiction: 'US-FL' }, http: App = api.http) =>
    request(http)
      .post('/credentials/verify')
      .set(...bearer(checkin.token))
      .send({ verifiableCredential, options });
  const scan = (credential: string, http: App = api.http) =>
    request(http)
      .post(`/incidents/${incident.id}/check-ins`)
      .set(...bearer(checkin.token))
      .set('Idempotency-Key', randomUUID())
      .send({ credential });

  beforeAll(async () => {
    issuer = await CountingIssuer.start();
    env = await createTestEnv('untrusted');
    api = await startApi(env.env);
    adminToken = await signIn(api.http, ADMIN.email, ADMIN.password);
    await request(api.http)
      .put('/trust/list')
      .set(...bearer(adminToken))
      .send({
        format: 'responder-checkin/trust-list',
        version: 1,
        qualifications: [{ code: 'RN', name: 'Registered Nurse', rules: [{ achievementTypes: ['License'], achievementName: 'Registered Nurse' }] }],
        issuers: [{ id: issuer.did('board'), name: 'Florida Board of Nursing', jurisdictions: ['US-FL'], qualifications: ['RN'] }],
      })
      .expect(200);
    incident = await createIncident(api.http, adminToken); // US-FL, status policy admit_with_warning
    checkin = await staffFor(api.http, adminToken, incident.id, 'checkin');
  });
  afterAll(async () => {
    await api?.close();
    await env?.drop();
    await issuer?.close();
  });
  beforeEach(() => {
    issuer.requests = [];
  });

  it("an untrusted issuer's credential causes no outbound request, at check-in and at /credentials/verify, unless a full report is asked for", async () => {
    const listUrl = await issuer.publish('stranger', 'stranger', encodeList(131072, []));
    const jws = await issuer.issue('stranger', [listUrl]);

    const scanned = await scan(jws).expect(201);
    expect(scanned.body.decision).toBe('denied');
    expect(scanned.body.reasons.map((r: { code: string }) => r.code)).toEqual(['untrusted_issuer']);
    const verified = await verify(jws).expect(400);
    expect(check(verified.body, 'issuer_trust')).toMatchObject({ status: 'fail', code: 'untrusted_issuer' });
    expect(check(verified.body, 'signature')).toMatchObject({ status: 'skipped', message: expect.stringContaining('nothing was fetched') });
    const plain = await request(api.http)
      .post('/credentials/verify?jurisdiction=US-FL')
      .set(...bearer(checkin.token))
      .set('content-type', 'text/plain')
      .send(jws)
      .expect(400);
    expect(check(plain.body, 'signature')?.status).toBe('skipped');
    expect(issuer.requests).toEqual([]);

    const full = await verify(jws, { jurisdiction: 'US-FL', fullReport: true }).expect(400);
    expect(check(full.body, 'signature')?.status).toBe('pass');
    expect(check(full.body, 'status')?.status).toBe('pass');
    expect(check(full.body, 'issuer_trust')).toMatchObject({ status: 'fail', code: 'untrusted_issuer' });
    expect(issuer.requests.sort()).toEqual(['/lists/stranger', '/stranger/did.json']);
    await verify(jws, { jurisdiction: 'US-FL', fullReport: 'yes' })
      .expect(400)
      .expect((res) => expect(res.body.code).toBe('validation_failed'));
  });

  it(`a presentation naming 80 status lists is refused within the limits, and memory stays bounded (< 24 MiB of array buffers)`, async () => {
    // Every list is a valid one of the trusted board, 2 MiB decoded (the largest one list may be).
    const bigList = encodeList(VERIFICATION_LIMITS.statusListBytes * 8, []);
    const urls = await Promise.all(Array.from({ length: 80 }, (_, i) => issuer.publish('board', `many-${i}`, bigList)));
    const eighty = await present(await Promise.all(Array.from({ length: 10 }, (_, c) => issuer.issue('board', urls.slice(c * 8, c * 8 + 8)))));
    // Within the per-presentation and per-credential limits, but naming 16 lists: the request limit applies.
    const sixteen = await present(await Promise.all(Array.from({ length: 4 }, (_, c) => issuer.issue('board', urls.slice(c * 4, c * 4 + 4)))));

    gc();
    const before = process.memoryUsage();
    const refused = await verify(eighty).expect(400);
    expect(check(refused.body, 'data_model')).toMatchObject({ status: 'fail', message: expect.stringContaining('at most 4 credentials') });
    expect(check(refused.body, 'status')).toMatchObject({ status: 'fail', code: 'data_model_invalid', message: expect.stringContaining('at most 4 are read') });
    expect(issuer.listRequests()).toEqual([]);

    const bounded = await verify(sixteen).expect(400);
    expect(check(bounded.body, 'status')).toMatchObject({ status: 'fail' });
    expect(issuer.listRequests().length).toBeLessThanOrEqual(VERIFICATION_LIMITS.statusListsPerRequest);
    const scanned = await scan(sixteen).expect(201);
    expect(scanned.body.decision).toBe('denied');
    gc();
    const after = process.memoryUsage();
    // What stays: at most the lists one request may decode (8 MiB), kept in the status-list cache.
    expect((after.arrayBuffers - before.arrayBuffers) / MiB).toBeLessThan(24);
  });

  it('gzip bomb status lists are refused with a clear reason, without holding up the event loop', async () => {
    const bomb = `u${gzipSync(Buffer.alloc(32 * MiB), { level: 9 }).toString('base64url')}`;
    const urls = await Promise.all(Array.from({ length: 16 }, (_, i) => issuer.publish('board', `bomb-${i}`, bomb)));
    const one = await issuer.issue('board', urls.slice(0, 3));
    const many = await present(await Promise.all(Array.from({ length: 4 }, (_, c) => issuer.issue('board', urls.slice(c * 4, c * 4 + 4)))));

    const synchronous = (['gunzipSync', 'inflateSync', 'unzipSync'] as const).map((name) => jest.spyOn(zlib, name));
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    const started = Date.now();
    const refused = await verify(one).expect(400);
    const alsoRefused = await verify(many).expect(400);
    delay.disable();
    for (const spy of synchronous) {
      expect(spy).not.toHaveBeenCalled();
      spy.mockRestore();
    }
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(check(refused.body, 'status')).toMatchObject({
      status: 'indeterminate',
      code: 'status_list_invalid',
      message: `encodedList decompresses to more than ${VERIFICATION_LIMITS.statusListBytes} bytes (the limit of one list).`,
    });
    expect(check(alsoRefused.body, 'status')?.status).toBe('fail'); // past the request's limits
    expect(issuer.listRequests().length).toBeLessThanOrEqual(3 + VERIFICATION_LIMITS.statusListsPerRequest);
    // Decompression runs on zlib's pool a chunk at a time (no synchronous call, above): no turn of the event loop
    // waits on it. The bound is loose because a loaded machine delays timers anyway; 32 MiB inflated in one turn
    // takes several times as long.
    expect(delay.max / 1e6).toBeLessThan(250);
  });

  it('denies a stale revoked list: the list was seen revoked, now answers 500 and its ttl ran out', async () => {
    const url = await issuer.publish('board', 'stale', encodeList(131072, [3]), 1000);
    const jws = await issuer.issue('board', [url], 'Rhea Voked');
    const first = await scan(jws).expect(201);
    expect(first.body).toMatchObject({ decision: 'denied', reasons: [{ code: 'revoked' }] });

    issuer.down.add('/lists/stale');
    await sleep(1500);
    const again = await scan(jws).expect(201);
    expect(again.body.decision).toBe('denied');
    expect(again.body.reasons).toEqual([
      {
        code: 'revoked',
        message: expect.stringMatching(
          /revoked this credential, as its status list read \d+ seconds? ago \(.+\) shows; a current copy cannot be had: .*HTTP 500/,
        ),
      },
    ]);
    expect(issuer.listRequests()).toContain('/lists/stale');
  });

  it('denies check-in while the trust registry cannot be read, and fetches nothing meanwhile', async () => {
    const jws = await issuer.issue('board');
    const db = new Client({ connectionString: env.dbUrl });
    await db.connect();
    // A process that has never read the registry, while it cannot be read.
    await db.query('ALTER TABLE trusted_issuer RENAME TO trusted_issuer_unreadable');
    let second: TestApi | undefined;
    try {
      second = await startApi(env.env);
      const res = await scan(jws, second.http).expect(201);
      expect(res.body.decision).toBe('denied');
      expect(res.body.reasons).toEqual([{ code: 'untrusted_issuer', message: expect.stringContaining('trust registry cannot be read') }]);
      const verified = await verify(jws, { jurisdiction: 'US-FL' }, second.http).expect(400);
      expect(check(verified.body, 'issuer_trust')).toMatchObject({ status: 'indeterminate', code: 'untrusted_issuer' });
      expect(issuer.requests).toEqual([]);
    } finally {
      await second?.close();
      await db.query('ALTER TABLE trusted_issuer_unreadable RENAME TO trusted_issuer');
      await db.end();
    }
    expect((await scan(jws).expect(201)).body.decision).toBe('admitted');
  });
});
