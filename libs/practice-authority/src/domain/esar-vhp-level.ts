import { isLicensedProfession } from './vocabulary';

/**
 * ESAR-VHP credential levels (the federal advance registration programme for volunteer health professionals):
 * 1 clinically active in a hospital, 2 clinically active elsewhere, 3 licensed and verified, 4 useful experience or
 * education without a scope-of-practice licence.
 */
export type EsarVhpLevel = 1 | 2 | 3 | 4;

/** Qualification codes of credentials that evidence clinical activity (an employer's or facility's credential). */
export const HOSPITAL_PRIVILEGES = 'HOSPITAL_PRIVILEGES';
export const CLINICAL_ACTIVITY = 'CLINICAL_ACTIVITY';

export interface VerifiedQualification {
  /** The qualification code the verified credential maps to. */
  qualification: string;
  /** Every check passed (a credential with a warning or a failure is no evidence for a level). */
  verified: boolean;
}

export interface LevelAnswer {
  level: EsarVhpLevel | null;
  /** The rule that decided it, in words. */
  rule: string;
}

/**
 * The level the verified credentials support: the highest whose rule holds. Only verified credentials count, and
 * clinical-activity evidence counts only beside a verified licence (activity without a licence is level 4).
 */
export function esarVhpLevel(credentials: VerifiedQualification[]): LevelAnswer {
  const verified = credentials.filter((c) => c.verified).map((c) => c.qualification);
  const licence = verified.find((q) => isLicensedProfession(q));
  if (licence && verified.includes(HOSPITAL_PRIVILEGES)) {
    return { level: 1, rule: `level 1: ${licence} licence verified and hospital privileges verified (clinically active in a hospital)` };
  }
  if (licence && verified.includes(CLINICAL_ACTIVITY)) {
    return { level: 2, rule: `level 2: ${licence} licence verified and clinical activity verified (clinically active outside a hospital)` };
  }
  if (licence) return { level: 3, rule: `level 3: ${licence} licence verified (meets the basic requirements to practise)` };
  const other = verified.find((q) => q !== HOSPITAL_PRIVILEGES && q !== CLINICAL_ACTIVITY) ?? verified[0];
  if (other) return { level: 4, rule: `level 4: ${other} verified, no scope-of-practice licence (experience or education)` };
  return { level: null, rule: 'no level: no verified credential' };
}
