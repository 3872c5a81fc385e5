import { readFile, writeFile } from 'node:fs/promises';
import { CompactSign, importJWK, type JWK } from 'jose';

/**
 * The `issue` half of the W3C vc-jose-cose test-suite contract:
 *
 *     issue --input FILE --key FILE --feature credential_jose|presentation_jose --output FILE
 *
 * signs the unsecured credential or presentation in FILE, unchanged, as the JWS payload, with exactly the
 * `secretKeyJwk` of the given JsonWebKey verification method (header `typ` `vc+jwt` / `vp+jwt`, `kid` the method
 * id, no `cty`), and writes what the suite's checkTestResults reads: `{"result":"success","data":"<compact JWS>"}`,
 * or `{"result":"failure",...}` when it refuses, or `{"result":"indeterminate",...}` for a feature it lacks
 * (SD-JWT, COSE).
 */

export const CONTRACT_FEATURES = [
  'credential_jose',
  'presentation_jose',
  'credential_sdjwt',
  'presentation_sdjwt',
  'credential_cose',
  'presentation_cose',
] as const;

export type ContractResult = { result: 'success'; data: string } | { result: 'failure' | 'indeterminate'; reason: ContractRefusal; message: string };

export type ContractRefusal = 'malformed_input' | 'invalid_key' | 'data_model_invalid' | 'undefined_member' | 'unsupported_feature';

const VC_V2_CONTEXT = 'https://www.w3.org/ns/credentials/v2';
const OB_CONTEXT_PREFIX = 'https://purl.imsglobal.org/spec/ob/v3p0/';

/** JWT claim names the VC 2.0 base context defines (so they are understood members, not extensions). */
const JWT_CLAIM_TERMS = ['iss', 'sub', 'aud', 'exp', 'nbf', 'iat', 'cnf', '_sd', '_sd_alg'];
/** Members the VC 2.0 base context defines explicitly for a VerifiableCredential. */
const CREDENTIAL_TERMS = [
  '@context',
  'id',
  'type',
  'issuer',
  'credentialSubject',
  'validFrom',
  'validUntil',
  'credentialStatus',
  'credentialSchema',
  'evidence',
  'termsOfUse',
  'refreshService',
  'relatedResource',
  'renderMethod',
  'confidenceMethod',
  'name',
  'description',
  'proof',
  ...JWT_CLAIM_TERMS,
];
/** Members Open Badges 3.0 adds to an OpenBadgeCredential (only when an OB context is present). */
const OPEN_BADGES_CREDENTIAL_TERMS = ['awardedDate', 'image', 'endorsement', 'endorsementJwt'];
const PRESENTATION_TERMS = ['@context', 'id', 'type', 'holder', 'verifiableCredential', 'termsOfUse', 'name', 'description', 'proof', ...JWT_CLAIM_TERMS];
/** VC-JOSE-COSE: these claims must not appear in a secured credential or presentation. */
const FORBIDDEN_CLAIMS = ['vc', 'vp'];

const CURVE_ALGORITHMS: Record<string, string> = { 'P-256': 'ES256', 'P-384': 'ES384', 'P-521': 'ES512', Ed25519: 'EdDSA' };

type Json = Record<string, unknown>;

class Refusal extends Error {
  constructor(
    readonly reason: ContractRefusal,
    message: string,
  ) {
    super(message);
  }
}

/** Pure core of the contract: the document and verification method as parsed JSON. */
export async function issueForTestSuite(document: unknown, verificationMethod: unknown, feature: string): Promise<ContractResult> {
  try {
    if (feature !== 'credential_jose' && feature !== 'presentation_jose') {
      const known = (CONTRACT_FEATURES as readonly string[]).includes(feature);
      return {
        result: 'indeterminate',
        reason: 'unsupported_feature',
        message: known ? `${feature} is not implemented (JOSE only)` : `unknown feature ${feature}`,
      };
    }
    const key = readVerificationMethod(verificationMethod);
    if (!isObject(document)) throw new Refusal('malformed_input', 'the input is not a JSON object');
    if (feature === 'credential_jose') checkCredential(document);
    else checkPresentation(document);
    const typ = feature === 'credential_jose' ? 'vc+jwt' : 'vp+jwt';
    const data = await new CompactSign(new TextEncoder().encode(JSON.stringify(document)))
      .setProtectedHeader({ alg: key.alg, typ, kid: key.kid })
      .sign(await importJWK(key.secretJwk, key.alg));
    return { result: 'success', data };
  } catch (err) {
    if (err instanceof Refusal) return { result: 'failure', reason: err.reason, message: err.message };
    return { result: 'failure', reason: 'invalid_key', message: `signing failed: ${err instanceof Error ? err.message : String(err)}` };
  }
}

