import type { CredentialFormat, QualificationCode } from '../../issuer/src';

/**
 * The people of the demo: about 300 responders to a building collapse in Miami-Dade County, with home agencies,
 * the board that licensed or certified them, and what a check-in of their badge must decide. Generated from a
 * fixed seed, so every run shows the same names (only the keys, status indices and dates move).
 */

/** Why a responder is in the demo: most are ordinary; a few are there to be refused. */
export type Scenario =
  | 'in-state'
  | 'national'
  | 'mutual-aid'
  | 'emac-mission'
  | 'compact'
  | 'no-state-licence'
  | 'expiring-soon'
  | 'expired'
  | 'revoked'
  | 'suspended'
  | 'untrusted';

/** The Georgia strike team's EMAC mission in the demo's practice rules (demo-seed.ts): given at check-in as the order request number. */
export const DEMO_MISSION = 'FL-2026-0142';

export interface ExpectedOutcome {
  /** `admitted` also covers `admitted_with_warnings` (for example a licence that expires during the shift). */
  decision: 'admitted' | 'denied';
  /** The verification reason code a denial must carry. */
  reason?: 'expired' | 'revoked' | 'suspended' | 'untrusted_issuer' | 'no_practice_authority';
  /** One line for the presenter. */
  note: string;
}

export interface DemoResponder {
  /** Stable key, also the badge file's prefix: `r001`. */
  key: string;
  name: string;
  qualification: QualificationCode;
  board: string;
  format: CredentialFormat;
  agency: string;
  homeUnit: string;
  /** Two-letter home state (ICS 211 block 5). */
  homeState: string;
  departurePoint: string;
  methodOfTravel: string;
  licenseNumber: string;
  validFrom: Date;
  validUntil: Date;
  scenario: Scenario;
  expected: ExpectedOutcome;
  /** The responder the printed instructions suggest revoking: checked in first by a surge. */
  spotlight: boolean;
  /** ICS 211 block 6 as the station enters it: the EMAC mission number for the Georgia strike team. */
  orderRequestNumber?: string;
  /** The licence is multistate (NLC): the Texas nurses. */
  multistate?: boolean;
}

export interface RosterOptions {
  /** Default 300. At least 20 (so every special case fits). */
  size?: number;
  /** Default: a fixed seed (same names every run). */
  seed?: number;
  /** Dates are computed from this. Default: now. */
  now?: Date;
}

const DAY = 86_400_000;
const HOUR = 3_600_000;

interface AgencyPool {
  homeState: string;
  agencies: Array<{ name: string; units: string[]; from: string }>;
  travel: string[];
}

const FL_HOSPITALS: AgencyPool = {
  homeState: 'FL',
  travel: ['POV', 'POV', 'Agency vehicle'],
  agencies: [
    { name: 'Jackson Memorial Hospital', units: ['Ryder Trauma Center', 'Emergency Department', 'Surgical ICU'], from: 'Miami, FL' },
    { name: 'Mount Sinai Medical Center', units: ['Emergency Department', 'Critical Care'], from: 'Miami Beach, FL' },
    { name: 'Baptist Hospital of Miami', units: ['Emergency Center', 'Trauma Services'], from: 'Kendall, FL' },
    { name: 'Memorial Regional Hospital', units: ['Trauma Center', 'Emergency Department'], from: 'Hollywood, FL' },
    { name: 'Broward Health Medical Center', units: ['Level I Trauma', 'Emergency Department'], from: 'Fort Lauderdale, FL' },
    { name: "Nicklaus Children's Hospital", units: ['Pediatric Emergency', 'PICU'], from: 'Miami, FL' },
    { name: 'Tampa General Hospital', units: ['Emergency Department', 'Burn Center'], from: 'Tampa, FL' },
    { name: 'UF Health Shands Hospital', units: ['Emergency Medicine', 'Trauma ICU'], from: 'Gainesville, FL' },
    { name: 'AdventHealth Orlando', units: ['Emergency Department', 'Critical Care'], from: 'Orlando, FL' },
    { name: 'Florida Department of Health in Miami-Dade', units: ['Medical Reserve Corps', 'Epidemiology'], from: 'Miami, FL' },
  ],
};

