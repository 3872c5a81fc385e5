import type { VerificationCheck, VerificationResult } from '@app/credentials';
import type { PracticeAuthorityView } from '@app/practice-authority';
import { decideCheckIn, withPracticeAuthority } from './check-in-decision';

const pass = (id: VerificationCheck['id']): VerificationCheck => ({ id, status: 'pass', code: 'ok', message: 'ok' });

function result(overrides: Partial<VerificationResult> & { qualification?: string } = {}): VerificationResult {
  const checks = overrides.checks ?? [pass('format'), pass('signature'), pass('data_model'), pass('validity'), pass('status'), pass('issuer_trust')];
  const errors = checks.filter((c) => c.status === 'fail');
  const warnings = checks.filter((c) => c.status === 'indeterminate');
  return {
    verified: errors.length === 0 && warnings.length === 0,
    checks,
    errors,
    warnings,
    credential: {
      format: 'vc+jwt',
      types: ['VerifiableCredential'],
      issuer: { id: 'did:web:board' },
      subject: { name: 'Ana Diaz' },
      qualification: overrides.qualification ?? 'RN',
      status: [],
    },
    evidence: { credentialHash: 'h', status: [], verifiedAt: new Date(0).toISOString() },
    ...overrides,
  };
}

const statusUnavailable: VerificationCheck = {
  id: 'status',
  status: 'indeterminate',
  code: 'status_unavailable',
  message: 'The status list could not be reached.',
};
const revoked: VerificationCheck = { id: 'status', status: 'fail', code: 'revoked', message: 'The licence has been revoked.' };

describe('decideCheckIn', () => {
  const triage = { name: 'Triage Nurse', requiredQualifications: ['RN', 'APRN'] };

  it('never admits on a deployment record, with or without a position: it is no licence', () => {
    for (const position of [undefined, triage, { name: 'Record keeper', requiredQualifications: ['DEPLOYMENT_RECORD'] }]) {
      expect(decideCheckIn(result({ qualification: 'DEPLOYMENT_RECORD' }), 'admit_with_warning', position)).toMatchObject({
        decision: 'denied',
        reasons: [{ code: 'deployment_record' }],
      });
    }
  });

  it('admits a verified credential that qualifies for the position', () => {
    expect(decideCheckIn(result(), 'deny', triage)).toMatchObject({ decision: 'admitted', reasons: [] });
  });

  it('denies failed checks with their reasons', () => {
    const r = result({ checks: [pass('signature'), revoked] });
    expect(decideCheckIn(r, 'admit_with_warning')).toMatchObject({ decision: 'denied', reasons: [{ code: 'revoked' }] });
  });

  it('applies the incident policy to an unreachable status list', () => {
    const r = result({ checks: [pass('signature'), statusUnavailable] });
    expect(decideCheckIn(r, 'admit_with_warning')).toMatchObject({ decision: 'admitted_with_warnings', reasons: [{ code: 'status_unavailable' }] });
    const denied = decideCheckIn(r, 'deny');
    expect(denied.decision).toBe('denied');
    expect(denied.reasons.map((x) => x.code)).toEqual(['status_unavailable', 'status_unavailable_policy']);
  });

  it('denies a qualification the position does not accept, naming both', () => {
    const d = decideCheckIn(result({ qualification: 'EMT' }), 'deny', triage);
    expect(d.decision).toBe('denied');
    expect(d.reasons[0]).toEqual({ code: 'not_qualified', message: 'EMT does not qualify for Triage Nurse, which requires RN or APRN.' });
  });

  it('denies a credential without a recognised qualification when a position is asked for', () => {
    const r = result();
    delete r.credential!.qualification;
    expect(decideCheckIn(r, 'deny', triage).reasons[0].code).toBe('no_qualification');
  });

  it('picks the best enclosed credential of a presentation', () => {
    const vp = result({ credentials: [result({ qualification: 'EMT' }), result({ qualification: 'RN' })] });
    const d = decideCheckIn(vp, 'deny', triage);
    expect(d.decision).toBe('admitted');
    expect(d.basis.credential?.qualification).toBe('RN');
  });

  it('denies when trust cannot be decided (registry unreadable), whatever the status policy', () => {
    const registryDown: VerificationCheck = {
      id: 'issuer_trust',
      status: 'indeterminate',
      code: 'untrusted_issuer',
      message: 'The trust registry cannot be read right now.',
    };
    const skipped = (id: VerificationCheck['id']): VerificationCheck => ({ id, status: 'skipped', code: 'skipped', message: 'Not checked.' });
    const r = result({ checks: [pass('format'), skipped('signature'), skipped('data_model'), skipped('validity'), skipped('status'), registryDown] });
    expect(decideCheckIn(r, 'admit_with_warning', triage)).toMatchObject({
      decision: 'denied',
      reasons: [{ code: 'untrusted_issuer', message: expect.stringContaining('registry') }],
    });
    const withStatusWarning = result({ checks: [pass('signature'), statusUnavailable, registryDown] });
    expect(decideCheckIn(withStatusWarning, 'admit_with_warning').decision).toBe('denied');
  });

  it('never admits an unverified result even if it lists no errors', () => {
    const r = { ...result(), verified: false };
    expect(decideCheckIn(r, 'admit_with_warning').decision).toBe('denied');
  });
});

