/**
 * The incident pack: what an offline station verifies badges with (docs/offline.md). Plain data, no framework: the
 * station (apps/web/src/offline) reads the same shape.
 */
export const PACK_FORMAT = 'responder-checkin/incident-pack/1';
/** The JWS `typ` of a pack signature: a signature over anything else (a token, a checkpoint) is not a pack. */
export const PACK_TYP = 'incident-pack+jws';

export interface PackIssuer {
  id: string;
  name: string;
  jurisdictions: string[];
  qualifications: string[];
  algorithms: string[];
  validFrom?: string;
  validUntil?: string;
}

export interface PackQualificationRule {
  qualification: string;
  achievementId?: string;
  vct?: string;
  achievementTypes?: string[];
  achievementName?: string;
  credentialType?: string;
}

export interface PackIssuerKeys {
  issuer: string;
  method: string;
  fetchedAt: string;
  keys: Array<{ id: string; jwk: Record<string, string>; algorithms: string[] }>;
}

/** A status list as fetched and verified by the server, its bits still gzip-compressed (base64url). */
export interface PackStatusList {
  url: string;
  issuer: string;
  purposes: string[];
  bitLength: number;
  tokenBits?: number;
  gzip: string;
  fetchedAt: string;
  validUntil?: string;
}

/** Who is on scene, with the minimum a station needs to say "already checked in here". */
export interface PackRosterEntry {
  deploymentId: string;
  responderId: string;
  name: string;
  qualifications: string[];
  checkedInAt: string;
}

export interface IncidentPack {
  format: typeof PACK_FORMAT;
  packedAt: string;
  incident: {
    id: string;
    name: string;
    number: string;
    state: 'active' | 'closed';
    jurisdiction: string;
    mutualAidJurisdictions: string[];
    timeZone: string;
    locations: Array<{ id: string; name: string; kind: string }>;
    positions: Array<{ id: string; name: string; requiredQualifications: string[] }>;
  };
  policy: {
    /** Applies offline too: to a status that cannot be read, and to a status list older than the limit below. */
    statusUnavailable: 'admit_with_warning' | 'deny';
    /** The incident's offline limit (offlineStatusMaxAgeHours) in seconds: an older status list is "status unavailable". */
    offlineStatusMaxAgeSeconds: number;
    clockSkewSeconds: number;
  };
  trust: { issuers: PackIssuer[]; qualificationRules: PackQualificationRule[] };
  keys: PackIssuerKeys[];
  statusLists: PackStatusList[];
  roster: PackRosterEntry[];
}

/** What GET /incidents/{id}/pack answers: the pack as JSON text and a detached EdDSA signature over exactly that text. */
export interface SignedIncidentPack {
  /** The pack (IncidentPack) as JSON text: parse it only after the signature verified. */
  payload: string;
  /** JWS protected header (base64url): alg EdDSA, kid, typ incident-pack+jws, b64 false (RFC 7797). */
  protected: string;
  signature: string;
}
