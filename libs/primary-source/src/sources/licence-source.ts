/**
 * The contract a licensing authority's adapter implements (docs/primary-source.md). An adapter knows one source's
 * wire protocol and nothing of check-in: it is given bounded HTTP (`SourceHttp`), and it answers in these terms.
 */

/** A lookup by licence: the number as printed on the card or read from its barcode, the issuing state, our profession code. */
export interface LicenceNumberQuery {
  kind: 'licence';
  licenceNumber: string;
  state: string;
  profession: string;
}

/** A lookup by person, where the number is not at hand. */
export interface PersonQuery {
  kind: 'person';
  firstName: string;
  lastName: string;
  /** YYYY-MM-DD */
  dateOfBirth: string;
  state: string;
  profession: string;
}

export type LicenceQuery = LicenceNumberQuery | PersonQuery;

export type LicenceStatus = 'active' | 'expired' | 'suspended' | 'revoked' | 'probation' | 'inactive';

/** A licence as the source states it, in our terms. */
export interface LicenceRecord {
  state: string;
  profession: string;
  licenceNumber: string;
  holderName: string;
  status: LicenceStatus;
  /** YYYY-MM-DD, when the source gives one. */
  expiresOn?: string;
  /** The licence carries a multistate (compact) privilege, when the source says so. */
  multistate?: boolean;
}

/**
 * What a lookup found. `found` and `not_found` are answers of the source; `indeterminate` is every case in which it
 * gave none that can be relied on (timeout, error, an answer too large or unreadable): never treated as licensed.
 */
export type LookupAnswer =
  | { kind: 'found'; record: LicenceRecord; responseHash: string }
  | { kind: 'not_found'; responseHash: string }
  | { kind: 'indeterminate'; detail: string; responseHash: string | null };

/** A status-change notice a source pushed, once its signature verified. */
export interface LicenceNotice {
  noticeId: string;
  state: string;
  profession: string;
  licenceNumber: string;
  status: LicenceStatus;
  expiresOn?: string;
  sentAt: string;
}

/** Why a pushed notice was refused. */
export type NoticeRefusal = { code: 'notice_signature_invalid' | 'notice_invalid'; message: string };

/** Bounded HTTP given to adapters: a timeout and a response size limit per call; a breach throws SourceFailure. */
export interface SourceHttp {
  request(method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; text: string; hash: string }>;
}

/** A call that gave no usable answer: its reason, and the hash of what arrived if anything did. */
export class SourceFailure extends Error {
  constructor(
    readonly detail: string,
    readonly responseHash: string | null = null,
  ) {
    super(detail);
  }
}

export interface LicenceSource {
  /** The configured id (PRIMARY_SOURCES) and name shown to staff. */
  readonly id: string;
  readonly name: string;
  /** How long an answer counts as current: the source's stated freshness. Answers are cached this long. */
  readonly freshnessSeconds: number;
  /** Whether the source pushes status changes (then subscribe() enrols a licence); otherwise it is looked up again on a schedule. */
  readonly pushesNotices: boolean;
  lookup(query: LicenceQuery): Promise<LookupAnswer>;
  /** Asks the source to notify `callbackUrl` of changes to this licence. False when it does not push. */
  subscribe(licence: LicenceNumberQuery, callbackUrl: string): Promise<boolean>;
  /** Verifies and reads a pushed notice exactly as received (raw body and headers). */
  readNotice(rawBody: string, headers: Record<string, string | undefined>, now: Date): LicenceNotice | NoticeRefusal;
}
