import { mediaType } from '../jws/compact-jws';
import { idOf, isRecord, oneOrMany, type JsonRecord } from '../util/json';
import { VC_V1_CONTEXT, type DataModelVersion } from './data-model';
import { parseInstant, toIso, ZONE_OPTIONAL } from './instants';

/**
 * The JOSE securing formats accepted, told apart by the JWS header and payload:
 *  - `vc+jwt`: W3C VC-JOSE-COSE, `typ` vc+jwt, the payload is a VC 2.0 credential (`vc`/`vp` claims forbidden);
 *  - `vp+jwt`: the same for presentations;
 *  - `ob3-jwt`: Open Badges 3.0 as published (section 8.2), `typ` JWT or none, the payload is the credential itself
 *    (VCDM 2.0 or 1.1) with the registered claims iss/nbf/exp/jti/sub, which must agree with it;
 *  - `jwt-vc`: VC-JWT 1.1, `typ` JWT or none, the credential in the `vc` claim with iss/nbf/exp/jti/sub mirroring
 *    issuer, validity, id and subject.
 */
export type SecuredFormat = 'vc+jwt' | 'vp+jwt' | 'ob3-jwt' | 'jwt-vc';

/** The formats of a single credential. */
export type JwtCredentialFormat = Exclude<SecuredFormat, 'vp+jwt'>;

export type FormatDetection = { ok: true; format: SecuredFormat } | { ok: false; message: string };

export function detectFormat(header: JsonRecord, payload: JsonRecord): FormatDetection {
  if ('crit' in header) return { ok: false, message: 'The JWS uses critical header extensions this system does not understand.' };
  if (typeof header.alg !== 'string') return { ok: false, message: 'The JWS header has no algorithm.' };
  // RFC 7515: typ and cty are strings; a number or a list is a malformed header, not a missing member.
  if (('typ' in header && typeof header.typ !== 'string') || ('cty' in header && typeof header.cty !== 'string')) {
    return { ok: false, message: 'The JWS typ and cty headers must be strings.' };
  }
  const typ = mediaType(header.typ);
  const cty = mediaType(header.cty);
  if (typ === 'vc+jwt') {
    if (cty !== undefined && cty !== 'vc') return { ok: false, message: `The content type ${String(header.cty)} is not a credential (expected vc).` };
    return { ok: true, format: 'vc+jwt' };
  }
  if (typ === 'vp+jwt') {
    if (cty !== undefined && cty !== 'vp') return { ok: false, message: `The content type ${String(header.cty)} is not a presentation (expected vp).` };
    return { ok: true, format: 'vp+jwt' };
  }
  if (typ === undefined || typ === 'jwt') {
    if (isRecord(payload.vc)) return { ok: true, format: 'jwt-vc' };
    if ('vp' in payload) return { ok: false, message: 'VC-JWT 1.1 presentations are not supported; present a vp+jwt.' };
    if ('@context' in payload) {
      if (oneOrMany(payload.type).includes('VerifiablePresentation')) return { ok: false, message: 'A presentation must be secured as a vp+jwt.' };
      return { ok: true, format: 'ob3-jwt' };
    }
    return { ok: false, message: 'This JWT carries no credential (neither a vc claim nor a credential as its payload).' };
  }
  return { ok: false, message: `The media type ${String(header.typ)} is not a credential this system reads (vc+jwt, vp+jwt or a VC-JWT).` };
}

export interface ExtractedCredential {
  credential: JsonRecord;
  version: DataModelVersion;
  /** Conflicts between the JWT claims and the credential, forbidden claims: data-model failures. */
  problems: string[];
}

