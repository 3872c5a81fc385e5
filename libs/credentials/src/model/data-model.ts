import { isNonEmptyString, isRecord, isUrl, oneOrMany, type JsonRecord } from '../util/json';
import { parseInstant, ZONE_OPTIONAL } from './instants';

/**
 * Conformance of a credential or presentation to the W3C VC Data Model (2.0, and 1.1 for the older VC-JWT form),
 * without JSON-LD processing: the structural rules plus the few context rules that matter in practice (the base
 * context first, no redefinition of its protected terms, term definitions that are URLs, no unmapped types when a
 * context switches `@vocab` off). Each function returns the problems found, in plain words; empty means conformant.
 */
export const VC_V2_CONTEXT = 'https://www.w3.org/ns/credentials/v2';
export const VC_V1_CONTEXT = 'https://www.w3.org/2018/credentials/v1';

export type DataModelVersion = '2.0' | '1.1';

/** Terms the v2 base context defines as @protected: an inline context may not redefine them. */
const V2_PROTECTED_TERMS = new Set([
  'id',
  'type',
  '@context',
  'VerifiableCredential',
  'VerifiablePresentation',
  'EnvelopedVerifiableCredential',
  'EnvelopedVerifiablePresentation',
  'JsonSchemaCredential',
  'JsonSchema',
  'BitstringStatusListCredential',
  'BitstringStatusList',
  'BitstringStatusListEntry',
  'DataIntegrityProof',
  'issuer',
  'credentialSubject',
  'validFrom',
  'validUntil',
  'credentialStatus',
  'credentialSchema',
  'evidence',
  'termsOfUse',
  'refreshService',
  'name',
  'description',
  'holder',
  'verifiableCredential',
  'proof',
  'confidenceMethod',
  'relatedResource',
  'renderMethod',
  'digestSRI',
  'digestMultibase',
  'mediaType',
  'issuanceDate',
  'expirationDate',
]);

/** Types the base contexts define (used only when a context sets `@vocab: null`). */
const BASE_TYPES = new Set([
  'VerifiableCredential',
  'VerifiablePresentation',
  'EnvelopedVerifiableCredential',
  'EnvelopedVerifiablePresentation',
  'JsonSchemaCredential',
  'BitstringStatusListCredential',
  'StatusList2021Credential',
]);

const LANGUAGE_VALUE_KEYS = new Set(['@value', '@language', '@direction']);

export function validateCredential(vc: unknown, version: DataModelVersion = '2.0'): string[] {
  const problems: string[] = [];
  if (!isRecord(vc)) return ['The credential is not a JSON object.'];
  const types = checkContextAndType(vc, version === '2.0' ? VC_V2_CONTEXT : VC_V1_CONTEXT, 'VerifiableCredential', problems);
  checkVocabMapping(vc, types, problems);
  if ('id' in vc && !isUrl(vc.id)) problems.push('The credential id must be a single URL.');

  if (!('issuer' in vc)) problems.push('The credential has no issuer.');
  else checkIssuer(vc.issuer, problems);

  const subjects = oneOrMany(vc.credentialSubject);
  if (subjects.length === 0) problems.push('The credential has no credentialSubject.');
  for (let i = 0; i < subjects.length; i++) {
    const subject = subjects[i];
    if (!isRecord(subject) || isEmpty(subject)) problems.push(`credentialSubject ${i + 1} makes no claims.`);
    else if ('id' in subject && !isUrl(subject.id)) problems.push(`credentialSubject ${i + 1} id must be a single URL.`);
  }

  checkText(vc.name, 'name', problems);
  checkText(vc.description, 'description', problems);
  checkTypedEntries(vc.credentialStatus, 'credentialStatus', problems, ID_IS_URL);
  checkTypedEntries(vc.credentialSchema, 'credentialSchema', problems, ID_REQUIRED_URL);
  checkTypedEntries(vc.evidence, 'evidence', problems, DEFAULT_ENTRY_RULES);
  checkTypedEntries(vc.termsOfUse, 'termsOfUse', problems, DEFAULT_ENTRY_RULES);
  checkTypedEntries(vc.refreshService, 'refreshService', problems, DEFAULT_ENTRY_RULES);
  checkTypedEntries(vc.proof, 'proof', problems, DEFAULT_ENTRY_RULES);

  if (version === '2.0') {
    const from = checkDate(vc.validFrom, 'validFrom', problems, false);
    const until = checkDate(vc.validUntil, 'validUntil', problems, false);
    if (from !== undefined && until !== undefined && until < from) problems.push('validUntil is before validFrom.');
  } else {
    if (!('issuanceDate' in vc)) problems.push('A VC 1.1 credential needs an issuanceDate.');
    const from = checkDate(vc.issuanceDate, 'issuanceDate', problems, true);
    const until = checkDate(vc.expirationDate, 'expirationDate', problems, true);
    if (from !== undefined && until !== undefined && until < from) problems.push('expirationDate is before issuanceDate.');
  }
  checkStatusEntries(vc.credentialStatus, problems);
  return problems;
}

