import { z } from 'zod';
import { IssuerError } from './issuer-error';
import { QUALIFICATION_CODES, type QualificationCode } from './qualifications';

export const CREDENTIAL_FORMATS = ['vc+jwt', 'ob3-jwt', 'jwt-vc', 'dc+sd-jwt', 'dc+sd-jwt-json', 'ldp-vc', 'ldp-vp'] as const;
/**
 * `vc+jwt`: VC 2.0 secured with VC-JOSE-COSE. `ob3-jwt`: Open Badges 3.0 as published (a JWT whose payload is the
 * credential, `typ` JWT, registered claims beside it). `jwt-vc`: VC-JWT 1.1 (the credential in a `vc` claim).
 * `dc+sd-jwt`: SD-JWT VC, with the Token Status List for status. `dc+sd-jwt-json`: the same SD-JWT VC in the flattened
 * JWS JSON serialization (RFC 9901 section 8.1, the Disclosures in the unprotected header). `ldp-vc`: VC 2.0 as JSON with a Data Integrity proof
 * (eddsa-rdfc-2022 from an Ed25519 board, ecdsa-rdfc-2019 from a P-256 or P-384 one). `ldp-vp`: that credential in a
 * JSON-LD presentation by its holder (a did:key made for it, the credential's subject), with the holder's own
 * eddsa-rdfc-2022 proof (proofPurpose authentication).
 */
export type CredentialFormat = (typeof CREDENTIAL_FORMATS)[number];

export interface IssueRequest {
  format: CredentialFormat;
  /** One of QUALIFICATION_CODES (RN, LPN, APRN, MD, PARAMEDIC, EMT, USAR_TECH). */
  qualification: QualificationCode | string;
  subject: { id?: string; name: string; email?: string };
  /** Generated (shaped like the real ones) when absent. */
  licenseNumber?: string;
  /** A nurse licence's compact status: true multistate, false single-state; absent says nothing (JWT forms only). */
  multistate?: boolean;
  /** Default: now. */
  validFrom?: Date;
  /** Default: two years after validFrom. */
  validUntil?: Date;
  /** Default true: add revocation and suspension entries. */
  withStatus?: boolean;
}

export interface NormalisedIssueRequest {
  format: CredentialFormat;
  qualification: QualificationCode;
  subject: { id?: string; name: string; email?: string };
  licenseNumber?: string;
  multistate?: boolean;
  validFrom?: Date;
  validUntil?: Date;
  withStatus: boolean;
}

/** A URL in the VCDM sense: a scheme, a colon, no spaces (DIDs, urn:uuid and http(s) URLs all qualify). */
const URL_LIKE = /^[A-Za-z][A-Za-z0-9+.-]*:[^\s]+$/;

const dateSchema = z
  .union([z.date(), z.iso.datetime({ offset: true }).transform((s) => new Date(s))])
  .refine((d) => !Number.isNaN(d.getTime()), 'not a valid date');

const issueRequestSchema = z
  .object({
    format: z.enum(CREDENTIAL_FORMATS),
    qualification: z.enum(QUALIFICATION_CODES),
    subject: z.object({
      id: z.string().regex(URL_LIKE, 'must be a URL such as did:example:... or urn:uuid:...').optional(),
      name: z.string().trim().min(1).max(200),
      email: z.email().optional(),
    }),
    licenseNumber: z.string().trim().min(1).max(64).optional(),
    multistate: z.boolean().optional(),
    validFrom: dateSchema.optional(),
    validUntil: dateSchema.optional(),
    withStatus: z.boolean().optional(),
  })
  .refine((r) => !(r.validFrom && r.validUntil) || r.validUntil.getTime() > r.validFrom.getTime(), {
    message: 'validUntil must be after validFrom',
    path: ['validUntil'],
  });

/** Validates an issue request from code or from JSON (dates as ISO strings with an offset). */
export function normaliseIssueRequest(input: unknown): NormalisedIssueRequest {
  const parsed = issueRequestSchema.safeParse(input);
  if (!parsed.success) {
    const details = parsed.error.issues.map((i) => ({ field: i.path.join('.') || '(body)', message: i.message }));
    throw new IssuerError('invalid_request', `invalid issue request: ${details.map((d) => `${d.field}: ${d.message}`).join('; ')}`, details);
  }
  return { ...parsed.data, withStatus: parsed.data.withStatus ?? true };
}