const FL_EMS: AgencyPool = {
  homeState: 'FL',
  travel: ['Agency vehicle', 'Agency vehicle', 'Rescue unit'],
  agencies: [
    { name: 'Miami-Dade Fire Rescue', units: ['Station 21', 'Station 76', 'Rescue 43', 'Battalion 7'], from: 'Doral, FL' },
    { name: 'City of Miami Fire-Rescue', units: ['Station 4', 'Rescue 12', 'Station 10'], from: 'Miami, FL' },
    { name: 'Miami Beach Fire Department', units: ['Station 2', 'Rescue 3', 'Station 4'], from: 'Miami Beach, FL' },
    { name: 'Hialeah Fire Department', units: ['Station 1', 'Rescue 7'], from: 'Hialeah, FL' },
    { name: 'Coral Gables Fire Department', units: ['Station 2', 'Rescue 1'], from: 'Coral Gables, FL' },
    { name: 'Broward Sheriff Fire Rescue', units: ['Station 17', 'Rescue 32'], from: 'Fort Lauderdale, FL' },
    { name: 'Palm Beach County Fire Rescue', units: ['Station 34', 'Rescue 22'], from: 'West Palm Beach, FL' },
    { name: 'Monroe County Fire Rescue', units: ['Station 8', 'Trauma Star'], from: 'Key Largo, FL' },
  ],
};

const NATIONAL_EMS: AgencyPool = {
  homeState: 'FL',
  travel: ['Agency vehicle', 'Ambulance strike team'],
  agencies: [
    { name: 'American Medical Response', units: ['Southeast Region', 'Ambulance Strike Team 3'], from: 'Fort Myers, FL' },
    { name: 'Acadian Ambulance Service', units: ['Disaster Response Team'], from: 'Lafayette, LA' },
    { name: 'FL-5 Disaster Medical Assistance Team', units: ['Team B'], from: 'Tallahassee, FL' },
    { name: 'Mobile Fire-Rescue Department', units: ['EMS Division'], from: 'Mobile, AL' },
  ],
};

const USAR: AgencyPool = {
  homeState: 'FL',
  travel: ['Task force convoy'],
  agencies: [
    { name: 'Florida Task Force 1 (Miami-Dade)', units: ['Rescue Team A', 'Rescue Team B', 'Search Team'], from: 'Doral, FL' },
    { name: 'Florida Task Force 2 (City of Miami)', units: ['Rescue Team A', 'Rescue Team B', 'Medical Team'], from: 'Miami, FL' },
    { name: 'Virginia Task Force 1 (Fairfax County)', units: ['Rescue Team A', 'Rescue Team B'], from: 'Chantilly, VA' },
    { name: 'Maryland Task Force 1 (Montgomery County)', units: ['Rescue Team A'], from: 'Rockville, MD' },
    { name: 'Tennessee Task Force 1 (Memphis)', units: ['Rescue Team B'], from: 'Memphis, TN' },
  ],
};

const GA_HOSPITALS: AgencyPool = {
  homeState: 'GA',
  travel: ['EMAC convoy', 'Air (commercial)'],
  agencies: [
    { name: 'Grady Memorial Hospital', units: ['Marcus Trauma Center', 'Emergency Department'], from: 'Atlanta, GA' },
    { name: 'Emory University Hospital', units: ['Emergency Department', 'Neuro ICU'], from: 'Atlanta, GA' },
    { name: 'Piedmont Atlanta Hospital', units: ['Emergency Department'], from: 'Atlanta, GA' },
    { name: 'Memorial Health University Medical Center', units: ['Trauma Center'], from: 'Savannah, GA' },
  ],
};

const GA_EMS: AgencyPool = {
  homeState: 'GA',
  travel: ['EMAC convoy'],
  agencies: [
    { name: 'Georgia EMS Strike Team 4 (Atlanta Fire Rescue)', units: ['Strike Team 4-A', 'Strike Team 4-B'], from: 'Atlanta, GA' },
    { name: 'Georgia EMS Strike Team 7 (Chatham EMS)', units: ['Strike Team 7-A'], from: 'Savannah, GA' },
  ],
};

