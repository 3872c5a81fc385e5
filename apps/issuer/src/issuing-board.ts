import { createHash, randomInt, randomUUID } from 'node:crypto';
import { MIN_STATUS_LIST_LENGTH, StatusBitstring, type StatusPurpose } from './bitstring-status-list';
import type { BoardKind, BoardSpec, SigningAlgorithm } from './board-catalog';
import { BoardKey } from './board-key';
import type { BoardStore, PersistedBoardState } from './board-store';
import {
  buildDataIntegrityCredential,
  buildStatusListCredential,
  buildVc1Credential,
  buildVc2Credential,
  ob3JwtPayload,
  vc1JwtPayload,
  vc2JwtPayload,
  isoSeconds,
  type CredentialContent,
} from './credential-factory';
import { addDataIntegrityProof, generateHolder, presentWithDataIntegrity } from './data-integrity-issue';
import { boardDid, didDocument, type BoardDidDocument } from './did-web';
import { IssuerError } from './issuer-error';
import { normaliseIssueRequest, type IssueRequest } from './issue-request';
import { describeQualification } from './qualifications';
import { DISCLOSABLE, flattenedSdJwt, SD_JWT_VC_TYP, sdJwtVcClaims, STATUS_LIST_TOKEN_TYP, tokenStatusList, withDisclosures } from './sd-jwt-vc';

export interface IssuedCredential {
  /**
   * What the holder presents (and a badge's QR code holds): the compact JWS (`vc+jwt`, `ob3-jwt`, `jwt-vc`), for
   * `dc+sd-jwt` the SD-JWT with every Disclosure (`<jws>~<d>~…~`), for `ldp-vc` the signed credential as JSON text,
   * for `ldp-vp` the signed presentation as JSON text.
   */
  jws: string;
  credentialId: string;
  /** Index in both of the board's status lists; -1 when issued without status. */
  statusIndex: number;
  /** The unsecured credential (for `jwt-vc`, the content of the `vc` claim; for `dc+sd-jwt`, every claim; for `ldp-vc`, without its proof). */
  credential: Record<string, unknown>;
}

export interface SignedStatusList {
  jws: string;
  /** Strong validator of exactly this JWS. */
  etag: string;
}

export interface Board {
  readonly slug: string;
  readonly did: string;
  readonly name: string;
  readonly jurisdiction: string;
  readonly kind: BoardKind;
  readonly alg: SigningAlgorithm;
  /** `http://<host>:<port>/boards/<slug>`: base of did.json, status lists and achievement ids. */
  readonly url: string;
  /** Verification method id of the current key (`<did>#key-N`), the `kid` of everything signed now. */
  readonly keyId: string;
  /** The same key as a Multikey (`<did>#multikey-N`): the `verificationMethod` of Data Integrity proofs. */
  readonly multikeyId: string;
  issue(req: IssueRequest): Promise<IssuedCredential>;
  revoke(statusIndex: number): void;
  suspend(statusIndex: number): void;
  /** Lifts a suspension. A revocation is final. */
  reinstate(statusIndex: number): void;
  /** New key; the old one disappears from the DID document, so what it signed no longer verifies. */
  rotateKey(): Promise<void>;
  statusOf(statusIndex: number): { revoked: boolean; suspended: boolean };
  statusListUrl(purpose: StatusPurpose): string;
  /** The Token Status List of the board's SD-JWT VCs (one 2-bit entry per status index: both lists in one). */
  tokenStatusListUrl(): string;
  didDocument(): BoardDidDocument;
  signedStatusList(purpose: StatusPurpose): Promise<SignedStatusList>;
  signedTokenStatusList(): Promise<SignedStatusList>;
}

/** One licensing board or certifier: its key, its two status lists, and the credentials it signs. */
export class IssuingBoard implements Board {
  readonly slug: string;
  readonly name: string;
  readonly jurisdiction: string;
  readonly kind: BoardKind;
  readonly alg: SigningAlgorithm;
  readonly did: string;
  readonly url: string;

