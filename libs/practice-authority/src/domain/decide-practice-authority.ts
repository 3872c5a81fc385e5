import type { CompactRule, MissionRule, OrderRule, PracticeRulesDocument } from './practice-rules.document';
import { isLicensedProfession, KNOWN_COMPACTS, stateName } from './vocabulary';

/** What a basis rests on, from the most to the least specific. */
export const BASIS_KINDS = ['home_state_licence', 'emac_mission', 'emergency_order', 'compact', 'incident_mutual_aid', 'no_rules', 'not_licensed'] as const;
export type BasisKind = (typeof BASIS_KINDS)[number];

export interface PracticeBasis {
  kind: BasisKind;
  /** The mission, order or compact id; null for a home-state licence and the fallbacks. */
  ruleId: string | null;
  /** One line for the station, the board and the auditor. */
  text: string;
  /** When the basis ends (a mission or an order); null when it does not. */
  until: string | null;
  /** Conditions the basis carries, with those of every restriction that applies (most restrictive wins: all apply). */
  conditions: string[];
}

export interface NearestRule {
  kind: 'emac_mission' | 'emergency_order' | 'compact' | 'incident_mutual_aid';
  ruleId: string;
  /** Why it does not apply to this person now. */
  why: string;
}

export interface PracticeQuestion {
  /** The incident's state, e.g. US-FL. */
  incidentState: string;
  /** Where the licence is from: the jurisdictions of its issuer in the trust registry (US for a national certifier). */
  homeStates: string[];
  /** The qualification code the credential maps to. */
  profession?: string;
  /** The credential (or its source) states a multistate licence. */
  multistate?: boolean;
  licenseNumber?: string;
  /** The mission or order request number given at check-in (ICS 211 block 6). */
  missionNumber?: string;
  /** The incident's mutual-aid jurisdictions: the approximation used where no rule governs the incident's state. */
  mutualAidJurisdictions?: string[];
  at: Date;
}

export type PracticeAnswer =
  | { authorized: true; basis: PracticeBasis; nearest: null }
  | { authorized: false; basis: null; reason: { code: 'no_practice_authority'; message: string }; nearest: NearestRule | null };

const day = (iso: string): string => iso.slice(0, 10);
const within = (from: string, until: string | null, at: Date): boolean =>
  Date.parse(from) <= at.getTime() && (until === null || at.getTime() < Date.parse(until));
const list = (items: string[]): string => items.join(', ');

/** The rules of one rule set about one incident state, ready for many questions. */
export interface StateRules {
  incidentState: string;
  /** True when any rule names the state: only then is practice authority enforced there (see docs/practice-authority.md). */
  governed: boolean;
  compacts: CompactRule[];
  missions: MissionRule[];
  orders: OrderRule[];
}

export function rulesForState(doc: PracticeRulesDocument, incidentState: string): StateRules {
  const compacts = doc.compacts.filter((c) => c.members.some((m) => m.state === incidentState));
  const missions = doc.missions.filter((m) => m.requestingState === incidentState);
  const orders = doc.orders.filter((o) => o.state === incidentState);
  return { incidentState, governed: compacts.length + missions.length + orders.length > 0, compacts, missions, orders };
}

/**
 * The home states whose licensees some rule could let practise in the state at `at`: the issuer-trust check accepts
 * boards of these states (beside the incident's own and its mutual-aid list); this decision then answers per person.
 */
export function homeStatesWithRules(rules: StateRules, at: Date): string[] {
  const states = new Set<string>();
  for (const c of rules.compacts) {
    if (!c.members.some((m) => m.state === rules.incidentState && within(m.from, m.until, at))) continue;
    for (const m of c.members) if (within(m.from, m.until, at)) states.add(m.state);
  }
  for (const m of rules.missions) if (within(m.from, m.until, at)) states.add(m.assistingState);
  for (const o of rules.orders) if (o.effect === 'authorize' && within(o.from, o.until, at)) for (const s of o.homeStates) states.add(s);
  states.delete(rules.incidentState);
  return [...states].sort();
}

/**
 * May this person practise in the incident's state now, and on what basis. Precedence, documented in
 * docs/practice-authority.md: a licence of the incident's state; else the most specific rule that applies (an EMAC
 * mission the person is linked to, then an emergency order, then a compact); then every restriction in force that
 * covers the profession and home state narrows it (its conditions are added) or removes it (a suspension). Where no
 * rule names the incident's state, the incident's mutual-aid list stands in. Pure: same rules, same answer.
 */