/**
 * A presentation. Enclosed credentials are checked for shape here: an enveloped one must be a `data:` URL, an
 * embedded one must itself conform (its proof, if any, is the caller's business).
 */
export function validatePresentation(vp: unknown, version: DataModelVersion = '2.0'): string[] {
  const problems: string[] = [];
  if (!isRecord(vp)) return ['The presentation is not a JSON object.'];
  const types = checkContextAndType(vp, version === '2.0' ? VC_V2_CONTEXT : VC_V1_CONTEXT, 'VerifiablePresentation', problems);
  checkVocabMapping(vp, types, problems);
  if ('id' in vp && !isUrl(vp.id)) problems.push('The presentation id must be a single URL.');
  if ('holder' in vp) {
    const holder = vp.holder;
    if (isRecord(holder) ? !isUrl(holder.id) : !isUrl(holder)) problems.push('The holder must be a URL or an object whose id is a URL.');
  }
  oneOrMany(vp.verifiableCredential).forEach((entry, i) => {
    if (!isRecord(entry)) {
      problems.push(`verifiableCredential ${i + 1} must be an object (an enveloped or embedded credential).`);
      return;
    }
    if (oneOrMany(entry.type).includes('EnvelopedVerifiableCredential')) {
      if (typeof entry.id !== 'string' || !entry.id.startsWith('data:'))
        problems.push(`verifiableCredential ${i + 1} is enveloped but its id is not a data: URL.`);
      return;
    }
    // A JSON-LD presentation may carry VC 1.1 credentials; each is judged by its own base context.
    const own = oneOrMany(entry['@context'])[0] === VC_V1_CONTEXT ? '1.1' : '2.0';
    for (const p of validateCredential(entry, own)) problems.push(`verifiableCredential ${i + 1}: ${p}`);
  });
  return problems;
}

function checkContextAndType(doc: JsonRecord, baseContext: string, requiredType: string, problems: string[]): string[] {
  const contexts = oneOrMany(doc['@context']);
  if (contexts.length === 0) problems.push('@context is missing.');
  else if (contexts[0] !== baseContext) problems.push(`The first @context must be ${baseContext}.`);
  // Only inline contexts fill it, and most credentials have none: created on first use.
  let protectedByInline: Map<string, string> | undefined;
  for (let i = 0; i < contexts.length; i++) {
    const ctx = contexts[i];
    if (typeof ctx === 'string') {
      if (!isUrl(ctx)) problems.push(`@context entry ${i + 1} is not a URL.`);
      continue;
    }
    if (!isRecord(ctx)) {
      problems.push(`@context entry ${i + 1} must be a URL or an object.`);
      continue;
    }
    const isProtected = ctx['@protected'] === true;
    for (const [term, definition] of Object.entries(ctx)) {
      if (term.startsWith('@')) continue;
      if (V2_PROTECTED_TERMS.has(term)) {
        problems.push(`@context entry ${i + 1} redefines the protected term ${term}.`);
        continue;
      }
      const iri = typeof definition === 'string' ? definition : isRecord(definition) ? definition['@id'] : definition;
      if (iri !== null && iri !== undefined && !isUrl(iri)) problems.push(`@context entry ${i + 1} maps ${term} to something that is not a URL.`);
      const key = JSON.stringify(definition);
      const earlier = protectedByInline?.get(term);
      if (earlier !== undefined && earlier !== key) problems.push(`@context entry ${i + 1} redefines the protected term ${term}.`);
      if (isProtected) (protectedByInline ??= new Map()).set(term, key);
    }
  }

  const rawTypes = doc.type;
  const types = oneOrMany(rawTypes);
  if (rawTypes === undefined) problems.push('type is missing.');
  else if (types.length === 0 || !types.every(isNonEmptyString)) problems.push('type must be a string or a list of strings.');
  else if (!types.includes(requiredType)) problems.push(`type must include ${requiredType}.`);
  return types.filter(isNonEmptyString);
}

/** With `@vocab: null` an undefined type no longer expands to an IRI: the document is not well-formed. */
function checkVocabMapping(doc: JsonRecord, types: string[], problems: string[]): void {
  const contexts = oneOrMany(doc['@context']);
  // Most credentials name their contexts by URL only: nothing to look at.
  if (!contexts.some((ctx) => isRecord(ctx) && '@vocab' in ctx && ctx['@vocab'] === null)) return;
  const inline = contexts.filter(isRecord);
  const otherRemote = contexts.filter((c) => typeof c === 'string' && c !== VC_V2_CONTEXT && c !== VC_V1_CONTEXT);
  if (otherRemote.length > 0) return; // their definitions are unknown here
  const defined = new Set(inline.flatMap((ctx) => Object.keys(ctx)));
  for (const t of types) {
    if (!BASE_TYPES.has(t) && !defined.has(t) && !t.includes(':')) problems.push(`The type ${t} is not defined by any context.`);
  }
}