  private readonly allocated: Set<number>;
  private readonly lists: Record<StatusPurpose, StatusBitstring>;
  /** Bumped on every bit change, so a cached signed list is known stale without comparing bits. */
  private readonly listVersions: Record<StatusPurpose, number> = { revocation: 0, suspension: 0 };
  private readonly signedLists = new Map<StatusPurpose | 'token', { version: number; keyNumber: number; signed: Promise<SignedStatusList> }>();

  private constructor(
    spec: BoardSpec,
    origin: URL,
    private key: BoardKey,
    state: Pick<PersistedBoardState, 'allocated' | 'revoked' | 'suspended'>,
    private readonly store: BoardStore,
    private readonly statusListTtlMs: number,
  ) {
    this.slug = spec.slug;
    this.name = spec.name;
    this.jurisdiction = spec.jurisdiction;
    this.kind = spec.kind;
    this.alg = spec.alg;
    this.did = boardDid(origin, spec.slug);
    this.url = new URL(`/boards/${spec.slug}`, origin).toString();
    this.allocated = new Set(state.allocated);
    this.lists = { revocation: new StatusBitstring(), suspension: new StatusBitstring() };
    for (const i of state.revoked) this.lists.revocation.set(i, true);
    for (const i of state.suspended) this.lists.suspension.set(i, true);
  }

  /** Loads the board's key and lists from the store, or makes a new key (also when the algorithm changed). */
  static async open(spec: BoardSpec, origin: URL, store: BoardStore, statusListTtlMs: number): Promise<IssuingBoard> {
    const saved = store.load(spec.slug);
    const empty = { allocated: [], revoked: [], suspended: [] };
    let key: BoardKey;
    if (!saved) key = await BoardKey.generate(spec.alg, 1);
    else if (saved.key.alg !== spec.alg) key = await BoardKey.generate(spec.alg, saved.key.number + 1);
    else key = await BoardKey.fromStored(saved.key);
    const board = new IssuingBoard(spec, origin, key, saved ?? empty, store, statusListTtlMs);
    if (!saved || saved.key.number !== key.number) board.persist();
    return board;
  }

  get keyId(): string {
    return `${this.did}#${this.key.fragment}`;
  }

  get multikeyId(): string {
    return `${this.did}#${this.key.multikeyFragment}`;
  }

  statusListUrl(purpose: StatusPurpose): string {
    return `${this.url}/status/${purpose}`;
  }

  tokenStatusListUrl(): string {
    return `${this.url}/status/token`;
  }

  achievementUrl(code: string): string {
    return `${this.url}/achievements/${code.toLowerCase()}`;
  }

  didDocument(): BoardDidDocument {
    return didDocument(this.did, [this.key]);
  }