export function decidePracticeAuthority(rules: StateRules, q: PracticeQuestion): PracticeAnswer {
  const here = rules.incidentState;
  const profession = q.profession;
  if (!isLicensedProfession(profession)) {
    return allow({
      kind: 'not_licensed',
      ruleId: null,
      text: `${profession ?? 'This qualification'} is not a licensed profession: no state authority to practise is needed.`,
      until: null,
      conditions: [],
    });
  }
  if (q.homeStates.includes(here)) {
    return allow({ kind: 'home_state_licence', ruleId: null, text: `${profession} licensed in ${stateName(here)}.`, until: null, conditions: [] });
  }
  const homes = q.homeStates.filter((s) => /^US-[A-Z]{2}$/.test(s));
  const licensedIn = homes.length > 0 ? `licensed in ${homes.map(stateName).join(', ')}` : 'a national certification, not a state licence';

  if (!rules.governed) {
    const aid = (q.mutualAidJurisdictions ?? []).find((j) => homes.includes(j));
    if (aid) {
      return allow({
        kind: 'incident_mutual_aid',
        ruleId: null,
        text: `${profession} ${licensedIn}; practising in ${stateName(here)} under the incident's mutual-aid list (no practice rules on record for ${stateName(here)}).`,
        until: null,
        conditions: [],
      });
    }
    return allow({
      kind: 'no_rules',
      ruleId: null,
      text: `No practice rules on record for ${stateName(here)}: the issuer's trust is the only check (${profession}, ${licensedIn}).`,
      until: null,
      conditions: [],
    });
  }

  const misses: Array<NearestRule & { score: number }> = [];
  const basis =
    missionBasis(rules, q, profession, homes, licensedIn, misses) ??
    orderBasis(rules, q, profession, homes, licensedIn, misses) ??
    compactBasis(rules, q, profession, homes, misses);
  if (!basis) {
    const aid = (q.mutualAidJurisdictions ?? []).find((j) => homes.includes(j));
    if (aid)
      misses.push({
        kind: 'incident_mutual_aid',
        ruleId: aid,
        why: `the incident lists ${stateName(aid)} for mutual aid, but no EMAC mission from ${stateName(aid)} covers this person`,
        score: 3,
      });
    return deny(profession, here, licensedIn, misses);
  }
  // Most restrictive wins: every restriction in force over this profession and home state applies.
  const restrictions = rules.orders.filter(
    (o) =>
      o.effect === 'restrict' &&
      o.professions.includes(profession) &&
      within(o.from, o.until, q.at) &&
      (o.homeStates.length === 0 || o.homeStates.some((s) => homes.includes(s))),
  );
  const suspension = restrictions.find((o) => o.suspends);
  if (suspension) {
    misses.push({
      kind: 'emergency_order',
      ruleId: suspension.id,
      why: `${suspension.id} (${suspension.issuedBy}) suspends out-of-state ${profession} practice until ${day(suspension.until)}`,
      score: 10,
    });
    return deny(profession, here, licensedIn, misses);
  }
  const extra = restrictions.flatMap((o) => o.conditions.map((c) => `${c} (${o.id})`));
  if (extra.length === 0) return allow(basis);
  const conditions = [...basis.conditions, ...extra];
  return allow({ ...basis, conditions, text: `${basis.text.replace(/\.$/, '')}; ${list(conditions)}.` });
}

function missionBasis(
  rules: StateRules,
  q: PracticeQuestion,
  profession: string,
  homes: string[],
  licensedIn: string,
  misses: Array<NearestRule & { score: number }>,
): PracticeBasis | undefined {
  for (const m of rules.missions) {
    if (!homes.includes(m.assistingState)) continue;
    const linked =
      (q.missionNumber !== undefined && (q.missionNumber === m.id || q.missionNumber === m.requestNumber)) ||
      (q.licenseNumber !== undefined && m.roster.includes(q.licenseNumber));
    if (!m.professions.includes(profession)) {
      if (linked) misses.push({ kind: 'emac_mission', ruleId: m.id, why: `EMAC mission ${m.id} covers ${list(m.professions)}, not ${profession}`, score: 6 });
      continue;
    }
    if (!linked) {
      misses.push({
        kind: 'emac_mission',
        ruleId: m.id,
        why: `EMAC mission ${m.id} from ${stateName(m.assistingState)} covers ${profession}, but this person is not linked to it (give the mission or request number, or ask ${stateName(m.assistingState)} to add the licence to its roster)`,
        score: 7,
      });
      continue;
    }
    if (q.at.getTime() < Date.parse(m.from)) {
      misses.push({ kind: 'emac_mission', ruleId: m.id, why: `EMAC mission ${m.id} starts ${day(m.from)}`, score: 8 });
      continue;
    }
    if (q.at.getTime() >= Date.parse(m.until)) {
      misses.push({ kind: 'emac_mission', ruleId: m.id, why: `EMAC mission ${m.id} ended ${day(m.until)}`, score: 8 });
      continue;
    }
    return {
      kind: 'emac_mission',
      ruleId: m.id,
      text: `${profession} ${licensedIn}; practising in ${stateName(m.requestingState)} under EMAC mission ${m.id} (${m.requestNumber} signed ${day(m.signedAt)}, order ${m.order}, until ${day(m.until)}).`,
      until: m.until,
      conditions: m.conditions,
    };
  }
  return undefined;
}

