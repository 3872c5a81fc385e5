import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import canonicalize from 'canonicalize';
import { z } from 'zod';
import { DomainError } from '@app/common';
import { StaticTrustSource, SUPPORTED_ALGORITHMS, type QualificationRule, type TrustedIssuer } from '@app/credentials';

/**
 * The trust-list document: a whole registry (qualifications with their recognition rules, and trusted issuers) as
 * one JSON document, the form in which a state agency publishes it and the unit of import/export.
 * Format `responder-checkin/trust-list`, version 1 (documented in docs/verification.md). Importing replaces the
 * registry with the document's content; exporting then importing gives the same registry.
 */
export const TRUST_LIST_FORMAT = 'responder-checkin/trust-list';
export const TRUST_LIST_VERSION = 1;

export const JURISDICTION_PATTERN = /^[A-Z]{2}(-[A-Z0-9]{1,3})?$/;
export const QUALIFICATION_CODE_PATTERN = /^[A-Z][A-Z0-9_]{0,31}$/;
/** A DID (did:method:...) or an https URL (http only for local development hosts). */
export const ISSUER_ID_PATTERN = /^(did:[a-z0-9]+:[A-Za-z0-9._%:;=@/+-]+|https?:\/\/[^\s]+)$/;

const instant = z.iso.datetime({ offset: true, error: 'must be an ISO date-time with a time zone' });
const nullableInstant = instant.nullable().optional();

const ruleSchema = z.union([
  z.strictObject({ achievementId: z.string().min(1).max(2048) }),
  z.strictObject({
    achievementTypes: z.array(z.string().min(1).max(100)).min(1).max(20),
    achievementName: z.string().min(1).max(300),
  }),
  z.strictObject({ credentialType: z.string().min(1).max(300) }),
  z.strictObject({ vct: z.string().min(1).max(2048) }),
]);

const qualificationSchema = z.strictObject({
  code: z.string().regex(QUALIFICATION_CODE_PATTERN, 'must be upper-case letters, digits or _ (e.g. RN, USAR_TECH)'),
  name: z.string().min(1).max(200),
  rules: z.array(ruleSchema).max(100).default([]),
});

const issuerSchema = z.strictObject({
  id: z.string().min(3).max(2048).regex(ISSUER_ID_PATTERN, 'must be a DID or an https URL'),
  name: z.string().min(1).max(200),
  jurisdictions: z.array(z.string().regex(JURISDICTION_PATTERN, 'must look like US-FL or US')).min(1).max(60),
  qualifications: z.array(z.string().regex(QUALIFICATION_CODE_PATTERN)).max(100),
  algorithms: z
    .array(z.string().refine((a) => SUPPORTED_ALGORITHMS.includes(a), { error: `must be one of ${SUPPORTED_ALGORITHMS.join(', ')}` }))
    .min(1)
    .max(10)
    .optional(),
  validFrom: nullableInstant,
  validUntil: nullableInstant,
  retiredAt: nullableInstant,
});

export const trustListSchema = z.strictObject({
  format: z.literal(TRUST_LIST_FORMAT),
  version: z.literal(TRUST_LIST_VERSION),
  /** Who published it (free text), and when: informative only. */
  publisher: z.string().max(300).optional(),
  issuedAt: instant.optional(),
  qualifications: z.array(qualificationSchema).max(500),
  issuers: z.array(issuerSchema).max(10000),
});

export type TrustListDocument = z.infer<typeof trustListSchema>;
export type TrustListIssuer = z.infer<typeof issuerSchema>;
export type TrustListQualification = z.infer<typeof qualificationSchema>;
export type TrustListRule = z.infer<typeof ruleSchema>;

/** Validates a document (format, version, fields, and cross-references); throws DomainError trust_list_invalid. */
export function parseTrustList(value: unknown): TrustListDocument {
  const parsed = trustListSchema.safeParse(value);
  if (!parsed.success) {
    const errors = parsed.error.issues.slice(0, 20).map((i) => ({ field: i.path.join('.') || '(document)', message: i.message }));
    throw new DomainError('trust_list_invalid', `The trust list is invalid: ${errors[0]?.field} ${errors[0]?.message}`, { errors });
  }
  const doc = parsed.data;
  const problems: Array<{ field: string; message: string }> = [];
  const codes = new Set<string>();
  doc.qualifications.forEach((q, i) => {
    if (codes.has(q.code)) problems.push({ field: `qualifications.${i}.code`, message: `duplicate qualification ${q.code}` });
    codes.add(q.code);
  });
  const ids = new Set<string>();
  doc.issuers.forEach((issuer, i) => {
    if (ids.has(issuer.id)) problems.push({ field: `issuers.${i}.id`, message: `duplicate issuer ${issuer.id}` });
    ids.add(issuer.id);
    for (const code of issuer.qualifications) {
      if (!codes.has(code)) problems.push({ field: `issuers.${i}.qualifications`, message: `unknown qualification ${code}` });
    }
    if (issuer.validFrom && issuer.validUntil && Date.parse(issuer.validUntil) <= Date.parse(issuer.validFrom)) {
      problems.push({ field: `issuers.${i}.validUntil`, message: 'must be after validFrom' });
    }
  });
  if (problems.length > 0)
    throw new DomainError('trust_list_invalid', `The trust list is invalid: ${problems[0].field} ${problems[0].message}`, { errors: problems.slice(0, 20) });
  return doc;
}

/** sha256 (hex) of the JCS-canonical document: names an imported list in the audit trail. */
export function trustListDigest(doc: TrustListDocument): string {
  return createHash('sha256')
    .update(canonicalize(doc) ?? '')
    .digest('hex');
}

const toDate = (value: string | null | undefined): Date | undefined => (value ? new Date(value) : undefined);

export function rulesOf(doc: Pick<TrustListDocument, 'qualifications'>): QualificationRule[] {
  return doc.qualifications.flatMap((q) => q.rules.map((rule) => ({ qualification: q.code, ...rule })));
}

export function trustedIssuerOf(issuer: TrustListIssuer): TrustedIssuer {
  return {
    id: issuer.id,
    name: issuer.name,
    jurisdictions: issuer.jurisdictions,
    qualifications: issuer.qualifications,
    algorithms: issuer.algorithms ?? ['ES256', 'ES384', 'EdDSA'],
    validFrom: toDate(issuer.validFrom),
    validUntil: toDate(issuer.validUntil),
    retiredAt: toDate(issuer.retiredAt),
  };
}

/** The registry a document describes, for the engine (the CLI's `--trust FILE`). */
export function trustSourceFromDocument(doc: TrustListDocument): StaticTrustSource {
  return new StaticTrustSource(doc.issuers.map(trustedIssuerOf), rulesOf(doc));
}

export function loadTrustListFile(path: string): StaticTrustSource {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new DomainError('trust_list_invalid', `Cannot read the trust list ${path}: ${(err as Error).message}`);
  }
  return trustSourceFromDocument(parseTrustList(json));
}