describe('withPracticeAuthority: the third question, and what a position asks of it', () => {
  const mission: PracticeAuthorityView = {
    authorized: true,
    basis: {
      kind: 'emac_mission',
      ruleId: 'FL-2026-0142',
      text: 'PARAMEDIC licensed in GA; practising in FL under EMAC mission FL-2026-0142.',
      until: null,
      conditions: [],
    },
    nearest: null,
    reason: null,
    level: { level: 3, rule: 'level 3: PARAMEDIC licence verified (meets the basic requirements to practise)' },
    ruleSetVersion: 2,
  };
  const admitted = decideCheckIn(result({ qualification: 'PARAMEDIC' }), 'deny');

  it('admits with the basis, denies without one, and leaves a refused credential unassessed', () => {
    expect(withPracticeAuthority(admitted, mission)).toMatchObject({ decision: 'admitted', practiceAuthority: mission });
    const reason = { code: 'no_practice_authority' as const, message: 'No basis to practise as PARAMEDIC in FL.' };
    expect(withPracticeAuthority(admitted, { ...mission, authorized: false, basis: null, reason })).toMatchObject({ decision: 'denied', reasons: [reason] });
    const refused = decideCheckIn(result({ checks: [pass('format'), revoked] }), 'deny');
    expect(withPracticeAuthority(refused, mission)).toMatchObject({ decision: 'denied', practiceAuthority: null });
  });

  it('denies a basis or a level the position does not accept', () => {
    const position = { name: 'ICU Nurse', requiredQualifications: ['PARAMEDIC'] };
    expect(withPracticeAuthority(admitted, mission, { ...position, requiredBasis: ['home_state_licence', 'emac_mission'] }).decision).toBe('admitted');
    expect(withPracticeAuthority(admitted, mission, { ...position, requiredBasis: ['home_state_licence'] }).reasons).toEqual([
      {
        code: 'basis_not_accepted',
        message:
          "ICU Nurse accepts only home state licence as a basis to practise; this responder's basis: PARAMEDIC licensed in GA; practising in FL under EMAC mission FL-2026-0142.",
      },
    ]);
    expect(withPracticeAuthority(admitted, mission, { ...position, requiredLevel: 3 }).decision).toBe('admitted');
    expect(withPracticeAuthority(admitted, mission, { ...position, requiredLevel: 2 }).reasons).toEqual([
      {
        code: 'level_too_low',
        message:
          'ICU Nurse needs ESAR-VHP level 2 or better; this responder is level 3 (level 3: PARAMEDIC licence verified (meets the basic requirements to practise)).',
      },
    ]);
  });
});