function checkIssuer(issuer: unknown, problems: string[]): void {
  if (typeof issuer === 'string') {
    if (!isUrl(issuer)) problems.push('The issuer must be a URL.');
    return;
  }
  if (!isRecord(issuer)) {
    problems.push('The issuer must be a URL or an object whose id is a URL.');
    return;
  }
  if (!isUrl(issuer.id)) problems.push('The issuer object must have an id that is a URL.');
  checkText(issuer.name, 'issuer name', problems);
  checkText(issuer.description, 'issuer description', problems);
}

/** `name`/`description`: a string, a language value object ({@value, @language?, @direction?}), or a list of them. */
function checkText(value: unknown, what: string, problems: string[]): void {
  if (value === undefined || typeof value === 'string') return;
  const items = oneOrMany(value);
  const ok =
    items.length > 0 &&
    items.every((item) => {
      if (typeof item === 'string') return true;
      if (!isRecord(item) || typeof item['@value'] !== 'string') return false;
      if (!Object.keys(item).every((k) => LANGUAGE_VALUE_KEYS.has(k))) return false;
      if ('@language' in item && typeof item['@language'] !== 'string') return false;
      return !('@direction' in item) || item['@direction'] === 'ltr' || item['@direction'] === 'rtl';
    });
  if (!ok) problems.push(`${what} must be text or language-tagged text.`);
}

interface TypedEntryRules {
  idRequired?: boolean;
  idMustBeUrl?: boolean;
}
const ID_IS_URL: TypedEntryRules = { idMustBeUrl: true };
const ID_REQUIRED_URL: TypedEntryRules = { idRequired: true, idMustBeUrl: true };
const DEFAULT_ENTRY_RULES: TypedEntryRules = {};

function checkTypedEntries(value: unknown, what: string, problems: string[], opts: TypedEntryRules): void {
  if (value === undefined) return;
  const entries = oneOrMany(value);
  if (entries.length === 0) problems.push(`${what} is empty.`);
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i];
    if (!isRecord(entry)) {
      problems.push(`${entryLabel(what, i, entries.length)} must be an object.`);
      continue;
    }
    if (!isNonEmptyString(entry.type) && !(Array.isArray(entry.type) && entry.type.length > 0 && entry.type.every(isNonEmptyString))) {
      problems.push(`${entryLabel(what, i, entries.length)} needs a type.`);
    }
    if (opts.idRequired && !('id' in entry)) problems.push(`${entryLabel(what, i, entries.length)} needs an id.`);
    if ('id' in entry && opts.idMustBeUrl !== false && !isUrl(entry.id)) problems.push(`${entryLabel(what, i, entries.length)} id must be a single URL.`);
  }
}

/** An entry named in a problem: "credentialStatus 2", or just "credentialStatus" when it is the only one. */
function entryLabel(what: string, i: number, count: number): string {
  return count > 1 ? `${what} ${i + 1}` : what;
}

/** No own key (Object.keys would list them all to count them). */
function isEmpty(record: JsonRecord): boolean {
  for (const key in record) if (Object.hasOwn(record, key)) return false;
  return true;
}

/** The status entry types this engine reads must carry what it needs to read them. */
function checkStatusEntries(value: unknown, problems: string[]): void {
  for (const entry of oneOrMany(value)) {
    if (!isRecord(entry)) continue;
    if (entry.type !== 'BitstringStatusListEntry' && entry.type !== 'StatusList2021Entry') continue;
    if (!isNonEmptyString(entry.statusPurpose)) problems.push(`${entry.type} needs a statusPurpose.`);
    if (statusIndex(entry.statusListIndex) === undefined) problems.push(`${entry.type} statusListIndex must be a decimal number in a string.`);
    if (!isUrl(entry.statusListCredential)) problems.push(`${entry.type} statusListCredential must be a URL.`);
    if ('statusSize' in entry && !(Number.isInteger(entry.statusSize) && Number(entry.statusSize) >= 1 && Number(entry.statusSize) <= 8)) {
      problems.push(`${entry.type} statusSize must be a whole number from 1 to 8.`);
    }
  }
}

function checkDate(value: unknown, what: string, problems: string[], zoneOptional: boolean): number | undefined {
  if (value === undefined) return undefined;
  const ms = parseInstant(value, zoneOptional ? ZONE_OPTIONAL : undefined);
  if (ms === undefined) problems.push(`${what} is not a date-time with a time zone (e.g. 2025-01-31T12:00:00Z).`);
  return ms;
}

const DECIMAL_INDEX = /^(0|[1-9]\d{0,9})$/;

/** statusListIndex is a decimal string by the spec; non-negative integers are tolerated. */
export function statusIndex(value: unknown): number | undefined {
  if (typeof value === 'string' && DECIMAL_INDEX.test(value)) return Number(value);
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value;
  return undefined;
}