const TX_HOSPITALS: AgencyPool = {
  homeState: 'TX',
  travel: ['Air (commercial)'],
  agencies: [
    { name: 'Houston Methodist Hospital', units: ['Emergency Department', 'Travel Nurse Pool'], from: 'Houston, TX' },
    { name: 'Parkland Memorial Hospital', units: ['Emergency Department'], from: 'Dallas, TX' },
  ],
};

const ONLINE_MILL: AgencyPool = {
  homeState: 'FL',
  travel: ['POV'],
  agencies: [{ name: 'Self-deployed volunteer', units: ['(none)'], from: 'Miami, FL' }],
};

/** Out-of-state task forces keep their own state on ICS 211. */
const STATE_OF_ORIGIN = (from: string, fallback: string): string => from.match(/, ([A-Z]{2})$/)?.[1] ?? fallback;

/** Name pools of South Florida and the states that send help; a first name mostly goes with a surname of its pool. */
const NAME_POOLS: ReadonlyArray<{ weight: number; first: readonly string[]; last: readonly string[] }> = [
  {
    weight: 0.38,
    first: [
      'Ana',
      'María',
      'José',
      'Luis',
      'Carlos',
      'Yesenia',
      'Alejandro',
      'Daniela',
      'Javier',
      'Marisol',
      'Ricardo',
      'Lourdes',
      'Fernando',
      'Gabriela',
      'Raúl',
      'Camila',
      'Jorge',
      'Valentina',
      'Héctor',
      'Beatriz',
      'Rosa',
      'Andrés',
      'Natalia',
      'Elena',
      'Yolanda',
      'Orlando',
      'Maritza',
      'Alexis',
      'Yamilé',
      'Rolando',
    ],
    last: [
      'Rodríguez',
      'García',
      'Martínez',
      'Hernández',
      'López',
      'González',
      'Pérez',
      'Sánchez',
      'Ramírez',
      'Torres',
      'Flores',
      'Rivera',
      'Gómez',
      'Díaz',
      'Morales',
      'Reyes',
      'Cruz',
      'Ortiz',
      'Gutiérrez',
      'Castillo',
      'Fernández',
      'Vargas',
      'Mendoza',
      'Suárez',
      'Delgado',
      'Cabrera',
      'Fuentes',
      'Valdés',
      'Quintero',
      'Acosta',
    ],
  },
  {
    weight: 0.08,
    first: ['Jean', 'Marie', 'Pierre', 'Nadège', 'Widline', 'Jacques', 'Fabienne', 'Emmanuel', 'Guerline', 'Ralph', 'Fritz', 'Mirlande'],
    last: ['Jean-Baptiste', 'Pierre-Louis', 'Joseph', 'Charles', 'Louis', 'Etienne', 'Dorvil', 'Toussaint', 'Baptiste', 'Celestin', 'Desir', 'Augustin'],
  },
  {
    weight: 0.38,
    first: [
      'Michael',
      'Jennifer',
      'David',
      'Sarah',
      'James',
      'Ashley',
      'Robert',
      'Emily',
      'William',
      'Jessica',
      'Thomas',
      'Megan',
      'Christopher',
      'Lauren',
      'Matthew',
      'Rachel',
      'Daniel',
      'Amanda',
      'Brian',
      'Kimberly',
      'Kevin',
      'Nicole',
      'Steven',
      'Danielle',
      'Andrew',
      'Heather',
      'Ryan',
      'Brittany',
      'Tyrone',
      'Latoya',
      'Marcus',
      'Keisha',
      'Darnell',
      'Shanice',
      'Andre',
      'Tamika',
      'Jamal',
      'Imani',
      'Terrence',
      'Monique',
      'Sean',
      'Bridget',
      'Connor',
      'Siobhan',
    ],
    last: [
      'Smith',
      'Johnson',
      'Williams',
      'Brown',
      'Jones',
      'Miller',
      'Davis',
      'Wilson',
      'Anderson',
      'Taylor',
      'Thomas',
      'Moore',
      'Jackson',
      'Martin',
      'Thompson',
      'White',
      'Harris',
      'Clark',
      'Lewis',
      'Robinson',
      'Walker',
      'Young',
      'Allen',
      'King',
      'Wright',
      'Scott',
      'Green',
      'Baker',
      'Adams',
      'Nelson',
      'Hill',
      'Campbell',
      'Mitchell',
      'Roberts',
      'Carter',
      'Phillips',
      'Evans',
      'Turner',
      'Parker',
      'Collins',
      'Edwards',
      'Stewart',
      'Morris',
      'Murphy',
      "O'Brien",
      'Sullivan',
      'Washington',
      'Jefferson',
    ],
  },
  {
    weight: 0.1,
    first: ['Wei', 'Mei', 'Hiroshi', 'Priya', 'Anil', 'Deepa', 'Minh', 'Linh', 'Sung-min', 'Ji-woo', 'Arjun', 'Kavya', 'Thanh', 'Yuki'],
    last: ['Nguyen', 'Tran', 'Pham', 'Chen', 'Wang', 'Li', 'Zhang', 'Kim', 'Park', 'Tanaka', 'Patel', 'Shah', 'Singh', 'Reddy'],
  },
  {
    weight: 0.06,
    first: ['Omar', 'Fatima', 'Yusuf', 'Leila', 'Avi', 'Rivka', 'Olga', 'Dmitri', 'Katarzyna', 'Giovanni', 'Francesca', 'Kwame', 'Ama', 'Chidi', 'Ngozi'],
    last: ['Khan', 'Haddad', 'Cohen', 'Levy', 'Ivanova', 'Petrov', 'Kowalski', 'Nowak', 'Russo', 'Esposito', 'Okafor', 'Mensah', 'Adeyemi', 'Boateng'],
  },
];