  async issue(req: IssueRequest): Promise<IssuedCredential> {
    const request = normaliseIssueRequest(req);
    const achievement = describeQualification(request.qualification, this.kind);
    const now = new Date();
    const validFrom = request.validFrom ?? now;
    const validUntil = request.validUntil ?? twoYearsAfter(validFrom);
    if (validUntil.getTime() <= validFrom.getTime()) {
      throw new IssuerError('invalid_request', 'validUntil must be after validFrom', [{ field: 'validUntil', message: 'must be after validFrom' }]);
    }
    const statusIndex = request.withStatus ? this.allocateStatusIndex() : -1;
    // A presentation's holder is the credential's subject, unless the request names another subject.
    const holder = request.format === 'ldp-vp' ? generateHolder() : undefined;
    const content: CredentialContent = {
      credentialId: `urn:uuid:${randomUUID()}`,
      issuer: { did: this.did, name: this.name, url: this.url, jurisdiction: this.jurisdiction, kind: this.kind },
      achievement,
      achievementId: this.achievementUrl(achievement.code),
      subject: { ...request.subject, id: request.subject.id ?? holder?.did ?? `urn:uuid:${randomUUID()}` },
      licenseNumber: request.licenseNumber ?? generateLicenseNumber(achievement.numberPrefix),
      multistate: request.multistate,
      validFrom,
      validUntil,
      status: statusIndex >= 0 ? { index: statusIndex, listUrl: (p) => this.statusListUrl(p) } : undefined,
    };
    switch (request.format) {
      case 'dc+sd-jwt': {
        const claims = sdJwtVcClaims(content, now, this.tokenStatusListUrl());
        const { payload, disclosures } = withDisclosures(claims, DISCLOSABLE);
        const jwt = await this.key.sign(payload, SD_JWT_VC_TYP, this.keyId);
        return { jws: `${jwt}~${disclosures.map((d) => `${d}~`).join('')}`, credentialId: content.credentialId, statusIndex, credential: claims };
      }
      case 'dc+sd-jwt-json': {
        const claims = sdJwtVcClaims(content, now, this.tokenStatusListUrl());
        const { payload, disclosures } = withDisclosures(claims, DISCLOSABLE);
        const jwt = await this.key.sign(payload, SD_JWT_VC_TYP, this.keyId);
        return { jws: JSON.stringify(flattenedSdJwt(jwt, disclosures)), credentialId: content.credentialId, statusIndex, credential: claims };
      }
      case 'vc+jwt': {
        const credential = buildVc2Credential(content);
        return {
          jws: await this.key.sign(vc2JwtPayload(credential, this.did, now), 'vc+jwt', this.keyId),
          credentialId: content.credentialId,
          statusIndex,
          credential,
        };
      }
      case 'ob3-jwt': {
        const credential = buildVc2Credential(content);
        return {
          jws: await this.key.sign(ob3JwtPayload(credential, content, now), 'JWT', this.keyId),
          credentialId: content.credentialId,
          statusIndex,
          credential,
        };
      }
      case 'ldp-vc':
      case 'ldp-vp': {
        const credential = buildDataIntegrityCredential(content);
        const key = this.key;
        const signed = await addDataIntegrityProof(
          credential,
          { cryptosuite: key.cryptosuite, digest: key.digest, verificationMethod: this.multikeyId, signBytes: (data) => key.signBytes(data) },
          isoSeconds(now),
        );
        const presented = holder ? await presentWithDataIntegrity([signed], holder, isoSeconds(now)) : signed;
        return { jws: JSON.stringify(presented), credentialId: content.credentialId, statusIndex, credential };
      }
      case 'jwt-vc': {
        const credential = buildVc1Credential(content);
        return {
          jws: await this.key.sign(vc1JwtPayload(credential, content, now), 'JWT', this.keyId),
          credentialId: content.credentialId,
          statusIndex,
          credential,
        };
      }
    }
  }

  revoke(statusIndex: number): void {
    this.setBit('revocation', statusIndex, true);
  }

  suspend(statusIndex: number): void {
    this.setBit('suspension', statusIndex, true);
  }

  reinstate(statusIndex: number): void {
    this.setBit('suspension', statusIndex, false);
  }

  statusOf(statusIndex: number): { revoked: boolean; suspended: boolean } {
    this.assertAllocated(statusIndex);
    return { revoked: this.lists.revocation.get(statusIndex), suspended: this.lists.suspension.get(statusIndex) };
  }

  async rotateKey(): Promise<void> {
    this.key = await BoardKey.generate(this.alg, this.key.number + 1);
    this.persist();
  }

  /** The list as a signed `vc+jwt`; re-signed only after a bit changed or the key rotated. */
  signedStatusList(purpose: StatusPurpose): Promise<SignedStatusList> {
    const version = this.listVersions[purpose];
    const cached = this.signedLists.get(purpose);
    if (cached && cached.version === version && cached.keyNumber === this.key.number) return cached.signed;
    const key = this.key;
    const credential = buildStatusListCredential({
      listUrl: this.statusListUrl(purpose),
      issuerDid: this.did,
      purpose,
      encodedList: this.lists[purpose].encode(),
      ttlMs: this.statusListTtlMs,
      validFrom: new Date(),
    });
    const signed = key
      .sign(vc2JwtPayload(credential, this.did, new Date()), 'vc+jwt', `${this.did}#${key.fragment}`)
      .then((jws) => ({ jws, etag: `"${createHash('sha256').update(jws).digest('base64url').slice(0, 27)}"` }));
    this.signedLists.set(purpose, { version, keyNumber: key.number, signed });
    // A failed signature must not stay cached.
    signed.catch(() => this.signedLists.delete(purpose));
    return signed;
  }