function orderBasis(
  rules: StateRules,
  q: PracticeQuestion,
  profession: string,
  homes: string[],
  licensedIn: string,
  misses: Array<NearestRule & { score: number }>,
): PracticeBasis | undefined {
  for (const o of rules.orders) {
    if (o.effect !== 'authorize') continue;
    const home = o.homeStates.length === 0 ? homes[0] !== undefined : o.homeStates.some((s) => homes.includes(s));
    if (!o.professions.includes(profession)) {
      if (home)
        misses.push({ kind: 'emergency_order', ruleId: o.id, why: `emergency order ${o.id} covers ${list(o.professions)}, not ${profession}`, score: 4 });
      continue;
    }
    if (!home) {
      misses.push({
        kind: 'emergency_order',
        ruleId: o.id,
        why: `emergency order ${o.id} covers ${profession} licensed in ${list(o.homeStates.map(stateName))} only`,
        score: 2,
      });
      continue;
    }
    if (!within(o.from, o.until, q.at)) {
      misses.push({ kind: 'emergency_order', ruleId: o.id, why: `emergency order ${o.id} is in force ${day(o.from)} to ${day(o.until)}`, score: 5 });
      continue;
    }
    const conditions = o.conditions;
    return {
      kind: 'emergency_order',
      ruleId: o.id,
      text: `${profession} ${licensedIn}; practising in ${stateName(o.state)} under emergency order ${o.id} (${o.issuedBy}, until ${day(o.until)})${conditions.length > 0 ? `; ${list(conditions)}` : ''}.`,
      until: o.until,
      conditions,
    };
  }
  return undefined;
}

function compactBasis(
  rules: StateRules,
  q: PracticeQuestion,
  profession: string,
  homes: string[],
  misses: Array<NearestRule & { score: number }>,
): PracticeBasis | undefined {
  for (const c of rules.compacts) {
    if (!c.professions.includes(profession)) continue;
    const name = KNOWN_COMPACTS[c.id]?.name ?? c.id;
    const hereMember = c.members.find((m) => m.state === rules.incidentState && within(m.from, m.until, q.at));
    if (!hereMember) {
      misses.push({
        kind: 'compact',
        ruleId: c.id,
        why: `${stateName(rules.incidentState)} is not a member of the ${name} on ${day(q.at.toISOString())}`,
        score: 3,
      });
      continue;
    }
    const home = homes.find((s) => c.members.some((m) => m.state === s && within(m.from, m.until, q.at)));
    if (!home) {
      const former = homes.find((s) => c.members.some((m) => m.state === s));
      misses.push({
        kind: 'compact',
        ruleId: c.id,
        why: former
          ? `${stateName(former)} is not a member of the ${name} on ${day(q.at.toISOString())}`
          : homes.length > 0
            ? `${list(homes.map(stateName))} is not a member of the ${name}`
            : `the ${name} needs a licence from a member state, not a national certification`,
        score: former ? 4 : 3,
      });
      continue;
    }
    if (c.requiresMultistate && q.multistate !== true) {
      misses.push({ kind: 'compact', ruleId: c.id, why: `the ${name} needs a multistate licence; this ${stateName(home)} licence is single-state`, score: 5 });
      continue;
    }
    return {
      kind: 'compact',
      ruleId: c.id,
      text: c.requiresMultistate
        ? `multistate ${profession} licence (${c.id}, home state ${stateName(home)}).`
        : `${profession} licensed in ${stateName(home)}; privilege to practise in ${stateName(rules.incidentState)} under the ${name}.`,
      until: null,
      conditions: [],
    };
  }
  return undefined;
}

function allow(basis: PracticeBasis): PracticeAnswer {
  return { authorized: true, basis, nearest: null };
}

function deny(profession: string, here: string, licensedIn: string, misses: Array<NearestRule & { score: number }>): PracticeAnswer {
  const best = misses.reduce<(NearestRule & { score: number }) | null>((a, b) => (a === null || b.score > a.score ? b : a), null);
  const nearest = best ? { kind: best.kind, ruleId: best.ruleId, why: best.why } : null;
  return {
    authorized: false,
    basis: null,
    nearest,
    reason: {
      code: 'no_practice_authority',
      message: `No basis to practise as ${profession} in ${stateName(here)} (${licensedIn})${nearest ? `: nearest rule ${nearest.ruleId}, ${nearest.why}` : ': no rule covers this profession and home state'}.`,
    },
  };
}
