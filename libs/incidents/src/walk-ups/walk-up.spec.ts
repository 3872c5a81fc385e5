import { GENERAL_SUPPORT, refusalFor } from './walk-up';

describe('walk-up admission rule', () => {
  const support = { name: 'Shelter Support', requiredQualifications: [GENERAL_SUPPORT] };
  const triage = { name: 'Triage Nurse', requiredQualifications: ['RN', 'APRN'] };

  it('lets a volunteer pending verification take a general-support position only', () => {
    const pending = { status: 'pending_verification' as const, verifiedQualifications: [] };
    expect(refusalFor(pending, support)).toBeNull();
    expect(refusalFor(pending, triage)?.code).toBe('walk_up_not_verified');
  });

  it('lets a verified walk-up take a position their verified qualification meets, and no other', () => {
    const nurse = { status: 'verified' as const, verifiedQualifications: ['RN'] };
    expect(refusalFor(nurse, triage)).toBeNull();
    expect(refusalFor(nurse, { name: 'Paramedic', requiredQualifications: ['PARAMEDIC'] })?.code).toBe('not_qualified');
    expect(refusalFor(nurse, support)).toBeNull();
  });
});
