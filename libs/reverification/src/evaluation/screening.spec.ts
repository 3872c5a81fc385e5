import { type DecodedStatusList, type TrustedIssuer, type VerificationResult } from '@app/credentials';
import { IncidentPracticeRules, parsePracticeRules, rulesForState, samplePracticeRules } from '@app/practice-authority';
import { verdictOf } from './engine-verdict';
import { gravest, replacesFlag } from './flag-codes';
import { screen, triage, type ActiveCredential, type ScreeningFacts } from './screening';

const NOW = Date.parse('2026-03-01T12:00:00Z');
const HOUR = 3600_000;
const REV = 'https://board.example/status/revocation';
const SUS = 'https://board.example/status/suspension';
const ISSUER = 'did:web:board.example';

function list(url: string, set: number[]): DecodedStatusList {
  const bits = new Uint8Array(131072 / 8);
  for (const i of set) bits[i >> 3] |= 0x80 >> (i & 7);
  return {
    url,
    issuer: ISSUER,
    purposes: [url === REV ? 'revocation' : 'suspension'],
    bits,
    bitLength: bits.length * 8,
    fetchedAt: NOW,
    expiresAt: NOW + 60_000,
    version: 'v',
    stale: false,
  };
}

const trusted: TrustedIssuer = { id: ISSUER, name: 'Florida Board of Nursing', jurisdictions: ['US-FL'], qualifications: ['RN'], algorithms: ['ES256'] };

function facts(
  over: Partial<{
    revoked: number[];
    suspended: number[];
    issuer: TrustedIssuer | undefined | 'unavailable';
    keys: string[] | 'unavailable';
    lists: 'unavailable';
  }> = {},
): ScreeningFacts {
  const lists = new Map([
    [REV, list(REV, over.revoked ?? [])],
    [SUS, list(SUS, over.suspended ?? [])],
  ]);
  return {
    now: NOW,
    clockSkewMs: 60_000,
    expiryWarningMs: 12 * HOUR,
    issuer: () => ('issuer' in over ? over.issuer : trusted),
    keyThumbprints: () => (over.keys === 'unavailable' ? 'unavailable' : new Set(over.keys ?? ['thumb-1'])),
    list: (url) => (over.lists === 'unavailable' ? 'unavailable' : (lists.get(url) ?? 'unavailable')),
  };
}

function credential(over: Partial<ActiveCredential> = {}): ActiveCredential {
  return {
    deploymentId: 'd1',
    incidentId: 'i1',
    responderId: 'r1',
    credentialId: 'c1',
    currentFlag: null,
    issuerId: ISSUER,
    format: 'vc+jwt',
    qualification: 'RN',
    validUntil: new Date(NOW + 400 * 24 * HOUR),
    statusEntries: [
      { type: 'BitstringStatusListEntry', purpose: 'revocation', listUrl: REV, index: 42 },
      { type: 'BitstringStatusListEntry', purpose: 'suspension', listUrl: SUS, index: 42 },
    ],
    keyThumbprint: 'thumb-1',
    jurisdiction: 'US-FL',
    mutualAidJurisdictions: [],
    expiryWarned: false,
    ...over,
  };
}

const flag = (code: 'revoked' | 'suspended' | 'expired' | 'untrusted_issuer') => ({ code, message: code, at: new Date(NOW).toISOString() });

