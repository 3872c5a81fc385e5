/**
 * The states and professions practice-authority rules may name. A rule naming anything else is refused on import:
 * a typo in a state code would otherwise silently grant or withhold authority.
 */
export const US_STATES = [
  'AL',
  'AK',
  'AZ',
  'AR',
  'CA',
  'CO',
  'CT',
  'DE',
  'FL',
  'GA',
  'HI',
  'ID',
  'IL',
  'IN',
  'IA',
  'KS',
  'KY',
  'LA',
  'ME',
  'MD',
  'MA',
  'MI',
  'MN',
  'MS',
  'MO',
  'MT',
  'NE',
  'NV',
  'NH',
  'NJ',
  'NM',
  'NY',
  'NC',
  'ND',
  'OH',
  'OK',
  'OR',
  'PA',
  'RI',
  'SC',
  'SD',
  'TN',
  'TX',
  'UT',
  'VT',
  'VA',
  'WA',
  'WV',
  'WI',
  'WY',
  'DC',
  'PR',
  'VI',
  'GU',
  'AS',
  'MP',
].map((s) => `US-${s}`);

const STATES = new Set(US_STATES);
export const isKnownState = (code: string): boolean => STATES.has(code);

/** Short name of a state code for basis text: US-GA -> GA. */
export const stateName = (code: string): string => code.replace(/^US-/, '');

/**
 * Professions that need a state licence (scope of practice) to practise: qualification codes as the trust registry
 * maps credentials to them. Anything else (USAR_TECH, say) needs no practice authority.
 */
export const LICENSED_PROFESSIONS = ['RN', 'LPN', 'APRN', 'MD', 'DO', 'PA', 'PHARMACIST', 'RESPIRATORY_THERAPIST', 'PARAMEDIC', 'AEMT', 'EMT', 'EMR'] as const;
export type LicensedProfession = (typeof LICENSED_PROFESSIONS)[number];
const LICENSED = new Set<string>(LICENSED_PROFESSIONS);
export const isLicensedProfession = (code: string | undefined): code is LicensedProfession => code !== undefined && LICENSED.has(code);

/**
 * The compacts that grant a privilege to practise across member states, and the professions each covers. A rule set
 * may name only these (the Interstate Medical Licensure Compact speeds up licensing but grants no privilege).
 */
export const KNOWN_COMPACTS: Record<string, { name: string; professions: readonly string[] }> = {
  NLC: { name: 'Nurse Licensure Compact', professions: ['RN', 'LPN'] },
  EMS: { name: 'EMS Compact', professions: ['EMR', 'EMT', 'AEMT', 'PARAMEDIC'] },
};
