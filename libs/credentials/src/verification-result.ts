/**
 * The verification engine's answer. Stable, documented codes: check-in, reverification, the audit trail and the
 * web app all read this shape, so change it only by adding.
 */
export const REASON_CODES = [
  'malformed',
  'unsupported_format',
  'signature_invalid',
  'alg_not_allowed',
  'key_not_found',
  'did_unresolvable',
  'untrusted_issuer',
  'issuer_not_authorized',
  'not_yet_valid',
  'expired',
  'revoked',
  'suspended',
  'status_unavailable',
  'status_list_invalid',
  'data_model_invalid',
  // A licence looked up at its primary source (docs/primary-source.md) that the source does not know.
  'licence_not_found',
] as const;
export type ReasonCode = (typeof REASON_CODES)[number];

/** What each check looked at. */
export const CHECK_IDS = ['format', 'signature', 'data_model', 'validity', 'status', 'issuer_trust'] as const;
export type CheckId = (typeof CHECK_IDS)[number];

export type CheckStatus = 'pass' | 'fail' | 'indeterminate' | 'skipped';

export interface VerificationCheck {
  id: CheckId;
  status: CheckStatus;
  /** `ok` when passed, `skipped` when not run, otherwise the reason code. */
  code: ReasonCode | 'ok' | 'skipped';
  /** Plain English, for check-in staff. */
  message: string;
}

export interface StatusEntrySummary {
  type: 'BitstringStatusListEntry' | 'StatusList2021Entry' | string;
  purpose: string;
  listUrl: string;
  index: number;
}

export interface CredentialSummary {
  /**
   * How the credential is secured (docs/verification.md, "Formats"): `vc+jwt` (VC-JOSE-COSE), `ob3-jwt` (Open
   * Badges 3.0 JWT: the payload is the credential), `jwt-vc` (VC-JWT 1.1: the credential in a `vc` claim), `ldp-vc`
   * (a JSON-LD credential with a Data Integrity proof, `ldp_vc` in OpenID4VCI) or `dc+sd-jwt` (SD-JWT VC, also as
   * `vc+sd-jwt`).
   */
  format: 'vc+jwt' | 'ob3-jwt' | 'jwt-vc' | 'ldp-vc' | 'dc+sd-jwt' | 'primary-source';
  id?: string;
  types: string[];
  /** SD-JWT VC: the credential type (`vct`), which the registry's `vct` rules map to a qualification. */
  vct?: string;
  issuer: {
    id: string;
    /** From the trust registry; shown instead of anything the credential claims. */
    registryName?: string;
    /** The name the credential claims for its issuer (never shown as authoritative). */
    claimedName?: string;
    /** From the trust registry: where the issuer licenses (a state board: its state); practice authority reads the home state here. */
    jurisdictions?: string[];
  };
  subject: { id?: string; name?: string; email?: string };
  /** Our qualification code (RN, MD, PARAMEDIC, EMT, ...) by the documented mapping rules. */
  qualification?: string;
  achievement?: { id?: string; name?: string; achievementType?: string };
  licenseNumber?: string;
  /** The licence is multistate (a compact privilege), as the credential states it: `multistate: true` or `licenseScope: "multistate"`. */
  multistate?: boolean;
  /** ISO instants (normalised to UTC). */
  validFrom?: string;
  validUntil?: string;
  status: StatusEntrySummary[];
}

export interface StatusEvidence {
  listUrl: string;
  purpose: string;
  index: number;
  /** The bit (or status value) read; absent when the list could not be read. */
  value?: number;
  fetchedAt?: string;
}