describe('screening a deployed credential', () => {
  it('finds nothing wrong with a good credential and leaves it alone', () => {
    const s = screen(credential(), facts());
    expect(s).toEqual({ problems: [], unavailable: [], keyChanged: false, expiresSoon: false });
    expect(triage(credential(), s)).toBe('unchanged');
  });

  it('reads the revocation and suspension bits at the credential index (other indices do not matter)', () => {
    expect(screen(credential(), facts({ revoked: [41, 43] })).problems).toEqual([]);
    expect(screen(credential(), facts({ revoked: [42] })).problems.map((p) => p.code)).toEqual(['revoked']);
    expect(screen(credential(), facts({ suspended: [42] })).problems.map((p) => p.code)).toEqual(['suspended']);
  });

  it('an SD-JWT VC: its Token Status List value says revoked (1) or suspended (2), and its keys are looked up as SD-JWT VC keys', () => {
    const TOKEN = 'https://board.example/status/token';
    const bytes = new Uint8Array(65536 / 4);
    bytes[0] = 0b11_10_01_00; // entries 0..3 = 0, 1, 2, 3 (two bits each, least significant first)
    const tokenList: DecodedStatusList = {
      url: TOKEN,
      issuer: ISSUER,
      purposes: ['status_list'],
      bits: bytes,
      bitLength: bytes.length * 8,
      fetchedAt: NOW,
      expiresAt: NOW + 60_000,
      version: 'v',
      stale: false,
      tokenBits: 2,
    };
    const formats: Array<string | null> = [];
    const f: ScreeningFacts = {
      ...facts(),
      list: (url) => (url === TOKEN ? tokenList : 'unavailable'),
      keyThumbprints: (_issuer, format) => (formats.push(format), new Set(['thumb-1'])),
    };
    const at = (index: number) =>
      screen(credential({ format: 'dc+sd-jwt', statusEntries: [{ type: 'TokenStatusList', purpose: 'status_list', listUrl: TOKEN, index }] }), f);
    expect(at(0)).toMatchObject({ problems: [], unavailable: [] });
    expect(at(1).problems.map((p) => p.code)).toEqual(['revoked']);
    expect(at(2).problems.map((p) => p.code)).toEqual(['suspended']);
    expect(at(3)).toMatchObject({ problems: [], unavailable: [`status value 3 of index 3 of ${TOKEN}`] });
    expect(formats).toEqual(['dc+sd-jwt', 'dc+sd-jwt', 'dc+sd-jwt', 'dc+sd-jwt']);
  });

  it('asks the engine to confirm a new problem, but not one the deployment is already flagged for', () => {
    const s = screen(credential(), facts({ revoked: [42] }));
    expect(triage(credential(), s)).toBe('confirm');
    expect(triage(credential({ currentFlag: flag('revoked') }), s)).toBe('unchanged');
  });

  it('a lifted suspension is confirmed (to clear the flag); a revocation is never downgraded', () => {
    expect(triage(credential({ currentFlag: flag('suspended') }), screen(credential(), facts()))).toBe('confirm');
    expect(triage(credential({ currentFlag: flag('revoked') }), screen(credential(), facts({ suspended: [42] })))).toBe('unchanged');
    expect(triage(credential({ currentFlag: flag('revoked') }), screen(credential(), facts()))).toBe('unchanged');
  });

  it('expired (past the clock skew) and expiring within the warning window', () => {
    expect(screen(credential({ validUntil: new Date(NOW - 2 * 60_000) }), facts()).problems.map((p) => p.code)).toEqual(['expired']);
    expect(screen(credential({ validUntil: new Date(NOW - 30_000) }), facts()).problems).toEqual([]);
    expect(screen(credential({ validUntil: new Date(NOW + 6 * HOUR) }), facts()).expiresSoon).toBe(true);
    expect(screen(credential({ validUntil: new Date(NOW + 13 * HOUR) }), facts()).expiresSoon).toBe(false);
  });

  it('issuer retired, removed, out of the jurisdiction or no longer authorized for the qualification', () => {
    const codes = (f: ScreeningFacts, c = credential()) => screen(c, f).problems.map((p) => p.code);
    expect(codes(facts({ issuer: { ...trusted, retiredAt: new Date(NOW - HOUR) } }))).toEqual(['untrusted_issuer']);
    expect(codes(facts({ issuer: undefined }))).toEqual(['untrusted_issuer']);
    expect(codes(facts({ issuer: { ...trusted, jurisdictions: ['US-GA'] } }))).toEqual(['issuer_not_authorized']);
    expect(codes(facts({ issuer: { ...trusted, jurisdictions: ['US-GA'] } }), credential({ mutualAidJurisdictions: ['US-GA'] }))).toEqual([]);
    expect(codes(facts({ issuer: { ...trusted, qualifications: ['LPN'] } }))).toEqual(['issuer_not_authorized']);
    expect(codes(facts({ issuer: { ...trusted, jurisdictions: ['US'] } }))).toEqual([]);
  });

  it('re-checks the signature only when the issuer no longer publishes the key that verified it', () => {
    expect(screen(credential(), facts({ keys: ['thumb-1', 'thumb-2'] })).keyChanged).toBe(false);
    const rotated = screen(credential(), facts({ keys: ['thumb-2'] }));
    expect(rotated.keyChanged).toBe(true);
    expect(triage(credential(), rotated)).toBe('confirm');
  });

  it('an unreachable list or registry is "could not check", never "fine" and never a flag', () => {
    const s = screen(credential(), facts({ lists: 'unavailable' }));
    expect(s.problems).toEqual([]);
    expect(s.unavailable).toHaveLength(2);
    expect(triage(credential(), s)).toBe('unavailable');
    expect(triage(credential({ currentFlag: flag('suspended') }), s)).toBe('unavailable');
    expect(triage(credential(), screen(credential(), facts({ issuer: 'unavailable' })))).toBe('unavailable');
  });
});

