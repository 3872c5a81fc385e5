import { createHash, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CompactSign } from 'jose';
import { encodeList, encodeTokenList, issueSdJwt, signCompactJwt, type SdJwtAlg, type SuiteName } from '@app/credentials';
import { signDataIntegrity } from './data-integrity-signer';

/**
 * A small, controllable credential issuer for the verification tests: licensing boards with did:web (path form)
 * documents and Bitstring Status Lists served by a local HTTP server, plus the faults the demo issuer cannot
 * produce on purpose (wrong algorithms, forged kids, tampered / short / expired / foreign / unreachable lists).
 */
export type FixtureAlg = 'ES256' | 'ES384' | 'EdDSA' | 'RS256' | 'ES512';
export type StatusPurpose = 'revocation' | 'suspension';
export type ListMode = 'ok' | 'down' | 'tampered' | 'short' | 'expired' | 'foreign' | 'unsigned';

interface KeyPair {
  privateKey: KeyObject;
  publicJwk: Record<string, unknown>;
}

export function generateKey(alg: FixtureAlg): KeyPair {
  const pair =
    alg === 'EdDSA'
      ? generateKeyPairSync('ed25519')
      : alg === 'RS256'
        ? generateKeyPairSync('rsa', { modulusLength: 2048 })
        : generateKeyPairSync('ec', { namedCurve: alg === 'ES256' ? 'P-256' : alg === 'ES384' ? 'P-384' : 'P-521' });
  return { privateKey: pair.privateKey, publicJwk: pair.publicKey.export({ format: 'jwk' }) as Record<string, unknown> };
}

export async function signJws(key: KeyObject, header: Record<string, unknown>, payload: unknown): Promise<string> {
  return new CompactSign(Buffer.from(JSON.stringify(payload))).setProtectedHeader(header as { alg: string }).sign(key);
}

export interface IssueOptions {
  qualificationName?: string;
  achievementType?: string;
  achievementId?: string;
  subjectName?: string;
  licenseNumber?: string;
  validFrom?: string;
  validUntil?: string;
  /** Status list index (both lists); omit for no status. */
  statusIndex?: number;
  statusPurposes?: StatusPurpose[];
  /** `ob3-jwt`: Open Badges 3.0 JWT (the payload is the credential, typ JWT); `jwt-vc`: VC-JWT 1.1 (a vc claim). */
  format?: 'vc+jwt' | 'ob3-jwt' | 'jwt-vc';
  header?: Record<string, unknown>;
  credential?: Record<string, unknown>;
  /** Sign with another key (forgery tests). */
  signWith?: KeyObject;
  alg?: string;
}

export interface StatusListControl {
  set: Set<number>;
  mode: ListMode;
  ttlMs?: number;
  /** Serve exactly this encodedList instead of one built from `set` (conformance vectors). */
  encodedList?: string;
  /** Requests served for this list (to observe caching). */
  hits: number;
  /** Serve the list as JSON-LD with a Data Integrity proof instead of a vc+jwt. */
  dataIntegrity?: boolean;
}

/** The SD-JWT VC type the fixtures' trust lists map to RN. */
export const RN_VCT = 'https://credentials.example.org/vct/registered-nurse';

export interface SdJwtIssueOptions {
  vct?: string;
  /** Claims added to (or replacing) the licence's. */
  claims?: Record<string, unknown>;
  /** The holder key bound in cnf.jwk. */
  holderJwk?: Record<string, unknown>;
  /** Index in the board's Token Status List; omit for no status. */
  statusIndex?: number;
  signWith?: KeyObject;
}

export class FixtureBoard {
  readonly did: string;
  readonly kid: string;
  /** Token Status List values by index (1 revoked, 2 suspended), served at tokenStatusListUrl(). */
  readonly tokenStatus = new Map<number, number>();
  /** Requests for this board's JWT VC Issuer Metadata and Token Status List (to observe that nothing was fetched). */
  sdJwtHits = 0;
  readonly lists: Record<StatusPurpose, StatusListControl> = {
    revocation: { set: new Set(), mode: 'ok', hits: 0 },
    suspension: { set: new Set(), mode: 'ok', hits: 0 },
  };
  /** Serve the DID document (false: 404, to make the DID unresolvable). */
  served = true;
  /** Requests for the DID document (to observe that nothing is fetched for an untrusted issuer). */
  didHits = 0;

  constructor(
    readonly server: FixtureIssuerServer,
    readonly slug: string,
    readonly alg: FixtureAlg,
    readonly key: KeyPair,
  ) {
    this.did = `did:web:127.0.0.1%3A${server.port}:boards:${slug}`;
    this.kid = `${this.did}#key-1`;
  }