/** mulberry32: small, fast, and good enough to make a roster look random but come out the same every run. */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Slot {
  board: string;
  qualification: QualificationCode;
  pool: AgencyPool;
  scenario: Scenario;
  /** A special case's format; ordinary responders take their board's formats in turn (BOARD_FORMATS). */
  format?: CredentialFormat;
}

/**
 * The `--format` each board issues in, in turn for its ordinary responders: every format the verifier reads, and
 * each one first on a board that has ordinary responders in even the smallest roster, so every roster admits at
 * least one responder per format. The Ed25519 boards issue the eddsa-rdfc-2022 Data Integrity credentials and
 * presentations, the P-256 EMS and US&R boards ecdsa-rdfc-2019 ones.
 */
export const BOARD_FORMATS: Readonly<Record<string, readonly CredentialFormat[]>> = {
  'fl-nursing': ['vc+jwt', 'jwt-vc', 'ob3-jwt', 'dc+sd-jwt-json'],
  'fl-medicine': ['ldp-vc', 'ldp-vp', 'vc+jwt', 'ob3-jwt'],
  'fl-ems': ['vc+jwt', 'dc+sd-jwt', 'ob3-jwt', 'ldp-vc'],
  'ga-nursing': ['jwt-vc', 'vc+jwt'],
  'ga-ems': ['vc+jwt', 'ob3-jwt'],
  // Multistate status is a claim the JWT forms carry (docs/practice-authority.md).
  'tx-nursing': ['vc+jwt', 'ob3-jwt'],
  nremt: ['ldp-vp', 'ob3-jwt', 'ldp-vc'],
  'fema-usar': ['ldp-vp', 'ob3-jwt', 'dc+sd-jwt', 'vc+jwt', 'ldp-vc'],
  'rogue-board': ['ob3-jwt'],
};