export interface VerificationEvidence {
  /**
   * sha256 (hex) of the credential exactly as verified (the compact JWS, for the JOSE formats); for a Data Integrity
   * credential, of its RFC 8785 canonical JSON (the whole credential, proofs included: the same credential hashes the
   * same however it was formatted).
   */
  credentialHash: string;
  /** The JWS `alg`; for a Data Integrity credential, the cryptosuite of its (first) proof, e.g. eddsa-rdfc-2022. */
  algorithm?: string;
  /** The verification method id used (e.g. did:web:...#key-1). */
  keyId?: string;
  /** RFC 7638 thumbprint of the public key used: reverification re-checks the signature only if the issuer's keys changed. */
  keyThumbprint?: string;
  status: StatusEvidence[];
  verifiedAt: string;
  /** A licence checked at its primary source instead of a signed credential: the lookup, as evidence. */
  primarySource?: PrimarySourceEvidence;
}

/** One lookup at a licensing authority (docs/primary-source.md): what was asked, when, what it answered. */
export interface PrimarySourceEvidence {
  /** The configured source's id and name. */
  source: string;
  sourceName: string;
  /** When the source answered (for a cached answer: when it first did). */
  lookedUpAt: string;
  /** Served from the cache within the source's stated freshness. */
  cached: boolean;
  /** Until when the answer counts as current (the source's stated freshness). */
  freshUntil: string;
  /** The request; the licence number only as its keyed hash. */
  request: { state: string; profession: string; licenceNumberHash: string };
  /** sha256 (hex) of the source's answer as received; null when none came. */
  responseHash: string | null;
  result: 'licensed' | 'not_licensed' | 'not_found' | 'indeterminate';
  /** The licence's status as the source states it, normalised (active, expired, suspended, revoked, probation). */
  licenceStatus?: string;
  /** Why the result is indeterminate (timeout, error, rate limit, unreadable answer). */
  detail?: string;
  /** Identity is not in a licence lookup: the check-in staff member's statement that two forms of ID were seen (absent for a re-lookup or notice). */
  identity?: { statement: string; confirmedBy: { userId: string; name: string }; at: string };
  /** The level of assurance, in words, beside a signed credential's. */
  assurance: string;
}

export interface VerificationResult {
  /** True only when every check passed. */
  verified: boolean;
  checks: VerificationCheck[];
  /** Indeterminate checks (e.g. status list unreachable): the caller's policy decides. */
  warnings: VerificationCheck[];
  /** Failed checks. */
  errors: VerificationCheck[];
  credential?: CredentialSummary;
  evidence: VerificationEvidence;
  /**
   * The credential this result is about, exactly as verified: the compact JWS for the JOSE formats (for a
   * presentation's enclosed credentials, the enclosed one), the canonical JSON of a Data Integrity credential.
   * Check-in stores it for reverification, which reads it again by its own format; never log it.
   */
  jws?: string;
  /** Presentations: one result per enclosed credential. */
  credentials?: VerificationResult[];
}

export interface VerifyOptions {
  /** e.g. US-FL: which trust-registry entries apply. Without it, issuer trust is checked jurisdiction-free. */
  jurisdiction?: string;
  /** Defaults to the engine's clock. */
  now?: Date;
  /**
   * Mutual aid (EMAC): further jurisdictions whose issuers are accepted too, e.g. an incident in US-FL working under
   * a signed request with Georgia and Alabama passes `['US-GA', 'US-AL']`. Only used together with `jurisdiction`.
   */
  mutualAidJurisdictions?: string[];
  /**
   * Run every check even when the issuer is not trusted here (the verify page's full report). Without it an issuer
   * the registry does not trust, or a registry that cannot be read, stops the verification before anything is
   * fetched. Never set it for check-in. The same limits apply either way.
   */
  fullReport?: boolean;
  /**
   * Holder binding expected by this verifier (VC-API `challenge` and `domain`): an SD-JWT VC must then carry a Key
   * Binding JWT with this `nonce` / `aud`. Without them Key Binding is checked when present but not required.
   */
  challenge?: string;
  domain?: string;
}

/**
 * Reverification of a credential that was verified before (its bytes don't change): the signature is re-checked
 * only when the issuer's current key set no longer holds the key with this RFC 7638 thumbprint (evidence.keyThumbprint
 * of the earlier result). Dates, status and trust are always re-checked.
 */
export interface RevalidateOptions extends VerifyOptions {
  knownKeyThumbprint?: string;
}
