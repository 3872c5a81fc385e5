/** Who the demo issuer pretends to be. Names and jurisdictions are realistic; the keys are made up at start. */

export type BoardKind = 'state-board' | 'national-certifier';
export type SigningAlgorithm = 'ES256' | 'ES384' | 'EdDSA';
export const SIGNING_ALGORITHMS: readonly SigningAlgorithm[] = ['ES256', 'ES384', 'EdDSA'];

export interface BoardSpec {
  /** URL path segment and DID path segment: lower-case letters, digits and dashes. */
  slug: string;
  name: string;
  /** ISO 3166 style: `US-FL` for a state board, `US` for a national body. */
  jurisdiction: string;
  kind: BoardKind;
  alg: SigningAlgorithm;
}

export const BOARD_SLUG_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

export const DEFAULT_BOARDS: readonly BoardSpec[] = [
  { slug: 'fl-nursing', name: 'Florida Board of Nursing', jurisdiction: 'US-FL', kind: 'state-board', alg: 'ES256' },
  { slug: 'fl-medicine', name: 'Florida Board of Medicine', jurisdiction: 'US-FL', kind: 'state-board', alg: 'EdDSA' },
  { slug: 'fl-ems', name: 'Florida Bureau of Emergency Medical Oversight', jurisdiction: 'US-FL', kind: 'state-board', alg: 'ES256' },
  { slug: 'ga-nursing', name: 'Georgia Board of Nursing', jurisdiction: 'US-GA', kind: 'state-board', alg: 'ES256' },
  { slug: 'ga-ems', name: 'Georgia Office of EMS and Trauma', jurisdiction: 'US-GA', kind: 'state-board', alg: 'ES256' },
  { slug: 'tx-nursing', name: 'Texas Board of Nursing', jurisdiction: 'US-TX', kind: 'state-board', alg: 'ES256' },
  { slug: 'nremt', name: 'National Registry of Emergency Medical Technicians', jurisdiction: 'US', kind: 'national-certifier', alg: 'EdDSA' },
  { slug: 'fema-usar', name: 'FEMA US&R Training Program', jurisdiction: 'US', kind: 'national-certifier', alg: 'ES256' },
  // A credential mill: well-formed, validly signed credentials from an issuer that no trust registry lists.
  { slug: 'rogue-board', name: 'Board of Medical Certification Online', jurisdiction: 'US', kind: 'national-certifier', alg: 'ES256' },
];