/** Shares of an ordinary roster (the special cases come on top). */
const ORDINARY: Array<{
  share: number;
  slot: Omit<Slot, 'scenario' | 'format'> & { scenario: 'in-state' | 'national' | 'mutual-aid' | 'emac-mission' | 'compact' };
}> = [
  { share: 0.2, slot: { board: 'fl-nursing', qualification: 'RN', pool: FL_HOSPITALS, scenario: 'in-state' } },
  { share: 0.035, slot: { board: 'fl-nursing', qualification: 'APRN', pool: FL_HOSPITALS, scenario: 'in-state' } },
  { share: 0.03, slot: { board: 'fl-nursing', qualification: 'LPN', pool: FL_HOSPITALS, scenario: 'in-state' } },
  { share: 0.09, slot: { board: 'fl-medicine', qualification: 'MD', pool: FL_HOSPITALS, scenario: 'in-state' } },
  { share: 0.15, slot: { board: 'fl-ems', qualification: 'PARAMEDIC', pool: FL_EMS, scenario: 'in-state' } },
  { share: 0.1, slot: { board: 'fl-ems', qualification: 'EMT', pool: FL_EMS, scenario: 'in-state' } },
  { share: 0.2, slot: { board: 'fema-usar', qualification: 'USAR_TECH', pool: USAR, scenario: 'national' } },
  { share: 0.06, slot: { board: 'ga-nursing', qualification: 'RN', pool: GA_HOSPITALS, scenario: 'mutual-aid' } },
  { share: 0.015, slot: { board: 'ga-nursing', qualification: 'LPN', pool: GA_HOSPITALS, scenario: 'mutual-aid' } },
  { share: 0.03, slot: { board: 'ga-ems', qualification: 'PARAMEDIC', pool: GA_EMS, scenario: 'emac-mission' } },
  { share: 0.025, slot: { board: 'ga-ems', qualification: 'EMT', pool: GA_EMS, scenario: 'emac-mission' } },
  { share: 0.02, slot: { board: 'tx-nursing', qualification: 'RN', pool: TX_HOSPITALS, scenario: 'compact' } },
];

/**
 * Responders who are there to be refused (or to show a warning, or a basis to practise every roster must show: the
 * Georgia strike team under its EMAC mission, a Texas multistate nurse). Order matters: it is the order a surge meets them.
 */
const SPECIAL: Slot[] = [
  { board: 'ga-ems', qualification: 'PARAMEDIC', pool: GA_EMS, scenario: 'emac-mission', format: 'vc+jwt' },
  { board: 'tx-nursing', qualification: 'RN', pool: TX_HOSPITALS, scenario: 'compact', format: 'vc+jwt' },
  // Florida's rules give a national certification without a state licence no basis to practise.
  { board: 'nremt', qualification: 'PARAMEDIC', pool: NATIONAL_EMS, scenario: 'no-state-licence', format: 'ob3-jwt' },
  { board: 'fl-nursing', qualification: 'RN', pool: FL_HOSPITALS, scenario: 'expired', format: 'vc+jwt' },
  { board: 'rogue-board', qualification: 'MD', pool: ONLINE_MILL, scenario: 'untrusted', format: 'ob3-jwt' },
  { board: 'fl-ems', qualification: 'PARAMEDIC', pool: FL_EMS, scenario: 'revoked', format: 'dc+sd-jwt' },
  { board: 'fl-ems', qualification: 'EMT', pool: FL_EMS, scenario: 'expired', format: 'ob3-jwt' },
  { board: 'fl-medicine', qualification: 'MD', pool: FL_HOSPITALS, scenario: 'suspended', format: 'ldp-vc' },
  { board: 'fl-ems', qualification: 'PARAMEDIC', pool: FL_EMS, scenario: 'expiring-soon', format: 'vc+jwt' },
  { board: 'fl-medicine', qualification: 'MD', pool: FL_HOSPITALS, scenario: 'expired', format: 'vc+jwt' },
  { board: 'ga-nursing', qualification: 'RN', pool: GA_HOSPITALS, scenario: 'expired', format: 'ob3-jwt' },
];