describe('flag precedence', () => {
  it('shows the gravest problem and only replaces a flag with a graver one, or a reversible one with anything', () => {
    expect(
      gravest([
        { code: 'suspended', message: '' },
        { code: 'expired', message: '' },
        { code: 'revoked', message: '' },
      ])?.code,
    ).toBe('revoked');
    expect(replacesFlag(undefined, 'suspended')).toBe(true);
    expect(replacesFlag('suspended', 'revoked')).toBe(true);
    expect(replacesFlag('revoked', 'suspended')).toBe(false);
    expect(replacesFlag('expired', 'expired')).toBe(false);
    expect(replacesFlag('untrusted_issuer', 'suspended')).toBe(true);
  });
});

describe("the engine's verdict", () => {
  const result = (checks: Array<[string, string, string]>): VerificationResult => {
    const list = checks.map(([id, status, code]) => ({ id, status, code, message: `${id} ${code}` })) as VerificationResult['checks'];
    return {
      verified: list.every((c) => c.status === 'pass'),
      checks: list,
      warnings: [],
      errors: [],
      evidence: { credentialHash: 'h', status: [], verifiedAt: '' },
    };
  };
  const pass = (id: string): [string, string, string] => [id, 'pass', 'ok'];

  it('maps failed checks to flags, gravest first', () => {
    const v = verdictOf(
      result([pass('format'), pass('signature'), pass('data_model'), ['validity', 'fail', 'expired'], ['status', 'fail', 'revoked'], pass('issuer_trust')]),
    );
    expect(v).toMatchObject({ kind: 'problem', problem: { code: 'revoked' } });
  });

  it('a signature that no longer verifies is signature_invalid; keys that cannot be fetched decide nothing', () => {
    expect(verdictOf(result([pass('format'), ['signature', 'fail', 'key_not_found']]))).toMatchObject({
      kind: 'problem',
      problem: { code: 'signature_invalid' },
    });
    expect(verdictOf(result([pass('format'), ['signature', 'fail', 'did_unresolvable']])).kind).toBe('unavailable');
  });

  it('clean when everything passes; unavailable when status or trust is indeterminate', () => {
    const all = ['format', 'signature', 'data_model', 'validity', 'status', 'issuer_trust'].map(pass);
    expect(verdictOf(result(all))).toEqual({ kind: 'clean' });
    expect(verdictOf(result([...all.slice(0, 4), ['status', 'indeterminate', 'status_unavailable'], pass('issuer_trust')])).kind).toBe('unavailable');
  });
});

describe('screening follows the basis to practise', () => {
  const doc = parsePracticeRules(samplePracticeRules());
  const rules = new IncidentPracticeRules(3, rulesForState(doc, 'US-FL'));
  const onMission = (at: string) =>
    screen(
      credential({
        qualification: 'PARAMEDIC',
        practice: {
          admittedOn: {
            authorized: true,
            basis: { kind: 'emac_mission', ruleId: 'FL-2026-0142', text: 'PARAMEDIC licensed in GA; ...', until: '2026-07-24T00:00:00Z', conditions: [] },
            nearest: null,
            reason: null,
            level: { level: 3, rule: 'level 3' },
            ruleSetVersion: 3,
          },
          homeStates: ['US-GA'],
          multistate: undefined,
          licenseNumber: null,
          missionNumber: 'FL-2026-0142',
          incidentMutualAid: [],
          rules,
        },
      }),
      { ...facts(), now: Date.parse(at) },
    ).problems.filter((p) => p.code === 'mission_ended');

  it('flags a deployment whose EMAC mission has ended, and not one whose mission is in force', () => {
    expect(onMission('2026-07-01T00:00:00Z')).toEqual([]);
    expect(onMission('2026-07-25T00:00:00Z')).toEqual([
      {
        code: 'mission_ended',
        message:
          'No longer authorized to practise here (admitted on: PARAMEDIC licensed in GA; ...) No basis to practise as PARAMEDIC in FL (licensed in GA): nearest rule FL-2026-0142, EMAC mission FL-2026-0142 ended 2026-07-24.',
      },
    ]);
  });
});