/** The contract as the suite drives it: read the two files, write the result file, return the result. */
export async function runIssueContract(args: { input: string; key: string; feature: string; output: string }): Promise<ContractResult> {
  let result: ContractResult;
  try {
    result = await issueForTestSuite(await readJsonFile(args.input, 'input'), await readJsonFile(args.key, 'key'), args.feature);
  } catch (err) {
    if (!(err instanceof Refusal)) throw err;
    result = { result: 'failure', reason: err.reason, message: err.message };
  }
  await writeFile(args.output, JSON.stringify(result, null, 2) + '\n');
  return result;
}

async function readJsonFile(file: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new Refusal('malformed_input', `cannot read the ${what} file ${file}: ${(err as Error).message}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new Refusal('malformed_input', `the ${what} file ${file} is not JSON`);
  }
}

function readVerificationMethod(vm: unknown): { kid: string; alg: string; secretJwk: JWK } {
  if (!isObject(vm) || vm.type !== 'JsonWebKey') throw new Refusal('invalid_key', 'the key file is not a JsonWebKey verification method');
  if (typeof vm.id !== 'string' || !isUrl(vm.id)) throw new Refusal('invalid_key', 'the verification method id must be an absolute URL (it becomes the kid)');
  const secret = vm.secretKeyJwk;
  if (!isObject(secret) || typeof secret.d !== 'string') throw new Refusal('invalid_key', 'the verification method has no secretKeyJwk with a private part');
  const curveAlg = typeof secret.crv === 'string' ? CURVE_ALGORITHMS[secret.crv] : undefined;
  if (!curveAlg) throw new Refusal('invalid_key', `unsupported key type ${String(secret.kty)}/${String(secret.crv)}`);
  if (secret.alg !== undefined && secret.alg !== curveAlg)
    throw new Refusal('invalid_key', `alg ${String(secret.alg)} does not fit curve ${String(secret.crv)}`);
  const pub = vm.publicKeyJwk;
  if (isObject(pub) && (pub.x !== secret.x || pub.y !== secret.y || pub.crv !== secret.crv)) {
    throw new Refusal('invalid_key', 'secretKeyJwk is not the private half of publicKeyJwk');
  }
  return { kid: vm.id, alg: curveAlg, secretJwk: secret as JWK };
}

function checkCredential(doc: Json): void {
  checkContext(doc);
  checkTypes(doc, 'VerifiableCredential');
  checkId(doc);
  const issuer = doc.issuer;
  const issuerId = isObject(issuer) ? issuer.id : issuer;
  if (typeof issuerId !== 'string' || !isUrl(issuerId)) throw new Refusal('data_model_invalid', 'issuer must be a URL or an object whose id is a URL');
  const subjects = Array.isArray(doc.credentialSubject) ? doc.credentialSubject : [doc.credentialSubject];
  if (subjects.length === 0 || !subjects.every((s) => isObject(s) && Object.keys(s).length > 0)) {
    throw new Refusal('data_model_invalid', 'credentialSubject must be one or more objects, each with at least one claim');
  }
  const from = checkDate(doc, 'validFrom');
  const until = checkDate(doc, 'validUntil');
  if (from !== undefined && until !== undefined && until < from) throw new Refusal('data_model_invalid', 'validUntil is before validFrom');
  for (const member of ['credentialStatus', 'credentialSchema', 'evidence', 'termsOfUse', 'refreshService']) checkTyped(doc, member);
  const openBadges = contexts(doc).some((c) => typeof c === 'string' && c.startsWith(OB_CONTEXT_PREFIX));
  checkMembers(doc, openBadges ? [...CREDENTIAL_TERMS, ...OPEN_BADGES_CREDENTIAL_TERMS] : CREDENTIAL_TERMS, 'credential');
}

function checkPresentation(doc: Json): void {
  checkContext(doc);
  checkTypes(doc, 'VerifiablePresentation');
  checkId(doc);
  const holder = isObject(doc.holder) ? doc.holder.id : doc.holder;
  if (holder !== undefined && (typeof holder !== 'string' || !isUrl(holder))) throw new Refusal('data_model_invalid', 'holder must be a URL');
  const vcs = doc.verifiableCredential === undefined ? [] : Array.isArray(doc.verifiableCredential) ? doc.verifiableCredential : [doc.verifiableCredential];
  for (const vc of vcs) {
    // VC-JOSE-COSE: credentials in a secured presentation are themselves secured, as EnvelopedVerifiableCredentials.
    const types = isObject(vc) ? [vc.type].flat() : [];
    if (!isObject(vc) || !types.includes('EnvelopedVerifiableCredential') || typeof vc.id !== 'string' || !vc.id.startsWith('data:')) {
      throw new Refusal('data_model_invalid', 'each verifiableCredential must be an EnvelopedVerifiableCredential with a data: URL id');
    }
  }
  checkTyped(doc, 'termsOfUse');
  checkMembers(doc, PRESENTATION_TERMS, 'presentation');
}

/**
 * Refuses top-level members that no context the issuer knows defines explicitly. VC 2.0 tells verifiers to
 * ignore members they do not understand; an issuer may be stricter about what it puts its signature under, and the
 * suite (case 5) expects exactly that: `badExtension` is defined only by the examples context's @vocab catch-all.
 */
function checkMembers(doc: Json, allowed: string[], what: string): void {
  const forbidden = Object.keys(doc).filter((k) => FORBIDDEN_CLAIMS.includes(k));
  if (forbidden.length > 0) throw new Refusal('data_model_invalid', `a secured ${what} must not carry the claims ${forbidden.join(', ')}`);
  const unknown = Object.keys(doc).filter((k) => !allowed.includes(k));
  if (unknown.length > 0) {
    throw new Refusal('undefined_member', `refusing to sign ${what} members no known context defines: ${unknown.join(', ')}`);
  }
}

function contexts(doc: Json): unknown[] {
  return Array.isArray(doc['@context']) ? doc['@context'] : [doc['@context']];
}

function checkContext(doc: Json): void {
  if (contexts(doc)[0] !== VC_V2_CONTEXT) throw new Refusal('data_model_invalid', `@context must start with ${VC_V2_CONTEXT}`);
}

function checkTypes(doc: Json, required: string): void {
  const types = [doc.type].flat();
  if (!types.every((t) => typeof t === 'string') || !types.includes(required)) throw new Refusal('data_model_invalid', `type must include ${required}`);
}

function checkId(doc: Json): void {
  if (doc.id !== undefined && (typeof doc.id !== 'string' || !isUrl(doc.id))) throw new Refusal('data_model_invalid', 'id must be a single URL');
}

function checkTyped(doc: Json, member: string): void {
  if (doc[member] === undefined) return;
  const entries = [doc[member]].flat();
  if (!entries.every((e) => isObject(e) && e.type !== undefined)) throw new Refusal('data_model_invalid', `each ${member} entry needs a type`);
}

const DATE_TIME_STAMP = /^-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/;

function checkDate(doc: Json, member: string): number | undefined {
  const value = doc[member];
  if (value === undefined) return undefined;
  const instant = typeof value === 'string' && DATE_TIME_STAMP.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(instant)) throw new Refusal('data_model_invalid', `${member} must be an XML Schema dateTimeStamp`);
  return instant;
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isUrl(value: string): boolean {
  return /^[A-Za-z][A-Za-z0-9+.-]*:[^\s]+$/.test(value);
}