const isNumericDate = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** The credential a JWT carries, with the JWT-level rules of its format applied. */
export function extractCredential(format: JwtCredentialFormat, payload: JsonRecord): ExtractedCredential {
  const problems: string[] = [];
  if (format === 'vc+jwt') {
    if ('vc' in payload || 'vp' in payload) problems.push('A vc+jwt must not carry vc or vp claims.');
    checkJwtMirrors(payload, payload, problems);
    checkNumericClaims(payload, problems);
    return { credential: payload, version: '2.0', problems };
  }
  if (format === 'ob3-jwt') {
    // The payload is the credential: nothing is filled in, every registered claim present must agree with it
    // (unlike vc+jwt, where nbf/exp describe the signature and may differ from validFrom/validUntil).
    const version = dataModelVersion(payload);
    checkJwtMirrors(payload, payload, problems);
    checkNumericClaims(payload, problems);
    checkDateClaim(payload, 'nbf', version === '1.1' ? 'issuanceDate' : 'validFrom', problems);
    checkDateClaim(payload, 'exp', version === '1.1' ? 'expirationDate' : 'validUntil', problems);
    return { credential: payload, version, problems };
  }
  const credential: JsonRecord = { ...(payload.vc as JsonRecord) };
  const version = dataModelVersion(credential);
  // A JWT that is both a credential and a presentation, or two credentials, is ambiguous (type confusion): refuse it.
  if ('vp' in payload) problems.push('A VC-JWT must not carry both vc and vp claims.');
  if ('@context' in payload) problems.push('A VC-JWT must not carry both a vc claim and a credential of its own (@context) in its payload.');
  checkNumericClaims(payload, problems);
  // Fill from the claims what the vc object leaves out; a disagreement is a failure.
  if (typeof payload.iss === 'string' && credential.issuer === undefined) credential.issuer = payload.iss;
  if (typeof payload.jti === 'string' && credential.id === undefined) credential.id = payload.jti;
  const subject = credential.credentialSubject;
  if (typeof payload.sub === 'string' && isRecord(subject) && subject.id === undefined) credential.credentialSubject = { ...subject, id: payload.sub };
  const fromField = version === '1.1' ? 'issuanceDate' : 'validFrom';
  const untilField = version === '1.1' ? 'expirationDate' : 'validUntil';
  fillDate(
    credential,
    fromField,
    isNumericDate(payload.nbf) ? payload.nbf : version === '1.1' && isNumericDate(payload.iat) ? payload.iat : undefined,
    'nbf',
    problems,
    payload.nbf !== undefined,
  );
  fillDate(credential, untilField, isNumericDate(payload.exp) ? payload.exp : undefined, 'exp', problems, true);
  checkJwtMirrors(payload, credential, problems);
  return { credential, version, problems };
}

/** `iss` = issuer, `jti` = id, `sub` = the (single) subject's id, when present. */
function checkJwtMirrors(payload: JsonRecord, credential: JsonRecord, problems: string[]): void {
  const issuer = idOf(credential.issuer);
  if ('iss' in payload && payload.iss !== issuer) problems.push('The iss claim does not match the credential issuer.');
  if ('jti' in payload && credential.id !== undefined && payload.jti !== credential.id) problems.push('The jti claim does not match the credential id.');
  if (!('sub' in payload)) return;
  const subjects = oneOrMany(credential.credentialSubject);
  if (subjects.length === 1 && isRecord(subjects[0]) && subjects[0].id !== undefined && payload.sub !== subjects[0].id) {
    problems.push('The sub claim does not match the credential subject id.');
  }
}

/** VCDM 1.1 when the base context is the 1.1 one; 2.0 otherwise (its validation names a wrong base context). */
function dataModelVersion(credential: JsonRecord): DataModelVersion {
  return oneOrMany(credential['@context'])[0] === VC_V1_CONTEXT ? '1.1' : '2.0';
}

/** A numeric date claim and the credential field it stands for, both present, must name the same second. */
function checkDateClaim(payload: JsonRecord, claim: 'nbf' | 'exp', field: string, problems: string[]): void {
  const seconds = payload[claim];
  if (!isNumericDate(seconds) || payload[field] === undefined) return;
  const ms = parseInstant(payload[field], ZONE_OPTIONAL);
  if (ms !== undefined && Math.floor(ms / 1000) !== Math.floor(seconds)) problems.push(`The ${claim} claim does not match ${field}.`);
}

function checkNumericClaims(payload: JsonRecord, problems: string[]): void {
  if ('exp' in payload && !isNumericDate(payload.exp)) problems.push('The exp claim must be a number of seconds.');
  if ('nbf' in payload && !isNumericDate(payload.nbf)) problems.push('The nbf claim must be a number of seconds.');
}

function fillDate(credential: JsonRecord, field: string, claimSeconds: number | undefined, claim: string, problems: string[], compare: boolean): void {
  if (claimSeconds === undefined) return;
  const existing = credential[field];
  if (existing === undefined) {
    credential[field] = toIso(claimSeconds * 1000);
    return;
  }
  const ms = parseInstant(existing, ZONE_OPTIONAL);
  if (compare && ms !== undefined && Math.floor(ms / 1000) !== Math.floor(claimSeconds)) problems.push(`The ${claim} claim does not match ${field}.`);
}

export interface PresentationCheck {
  holder?: string;
  problems: string[];
}

/** JWT-level rules of a vp+jwt: no vc/vp claims, iss = holder, numeric exp/nbf. */
export function checkPresentationClaims(payload: JsonRecord): PresentationCheck {
  const problems: string[] = [];
  if ('vc' in payload || 'vp' in payload) problems.push('A vp+jwt must not carry vc or vp claims.');
  checkNumericClaims(payload, problems);
  const holder = idOf(payload.holder);
  if (typeof payload.iss === 'string' && holder !== undefined && payload.iss !== holder) problems.push('The iss claim does not match the holder.');
  return { holder: holder ?? (typeof payload.iss === 'string' ? payload.iss : undefined), problems };
}