  /** The board as an SD-JWT VC issuer (`iss`): a URL whose keys are in its JWT VC Issuer Metadata. */
  get sdJwtIssuer(): string {
    return `${this.server.url}/boards/${this.slug}`;
  }

  tokenStatusListUrl(): string {
    return `${this.server.url}/boards/${this.slug}/status/token`;
  }

  jwtVcIssuerMetadata(): Record<string, unknown> {
    return { issuer: this.sdJwtIssuer, jwks: { keys: [{ ...this.key.publicJwk, kid: 'sd-jwt-key-1', alg: this.alg }] } };
  }

  /** An SD-JWT VC licence (`dc+sd-jwt`) with every Disclosure: names and licence number selectively disclosable. */
  issueSdJwtVc(opts: SdJwtIssueOptions = {}): string {
    const now = Math.floor(Date.now() / 1000);
    return issueSdJwt({
      header: { alg: this.alg as SdJwtAlg, typ: 'dc+sd-jwt', kid: 'sd-jwt-key-1' },
      claims: {
        iss: this.sdJwtIssuer,
        iat: now,
        nbf: now - 3600,
        exp: now + 365 * 86400,
        vct: opts.vct ?? RN_VCT,
        ...(opts.holderJwk ? { cnf: { jwk: opts.holderJwk } } : {}),
        ...(opts.statusIndex === undefined ? {} : { status: { status_list: { idx: opts.statusIndex, uri: this.tokenStatusListUrl() } } }),
        given_name: 'Dana',
        family_name: 'Rivera',
        license_number: 'RN9912345',
        ...opts.claims,
      },
      disclose: ['given_name', 'family_name', 'license_number'],
      decoys: 3,
      key: opts.signWith ?? this.key.privateKey,
    });
  }

  statusListToken(): string {
    const now = Math.floor(Date.now() / 1000);
    return signCompactJwt(
      { alg: this.alg as SdJwtAlg, typ: 'statuslist+jwt', kid: 'sd-jwt-key-1' },
      {
        iss: this.sdJwtIssuer,
        sub: this.tokenStatusListUrl(),
        iat: now,
        exp: now + 3600,
        ttl: 1,
        status_list: { bits: 2, lst: encodeTokenList(65536, 2, this.tokenStatus) },
      },
      this.key.privateKey,
    );
  }

  statusListUrl(purpose: StatusPurpose): string {
    return `${this.server.url}/boards/${this.slug}/status/${purpose}`;
  }

  didDocument(): Record<string, unknown> {
    return {
      '@context': ['https://www.w3.org/ns/did/v1'],
      id: this.did,
      verificationMethod: [{ id: this.kid, type: 'JsonWebKey', controller: this.did, publicKeyJwk: { ...this.key.publicJwk, alg: this.alg } }],
      assertionMethod: [this.kid],
    };
  }