const LICENSE_SHAPES: Record<string, (digits: (n: number) => string) => string> = {
  'fl-nursing:RN': (d) => `RN${d(7)}`,
  'fl-nursing:APRN': (d) => `APRN${d(7)}`,
  'fl-nursing:LPN': (d) => `PN${d(7)}`,
  'fl-medicine:MD': (d) => `ME${d(6)}`,
  'fl-ems:PARAMEDIC': (d) => `PMD${d(6)}`,
  'fl-ems:EMT': (d) => `EMT${d(6)}`,
  'nremt:PARAMEDIC': (d) => `P${d(7)}`,
  'nremt:EMT': (d) => `E${d(7)}`,
  'fema-usar:USAR_TECH': (d) => `USAR-${d(5)}`,
  'ga-nursing:RN': (d) => `RN${d(6)}`,
  'ga-nursing:LPN': (d) => `LPN${d(6)}`,
  'ga-ems:PARAMEDIC': (d) => `GA-P${d(6)}`,
  'ga-ems:EMT': (d) => `GA-E${d(6)}`,
  'tx-nursing:RN': (d) => `TX-RN${d(7)}`,
  'rogue-board:MD': (d) => `BMCO-${d(6)}`,
};

function expectedFor(scenario: Scenario): ExpectedOutcome {
  switch (scenario) {
    case 'in-state':
      return { decision: 'admitted', note: 'Florida licence, trusted board' };
    case 'national':
      return { decision: 'admitted', note: 'national certification, trusted for all of the US' };
    case 'mutual-aid':
      return { decision: 'admitted', note: 'Georgia nursing licence, practising under Florida emergency order EO 26-117' };
    case 'emac-mission':
      return { decision: 'admitted', note: `Georgia strike team, practising under EMAC mission ${DEMO_MISSION}` };
    case 'compact':
      return { decision: 'admitted', note: 'Texas multistate RN licence (Nurse Licensure Compact)' };
    case 'no-state-licence':
      return { decision: 'denied', reason: 'no_practice_authority', note: 'national certification only: not a Florida licence, no basis to practise' };
    case 'expiring-soon':
      return { decision: 'admitted', note: 'valid, but expires during this operational period (expiry warning)' };
    case 'expired':
      return { decision: 'denied', reason: 'expired', note: 'licence expired' };
    case 'revoked':
      return { decision: 'denied', reason: 'revoked', note: 'revoked by the board before the incident' };
    case 'suspended':
      return { decision: 'denied', reason: 'suspended', note: 'suspended by the board' };
    case 'untrusted':
      return { decision: 'denied', reason: 'untrusted_issuer', note: 'issued by a credential mill no registry trusts' };
  }
}

