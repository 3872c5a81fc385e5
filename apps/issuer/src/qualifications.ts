import type { BoardKind } from './board-catalog';

/**
 * Qualification codes and the Open Badges 3.0 achievement each one is issued as. The verifier maps a credential
 * back to a code by `achievementType` + achievement `name` (case-insensitive), so these names are a contract.
 */
export const QUALIFICATION_CODES = ['RN', 'LPN', 'APRN', 'MD', 'PARAMEDIC', 'EMT', 'USAR_TECH'] as const;
export type QualificationCode = (typeof QUALIFICATION_CODES)[number];

export type AchievementType = 'License' | 'Certification';

interface QualificationDefinition {
  achievementName: string;
  /** License or Certification; EMS levels are licences from a state EMS office but certifications from a national registry. */
  achievementType: AchievementType | 'by-issuer';
  description: string;
  criteria: string;
  /** Prefix of generated licence numbers (shaped like the real ones, never real). */
  numberPrefix: string;
}

const QUALIFICATIONS: Record<QualificationCode, QualificationDefinition> = {
  RN: {
    achievementName: 'Registered Nurse',
    achievementType: 'License',
    description: 'Licensed to practise as a registered nurse under the laws of the issuing jurisdiction.',
    criteria: "Graduated from an approved professional nursing programme, passed the NCLEX-RN examination and met the board's licensure requirements.",
    numberPrefix: 'RN',
  },
  LPN: {
    achievementName: 'Licensed Practical Nurse',
    achievementType: 'License',
    description: 'Licensed to practise as a practical nurse under the laws of the issuing jurisdiction.',
    criteria: 'Graduated from an approved practical nursing programme and passed the NCLEX-PN examination.',
    numberPrefix: 'PN',
  },
  APRN: {
    achievementName: 'Advanced Practice Registered Nurse',
    achievementType: 'License',
    description: 'Licensed to practise as an advanced practice registered nurse under the laws of the issuing jurisdiction.',
    criteria: 'Holds an active RN licence, a graduate degree in an advanced nursing role and national certification in that role.',
    numberPrefix: 'APRN',
  },
  MD: {
    achievementName: 'Physician',
    achievementType: 'License',
    description: 'Licensed to practise medicine under the laws of the issuing jurisdiction.',
    criteria: 'Graduated from an accredited medical school, passed all steps of the licensing examination and completed postgraduate training.',
    numberPrefix: 'ME',
  },
  PARAMEDIC: {
    achievementName: 'Paramedic',
    achievementType: 'by-issuer',
    description: 'Qualified to provide advanced life support as a paramedic.',
    criteria: 'Completed an accredited paramedic programme and passed the cognitive and psychomotor examinations.',
    numberPrefix: 'PMD',
  },
  EMT: {
    achievementName: 'Emergency Medical Technician',
    achievementType: 'by-issuer',
    description: 'Qualified to provide basic life support as an emergency medical technician.',
    criteria: 'Completed an approved EMT course and passed the cognitive and psychomotor examinations.',
    numberPrefix: 'EMT',
  },
  USAR_TECH: {
    achievementName: 'Structural Collapse Rescue Technician',
    achievementType: 'Certification',
    description: 'Qualified for structural collapse search and rescue as a member of an urban search and rescue task force.',
    criteria: 'Completed the structural collapse technician curriculum and the task-force position task book.',
    numberPrefix: 'USAR',
  },
};

export function isQualificationCode(value: string): value is QualificationCode {
  return (QUALIFICATION_CODES as readonly string[]).includes(value);
}

export interface AchievementDescription {
  code: QualificationCode;
  name: string;
  achievementType: AchievementType;
  description: string;
  criteria: string;
  numberPrefix: string;
}

export function describeQualification(code: QualificationCode, issuerKind: BoardKind): AchievementDescription {
  const q = QUALIFICATIONS[code];
  const achievementType: AchievementType =
    q.achievementType === 'by-issuer' ? (issuerKind === 'national-certifier' ? 'Certification' : 'License') : q.achievementType;
  return { code, name: q.achievementName, achievementType, description: q.description, criteria: q.criteria, numberPrefix: q.numberPrefix };
}