  credential(opts: IssueOptions = {}): Record<string, unknown> {
    const purposes = opts.statusPurposes ?? ['revocation', 'suspension'];
    return {
      '@context': ['https://www.w3.org/ns/credentials/v2', 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json'],
      id: `urn:uuid:${createHash('sha256')
        .update(`${this.slug}${Math.random()}`)
        .digest('hex')
        .slice(0, 32)
        .replace(/(.{8})(.{4})(.{4})(.{4})(.{12})/, '$1-$2-$3-$4-$5')}`,
      type: ['VerifiableCredential', 'OpenBadgeCredential'],
      issuer: { id: this.did, type: ['Profile'], name: 'Whatever The Credential Claims' },
      validFrom: opts.validFrom ?? '2024-01-01T00:00:00Z',
      validUntil: opts.validUntil ?? '2099-01-01T00:00:00Z',
      credentialSubject: {
        type: ['AchievementSubject'],
        name: opts.subjectName ?? 'Dana Rivera',
        licenseNumber: opts.licenseNumber ?? 'RN9912345',
        achievement: {
          id: opts.achievementId ?? `${this.server.url}/boards/${this.slug}/achievements/rn`,
          type: ['Achievement'],
          name: opts.qualificationName ?? 'Registered Nurse',
          achievementType: opts.achievementType ?? 'License',
          criteria: { narrative: 'Holds an active licence.' },
        },
      },
      ...(opts.statusIndex === undefined
        ? {}
        : {
            credentialStatus: purposes.map((purpose) => ({
              id: `${this.statusListUrl(purpose)}#${opts.statusIndex}`,
              type: 'BitstringStatusListEntry',
              statusPurpose: purpose,
              statusListIndex: String(opts.statusIndex),
              statusListCredential: this.statusListUrl(purpose),
            })),
          }),
      ...opts.credential,
    };
  }

  async issue(opts: IssueOptions = {}): Promise<string> {
    const credential = this.credential(opts);
    const key = opts.signWith ?? this.key.privateKey;
    const alg = opts.alg ?? this.alg;
    if (opts.format === 'ob3-jwt' || opts.format === 'jwt-vc') {
      const { validFrom, validUntil } = credential as { validFrom: string; validUntil: string };
      const claims = {
        iss: this.did,
        jti: credential.id,
        nbf: Math.floor(Date.parse(validFrom) / 1000),
        exp: Math.floor(Date.parse(validUntil) / 1000),
      };
      const payload = opts.format === 'ob3-jwt' ? { ...credential, ...claims } : { ...claims, vc: credential };
      return signJws(key, { alg, typ: 'JWT', kid: this.kid, ...opts.header }, payload);
    }
    return signJws(key, { alg, typ: 'vc+jwt', kid: this.kid, ...opts.header }, credential);
  }

  /** The Data Integrity suite this board's key signs with. */
  get suite(): SuiteName {
    return this.alg === 'EdDSA' ? 'eddsa-rdfc-2022' : 'ecdsa-rdfc-2019';
  }

  /** The credential secured with a Data Integrity proof by the board's key (`signWith`: another key, same method). */
  async issueDataIntegrity(opts: IssueOptions & { suite?: SuiteName; proof?: Record<string, unknown> } = {}): Promise<Record<string, unknown>> {
    return signDataIntegrity(this.credential(opts), {
      suite: opts.suite ?? this.suite,
      privateKey: opts.signWith ?? this.key.privateKey,
      verificationMethod: this.kid,
      proof: opts.proof,
    });
  }

  async statusListJws(purpose: StatusPurpose): Promise<string> {
    const control = this.lists[purpose];
    const foreign = control.mode === 'foreign' ? this.server.otherBoard(this) : this;
    const credential = this.statusListCredential(purpose, foreign);
    const jws = await signJws(foreign.key.privateKey, { alg: foreign.alg, typ: 'vc+jwt', kid: foreign.kid }, credential);
    if (control.mode !== 'tampered') return jws;
    // Flip a revocation bit after signing: the list says something its issuer never signed.
    const [h, , s] = jws.split('.');
    return `${h}.${Buffer.from(JSON.stringify(this.tamperedList(credential, purpose))).toString('base64url')}.${s}`;
  }

  /** The list as JSON-LD with the issuer's Data Integrity proof. */
  async statusListDataIntegrity(purpose: StatusPurpose): Promise<Record<string, unknown>> {
    const control = this.lists[purpose];
    const foreign = control.mode === 'foreign' ? this.server.otherBoard(this) : this;
    const credential = this.statusListCredential(purpose, foreign);
    const signed = await signDataIntegrity(credential, { suite: foreign.suite, privateKey: foreign.key.privateKey, verificationMethod: foreign.kid });
    return control.mode === 'tampered' ? { ...this.tamperedList(credential, purpose), proof: signed.proof } : signed;
  }

  private tamperedList(credential: Record<string, unknown>, purpose: StatusPurpose): Record<string, unknown> {
    const control = this.lists[purpose];
    const bits = control.mode === 'short' ? 1024 : 131072;
    return { ...credential, credentialSubject: { ...(credential.credentialSubject as object), encodedList: encodeList(bits, [...control.set, 0, 1, 2]) } };
  }

  private statusListCredential(purpose: StatusPurpose, foreign: FixtureBoard): Record<string, unknown> {
    const control = this.lists[purpose];
    const bits = control.mode === 'short' ? 1024 : 131072;
    return {
      '@context': ['https://www.w3.org/ns/credentials/v2'],
      id: this.statusListUrl(purpose),
      type: ['VerifiableCredential', 'BitstringStatusListCredential'],
      issuer: foreign.did,
      validFrom: '2024-01-01T00:00:00Z',
      ...(control.mode === 'expired' ? { validUntil: '2024-06-01T00:00:00Z' } : {}),
      credentialSubject: {
        id: `${this.statusListUrl(purpose)}#list`,
        type: 'BitstringStatusList',
        statusPurpose: purpose,
        encodedList: control.encodedList ?? encodeList(bits, control.set),
        ...(control.ttlMs !== undefined ? { ttl: control.ttlMs } : {}),
      },
    };
  }
}

export class FixtureIssuerServer {
  private readonly boards = new Map<string, FixtureBoard>();
  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  static async start(): Promise<FixtureIssuerServer> {
    let instance: FixtureIssuerServer | undefined;
    const server = createServer((req, res) => {
      instance!.handle(req, res).catch(() => res.writeHead(500).end());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    instance = new FixtureIssuerServer(server, (server.address() as AddressInfo).port);
    return instance;
  }

  board(slug: string, alg: FixtureAlg = 'ES256'): FixtureBoard {
    const board = new FixtureBoard(this, slug, alg, generateKey(alg));
    this.boards.set(slug, board);
    return board;
  }

  otherBoard(not: FixtureBoard): FixtureBoard {
    const other = [...this.boards.values()].find((b) => b !== not);
    if (!other) throw new Error('a foreign list needs a second board');
    return other;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const parts = (req.url ?? '/').split('?')[0].split('/').filter(Boolean);
    if (parts[0] === '.well-known' && parts[1] === 'jwt-vc-issuer' && parts[2] === 'boards' && parts.length === 4) {
      const issuer = this.boards.get(parts[3]);
      if (!issuer) return void res.writeHead(404).end();
      issuer.sdJwtHits++;
      return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(issuer.jwtVcIssuerMetadata()));
    }
    const board = parts[0] === 'boards' ? this.boards.get(parts[1]) : undefined;
    if (!board) return void res.writeHead(404).end();
    if (parts[2] === 'did.json' && parts.length === 3) {
      board.didHits++;
      if (!board.served) return void res.writeHead(404).end();
      return void res.writeHead(200, { 'content-type': 'application/did+json' }).end(JSON.stringify(board.didDocument()));
    }
    if (parts[2] === 'status' && parts[3] === 'token' && parts.length === 4) {
      board.sdJwtHits++;
      return void res.writeHead(200, { 'content-type': 'application/statuslist+jwt' }).end(board.statusListToken());
    }
    if (parts[2] === 'status' && (parts[3] === 'revocation' || parts[3] === 'suspension')) {
      const control = board.lists[parts[3]];
      control.hits++;
      if (control.mode === 'down') return void res.writeHead(503).end();
      if (control.mode === 'unsigned') {
        return void res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ type: ['VerifiableCredential', 'BitstringStatusListCredential'] }));
      }
      const [body, type] = control.dataIntegrity
        ? [JSON.stringify(await board.statusListDataIntegrity(parts[3])), 'application/vc']
        : [await board.statusListJws(parts[3]), 'application/vc+jwt'];
      // Over what the list says, not its signature (ECDSA signs differently each time).
      const said = control.dataIntegrity ? JSON.stringify({ ...(JSON.parse(body) as object), proof: undefined }) : body.split('.')[1];
      const etag = `"${createHash('sha256').update(said).digest('base64url').slice(0, 16)}"`;
      if (req.headers['if-none-match'] === etag && control.mode === 'ok') return void res.writeHead(304, { etag }).end();
      return void res.writeHead(200, { 'content-type': type, etag }).end(body);
    }
    res.writeHead(404).end();
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** A trust-list document (format responder-checkin/trust-list v1) trusting the given boards. */
export function trustListFor(
  entries: Array<{
    board: FixtureBoard;
    name: string;
    jurisdictions?: string[];
    qualifications?: string[];
    algorithms?: string[];
    retiredAt?: string;
    asSdJwtIssuer?: boolean;
  }>,
): Record<string, unknown> {
  return {
    format: 'responder-checkin/trust-list',
    version: 1,
    qualifications: [
      { code: 'RN', name: 'Registered Nurse', rules: [{ achievementTypes: ['License'], achievementName: 'Registered Nurse' }, { vct: RN_VCT }] },
      { code: 'MD', name: 'Physician', rules: [{ achievementTypes: ['License'], achievementName: 'Physician' }] },
      { code: 'PARAMEDIC', name: 'Paramedic', rules: [{ achievementTypes: ['License', 'Certification'], achievementName: 'Paramedic' }] },
    ],
    issuers: entries.map((e) => ({
      id: e.asSdJwtIssuer ? e.board.sdJwtIssuer : e.board.did,
      name: e.name,
      jurisdictions: e.jurisdictions ?? ['US-FL'],
      qualifications: e.qualifications ?? ['RN'],
      ...(e.algorithms ? { algorithms: e.algorithms } : {}),
      ...(e.retiredAt ? { retiredAt: e.retiredAt } : {}),
    })),
  };
}