/** Builds the demo roster: ordinary responders in proportion, the special cases, and one spotlight responder. */
export function buildRoster(opts: RosterOptions = {}): DemoResponder[] {
  const size = opts.size ?? 300;
  if (!Number.isInteger(size) || size < 20 || size > 5000) throw new Error('roster size must be a whole number from 20 to 5000');
  const now = opts.now ?? new Date();
  const random = seededRandom(opts.seed ?? 0x5eed_2026);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  const digits = (n: number): string => Array.from({ length: n }, (_, i) => String(Math.floor(random() * (i === 0 ? 9 : 10)) + (i === 0 ? 1 : 0))).join('');

  const usedNames = new Set<string>();
  const usedNumbers = new Set<string>();
  const pickPool = (): (typeof NAME_POOLS)[number] => {
    let roll = random() * NAME_POOLS.reduce((sum, p) => sum + p.weight, 0);
    for (const pool of NAME_POOLS) if ((roll -= pool.weight) < 0) return pool;
    return NAME_POOLS[0];
  };
  const freshName = (): string => {
    for (;;) {
      const pool = pickPool();
      const surnames = random() < 0.88 ? pool.last : pickPool().last; // families mix
      const name = `${pick(pool.first)} ${pick(surnames)}`;
      if (!usedNames.has(name)) {
        usedNames.add(name);
        return name;
      }
    }
  };
  const freshLicense = (board: string, qualification: string): string => {
    const shape = LICENSE_SHAPES[`${board}:${qualification}`] ?? ((d: (n: number) => string) => `${qualification}${d(6)}`);
    for (;;) {
      const number = shape(digits);
      if (!usedNumbers.has(number)) {
        usedNumbers.add(number);
        return number;
      }
    }
  };

  const ordinaryCount = size - SPECIAL.length;
  const totalShare = ORDINARY.reduce((sum, o) => sum + o.share, 0);
  const counts = ORDINARY.map((o) => Math.floor((o.share / totalShare) * ordinaryCount));
  // Whatever rounding left over goes to the largest groups (Florida RNs first).
  for (let i = 0, left = ordinaryCount - counts.reduce((a, b) => a + b, 0); left > 0; i = (i + 1) % counts.length, left--) counts[i] += 1;

  const ordinarySlots: Slot[] = ORDINARY.flatMap((o, i) => Array.from({ length: counts[i] }, () => o.slot));
  // Shuffle the ordinary ones (Fisher-Yates), then weave the special cases into the first sixty so that even a
  // small surge meets every kind of refusal.
  for (let i = ordinarySlots.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [ordinarySlots[i], ordinarySlots[j]] = [ordinarySlots[j], ordinarySlots[i]];
  }
  const slots: Slot[] = [...ordinarySlots];
  const gap = Math.max(2, Math.floor(Math.min(60, slots.length) / SPECIAL.length));
  SPECIAL.forEach((special, i) => slots.splice(Math.min(slots.length, 4 + i * gap), 0, special));

  // The spotlight: the first ordinary Florida nurse, moved to the front (the one to revoke during the demo).
  const spotlightAt = slots.findIndex((s) => s.board === 'fl-nursing' && s.qualification === 'RN' && s.scenario === 'in-state');
  const [spotlightSlot] = slots.splice(spotlightAt, 1);
  slots.unshift(spotlightSlot);

  const issuedByBoard = new Map<string, number>();
  const formatFor = (slot: Slot): CredentialFormat => {
    if (slot.format) return slot.format;
    const formats = BOARD_FORMATS[slot.board] ?? ['vc+jwt'];
    const n = issuedByBoard.get(slot.board) ?? 0;
    issuedByBoard.set(slot.board, n + 1);
    return formats[n % formats.length];
  };

  return slots.map((slot, index) => {
    const agency = pick(slot.pool.agencies);
    const validity = datesFor(slot.scenario, now, random);
    return {
      key: `r${String(index + 1).padStart(3, '0')}`,
      name: freshName(),
      qualification: slot.qualification,
      board: slot.board,
      format: formatFor(slot),
      agency: agency.name,
      homeUnit: pick(agency.units),
      homeState: STATE_OF_ORIGIN(agency.from, slot.pool.homeState),
      departurePoint: agency.from,
      methodOfTravel: pick(slot.pool.travel),
      licenseNumber: freshLicense(slot.board, slot.qualification),
      validFrom: validity.validFrom,
      validUntil: validity.validUntil,
      scenario: slot.scenario,
      expected: expectedFor(slot.scenario),
      spotlight: index === 0,
      ...(slot.scenario === 'emac-mission' ? { orderRequestNumber: DEMO_MISSION } : {}),
      ...(slot.scenario === 'compact' ? { multistate: true } : {}),
    };
  });
}

/** Licences run two years, certifications two or three; the dates are whole seconds (as VC-JWT carries them). */
function datesFor(scenario: Scenario, now: Date, random: () => number): { validFrom: Date; validUntil: Date } {
  const whole = (ms: number): Date => new Date(Math.floor(ms / 1000) * 1000);
  const t = now.getTime();
  switch (scenario) {
    case 'expired': {
      const until = t - (3 + Math.floor(random() * 120)) * DAY;
      return { validFrom: whole(until - 730 * DAY), validUntil: whole(until) };
    }
    case 'expiring-soon':
      return { validFrom: whole(t - 729 * DAY), validUntil: whole(t + 6 * HOUR) };
    default: {
      const issuedDaysAgo = 30 + Math.floor(random() * 600);
      return { validFrom: whole(t - issuedDaysAgo * DAY), validUntil: whole(t - issuedDaysAgo * DAY + 730 * DAY) };
    }
  }
}

/** A roster's make-up, for the printed summary: `{ admitted: 293, expired: 4, ... }`. */
export function rosterSummary(roster: readonly DemoResponder[]): Record<string, number> {
  const summary: Record<string, number> = {};
  for (const r of roster) {
    const key = r.expected.decision === 'admitted' ? 'admitted' : (r.expected.reason ?? 'denied');
    summary[key] = (summary[key] ?? 0) + 1;
  }
  return summary;
}