  /** Both lists as one IETF Token Status List (statuslist+jwt): 1 revoked, 2 suspended; re-signed only after a change. */
  signedTokenStatusList(): Promise<SignedStatusList> {
    const version = this.listVersions.revocation * 1_000_003 + this.listVersions.suspension;
    const cached = this.signedLists.get('token');
    if (cached && cached.version === version && cached.keyNumber === this.key.number) return cached.signed;
    const key = this.key;
    const now = Math.floor(Date.now() / 1000);
    const lst = tokenStatusList(MIN_STATUS_LIST_LENGTH, (i) => (this.lists.revocation.get(i) ? 1 : this.lists.suspension.get(i) ? 2 : 0));
    const payload = {
      iss: this.did,
      sub: this.tokenStatusListUrl(),
      iat: now,
      ttl: Math.max(1, Math.floor(this.statusListTtlMs / 1000)),
      status_list: { bits: 2, lst },
    };
    const signed = key
      .sign(payload, STATUS_LIST_TOKEN_TYP, `${this.did}#${key.fragment}`)
      .then((jws) => ({ jws, etag: `"${createHash('sha256').update(jws).digest('base64url').slice(0, 27)}"` }));
    this.signedLists.set('token', { version, keyNumber: key.number, signed });
    signed.catch(() => this.signedLists.delete('token'));
    return signed;
  }

  private setBit(purpose: StatusPurpose, statusIndex: number, value: boolean): void {
    this.assertAllocated(statusIndex);
    if (this.lists[purpose].get(statusIndex) === value) return;
    this.lists[purpose].set(statusIndex, value);
    this.listVersions[purpose] += 1;
    this.persist();
  }

  private assertAllocated(statusIndex: number): void {
    if (!Number.isInteger(statusIndex) || !this.allocated.has(statusIndex)) {
      throw new IssuerError('unknown_status_index', `${this.slug} has issued no credential with status index ${statusIndex}`);
    }
  }

  /** Random, never reused: neighbouring indices say nothing about issue order or about each other. */
  private allocateStatusIndex(): number {
    if (this.allocated.size >= MIN_STATUS_LIST_LENGTH) {
      throw new IssuerError('status_list_full', `${this.slug} has used all ${MIN_STATUS_LIST_LENGTH} status indices`);
    }
    let index = randomInt(MIN_STATUS_LIST_LENGTH);
    for (let attempt = 0; this.allocated.has(index) && attempt < 64; attempt++) index = randomInt(MIN_STATUS_LIST_LENGTH);
    // A nearly full list: walk from the random point to the next free index.
    while (this.allocated.has(index)) index = (index + 1) % MIN_STATUS_LIST_LENGTH;
    this.allocated.add(index);
    this.persist();
    return index;
  }

  private persist(): void {
    this.store.save({
      format: 1,
      slug: this.slug,
      key: this.key.toStored(),
      allocated: [...this.allocated],
      revoked: this.lists.revocation.setIndices(),
      suspended: this.lists.suspension.setIndices(),
    });
  }
}

/** Licences typically run for a two-year renewal cycle. */
function twoYearsAfter(date: Date): Date {
  const until = new Date(date.getTime());
  until.setUTCFullYear(until.getUTCFullYear() + 2);
  return until;
}

function generateLicenseNumber(prefix: string): string {
  return `${prefix}${String(randomInt(1_000_000, 10_000_000))}`;
}
