import { esarVhpLevel } from './esar-vhp-level';

describe('esarVhpLevel', () => {
  it.each([
    [
      [
        { qualification: 'RN', verified: true },
        { qualification: 'HOSPITAL_PRIVILEGES', verified: true },
      ],
      1,
      'level 1: RN licence verified and hospital privileges verified (clinically active in a hospital)',
    ],
    [
      [
        { qualification: 'PARAMEDIC', verified: true },
        { qualification: 'CLINICAL_ACTIVITY', verified: true },
      ],
      2,
      'level 2: PARAMEDIC licence verified and clinical activity verified (clinically active outside a hospital)',
    ],
    [
      [
        { qualification: 'RN', verified: true },
        { qualification: 'HOSPITAL_PRIVILEGES', verified: false },
      ],
      3,
      'level 3: RN licence verified (meets the basic requirements to practise)',
    ],
    [
      [{ qualification: 'HOSPITAL_PRIVILEGES', verified: true }],
      4,
      'level 4: HOSPITAL_PRIVILEGES verified, no scope-of-practice licence (experience or education)',
    ],
    [[{ qualification: 'USAR_TECH', verified: true }], 4, 'level 4: USAR_TECH verified, no scope-of-practice licence (experience or education)'],
    [[{ qualification: 'RN', verified: false }], null, 'no level: no verified credential'],
  ])('%j -> %s', (credentials, level, rule) => {
    expect(esarVhpLevel(credentials)).toEqual({ level, rule });
  });
});
