import { CREDENTIAL_FORMATS, DEFAULT_BOARDS } from '../../issuer/src';
import { buildRoster, rosterSummary } from './demo-roster';
import { badgeSheet, fileSlug, type BadgeManifest } from './badges';
import { parseArgs } from './main';
import { matchesExpectation, positionFor } from './surge';

describe('demo roster', () => {
  const now = new Date('2026-06-12T14:00:00Z');
  const roster = buildRoster({ now });

  it('has 300 responders with unique names and licence numbers, the same every run', () => {
    expect(roster).toHaveLength(300);
    expect(new Set(roster.map((r) => r.name)).size).toBe(300);
    expect(new Set(roster.map((r) => r.licenseNumber)).size).toBe(300);
    expect(buildRoster({ now }).map((r) => [r.name, r.board, r.format])).toEqual(roster.map((r) => [r.name, r.board, r.format]));
  });

  it('holds a few expired, one revoked, one suspended, one from the untrusted board, one without a state licence, Georgia nurses, the Georgia strike team, Texas multistate nurses and national certifications', () => {
    expect(rosterSummary(roster)).toEqual({ admitted: 292, expired: 4, revoked: 1, suspended: 1, untrusted_issuer: 1, no_practice_authority: 1 });
    expect(roster.filter((r) => r.board === 'ga-ems').every((r) => r.orderRequestNumber === 'FL-2026-0142')).toBe(true);
    expect(roster.filter((r) => r.board === 'ga-ems').length).toBeGreaterThan(10);
    expect(roster.filter((r) => r.board === 'tx-nursing').every((r) => r.multistate === true && r.format !== 'ldp-vc')).toBe(true);
    expect(roster.filter((r) => r.board === 'rogue-board')).toHaveLength(1);
    expect(roster.filter((r) => r.scenario === 'mutual-aid').length).toBeGreaterThan(10);
    expect(roster.filter((r) => r.board === 'nremt' || r.board === 'fema-usar').length).toBeGreaterThan(50);
    expect(roster.filter((r) => r.format === 'ob3-jwt').length).toBeGreaterThan(60);
    expect(roster.filter((r) => r.format === 'vc+jwt').length).toBeGreaterThan(60);
    for (const format of ['jwt-vc', 'dc+sd-jwt', 'dc+sd-jwt-json', 'ldp-vc', 'ldp-vp'] as const)
      expect(roster.filter((r) => r.format === format).length).toBeGreaterThan(10);
    for (const r of roster.filter((x) => x.scenario === 'expired')) expect(r.validUntil.getTime()).toBeLessThan(now.getTime());
    for (const r of roster.filter((x) => x.expected.decision === 'admitted')) expect(r.validUntil.getTime()).toBeGreaterThan(now.getTime());
  });

  it.each([20, 40, 300])('admits at least one responder per credential format in a roster of %i', (size) => {
    const small = buildRoster({ now, size });
    const admitted = small.filter((r) => r.expected.decision === 'admitted' && !r.spotlight);
    expect(new Set(admitted.map((r) => r.format))).toEqual(new Set(CREDENTIAL_FORMATS));
  });

  it('issues Data Integrity credentials from Ed25519 boards (eddsa-rdfc-2022) and P-256 boards (ecdsa-rdfc-2019)', () => {
    const algOf = new Map(DEFAULT_BOARDS.map((b) => [b.slug, b.alg]));
    const admitted = roster.filter((r) => r.format === 'ldp-vc' && r.expected.decision === 'admitted');
    expect(new Set(admitted.map((r) => algOf.get(r.board)))).toEqual(new Set(['EdDSA', 'ES256']));
  });

  it('puts the spotlight Florida nurse first and every refusal within the first sixty (so a small surge shows them all)', () => {
    expect(roster[0]).toMatchObject({ spotlight: true, board: 'fl-nursing', qualification: 'RN', expected: { decision: 'admitted' } });
    expect(roster.filter((r) => r.spotlight)).toHaveLength(1);
    const refusals = roster.flatMap((r, i) => (r.expected.decision === 'denied' ? [i] : []));
    expect(Math.max(...refusals)).toBeLessThan(60);
  });

  it('sends each qualification to a position that requires it', () => {
    expect(positionFor({ qualification: 'MD', key: 'r002' })).toBe('Physician');
    expect(positionFor({ qualification: 'USAR_TECH', key: 'r002' })).toBe('Rescue Specialist');
    expect(['Triage Nurse', 'Shelter Nurse']).toContain(positionFor({ qualification: 'RN', key: 'r003' }));
  });

  it('counts admitted_with_warnings as admitted, and a denial only with the expected reason', () => {
    const admitted = { expected: { decision: 'admitted' as const, note: '' } };
    const expired = { expected: { decision: 'denied' as const, reason: 'expired' as const, note: '' } };
    expect(matchesExpectation(admitted, 'admitted_with_warnings', [])).toBe(true);
    expect(matchesExpectation(admitted, 'denied', [{ code: 'expired' }])).toBe(false);
    expect(matchesExpectation(expired, 'denied', [{ code: 'expired' }])).toBe(true);
    expect(matchesExpectation(expired, 'denied', [{ code: 'revoked' }])).toBe(false);
  });
});

describe('demo badges sheet and arguments', () => {
  it('escapes what it prints and names files safely', () => {
    expect(fileSlug("José O'Brien-Ramírez")).toBe('jose-o-brien-ramirez');
    const manifest: BadgeManifest = {
      generatedAt: '2026-06-12T14:00:00Z',
      issuerUrl: 'http://127.0.0.1:4100',
      summary: { admitted: 1 },
      badges: [
        {
          key: 'r001',
          name: '<script>x</script>',
          qualification: 'RN',
          qualificationName: 'Registered Nurse',
          board: 'fl-nursing',
          boardName: 'Florida Board of Nursing',
          format: 'vc+jwt',
          agency: 'A & B',
          homeUnit: 'ED',
          homeState: 'FL',
          departurePoint: 'Miami, FL',
          methodOfTravel: 'POV',
          licenseNumber: 'RN1',
          credentialId: 'urn:uuid:1',
          statusIndex: 5,
          validFrom: '2025-01-01T00:00:00Z',
          validUntil: '2027-01-01T00:00:00Z',
          scenario: 'in-state',
          expected: { decision: 'admitted', note: 'ok' },
          spotlight: true,
          file: 'r001-x.png',
          credential: 'a.b.c',
        },
      ],
    };
    const html = badgeSheet(manifest);
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;x&lt;/script&gt;');
    expect(html).toContain('A &amp; B');
    expect(html).toContain('src="r001-x.png"');
  });

  it('parses --surge with and without a count, and refuses unknown options', () => {
    expect(parseArgs([])).toMatchObject({ build: true, responders: 300 });
    expect(parseArgs([]).surge).toBeUndefined();
    expect(parseArgs(['--surge'])).toMatchObject({ surge: 100 });
    expect(parseArgs(['--surge', '250', '--rate', '5', '--no-build'])).toMatchObject({ surge: 250, rate: 5, build: false });
    expect(() => parseArgs(['--surge', '0'])).toThrow(/--surge/);
    expect(() => parseArgs(['--bogus'])).toThrow(/unknown option/);
  });
});
