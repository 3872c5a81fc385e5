import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { z } from 'zod';
import { DomainError } from '@app/common';
import { isKnownState, isLicensedProfession, KNOWN_COMPACTS, LICENSED_PROFESSIONS } from './vocabulary';

/**
 * The practice-rules document: every rule that lets a responder licensed in one state practise in another (compacts,
 * EMAC missions, emergency orders), as one JSON document: the unit of import, export and versioning.
 * Format `responder-checkin/practice-rules`, version 1 (docs/practice-authority.md).
 */
export const PRACTICE_RULES_FORMAT = 'responder-checkin/practice-rules';
export const PRACTICE_RULES_VERSION = 1;

const instant = z.iso.datetime({ offset: true, error: 'must be an ISO date-time with a time zone' });
const state = z.string().refine(isKnownState, { error: 'unknown state (use US-FL, US-GA, ...)' });
const profession = z.string().refine((p): boolean => isLicensedProfession(p), { error: `unknown profession (one of ${LICENSED_PROFESSIONS.join(', ')})` });
const ruleId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9 ._/-]{0,63}$/, 'must be 1-64 letters, digits, spaces or . _ / -');
const condition = z.string().min(1).max(200);

const membershipSchema = z.strictObject({
  state,
  /** When the state's membership took effect (implementation date), and when it left (null: still a member). */
  from: instant,
  until: instant.nullable().default(null),
});

const compactSchema = z.strictObject({
  id: z.string().refine((id) => id in KNOWN_COMPACTS, { error: `unknown compact (one of ${Object.keys(KNOWN_COMPACTS).join(', ')})` }),
  professions: z.array(profession).min(1).max(20),
  /** True for the NLC: only a multistate licence issued by the home state carries the privilege. */
  requiresMultistate: z.boolean(),
  members: z.array(membershipSchema).min(1).max(60),
});

const missionSchema = z.strictObject({
  /** The mission number, e.g. FL-2026-0142. */
  id: ruleId,
  requestingState: state,
  assistingState: state,
  /** The EMAC request (REQ-A) number and when both states signed it. */
  requestNumber: ruleId,
  signedAt: instant,
  /** The requesting governor's declaration or order the mission works under. */
  order: z.string().min(1).max(100),
  professions: z.array(profession).min(1).max(20),
  from: instant,
  until: instant,
  /** Licence numbers the assisting state put on the mission roster. */
  roster: z.array(z.string().min(1).max(100)).max(5000).default([]),
  conditions: z.array(condition).max(20).default([]),
});

const orderSchema = z.strictObject({
  id: ruleId,
  state,
  issuedBy: z.string().min(1).max(200),
  /** authorize: lets the listed out-of-state licensees practise; restrict: narrows every other basis (conditions, or suspends it). */
  effect: z.enum(['authorize', 'restrict']),
  professions: z.array(profession).min(1).max(20),
  /** Home states it covers; empty: licensees of any state. */
  homeStates: z.array(state).max(60).default([]),
  from: instant,
  until: instant,
  conditions: z.array(condition).max(20).default([]),
  /** restrict only: no out-of-state practice at all for what it covers. */
  suspends: z.boolean().default(false),
});

export const practiceRulesSchema = z.strictObject({
  format: z.literal(PRACTICE_RULES_FORMAT),
  version: z.literal(PRACTICE_RULES_VERSION),
  publisher: z.string().max(300).optional(),
  issuedAt: instant.optional(),
  compacts: z.array(compactSchema).max(20).default([]),
  missions: z.array(missionSchema).max(5000).default([]),
  orders: z.array(orderSchema).max(1000).default([]),
});

export type PracticeRulesDocument = z.infer<typeof practiceRulesSchema>;
export type CompactRule = z.infer<typeof compactSchema>;
export type MissionRule = z.infer<typeof missionSchema>;
export type OrderRule = z.infer<typeof orderSchema>;

export interface FieldProblem {
  field: string;
  message: string;
}

const after = (from: string, until: string): boolean => Date.parse(until) > Date.parse(from);

/**
 * Validates a document: shape and vocabulary (zod), then what zod cannot see: reversed windows, duplicate ids,
 * a compact naming a profession it does not cover, a state in a compact twice with overlapping windows, a mission
 * between a state and itself, a restriction that neither restricts nor suspends. Contradictions between rules that
 * are each valid (an order narrowing a compact) are not refused: precedence resolves them (most specific, then most
 * restrictive). Throws DomainError practice_rules_invalid naming the fields.
 */
export function parsePracticeRules(value: unknown): PracticeRulesDocument {
  const parsed = practiceRulesSchema.safeParse(value);
  if (!parsed.success) {
    const errors = parsed.error.issues.slice(0, 20).map((i) => ({ field: i.path.join('.') || '(document)', message: i.message }));
    throw invalid(errors);
  }
  const doc = parsed.data;
  const problems: FieldProblem[] = [];
  const seen = new Set<string>();
  doc.compacts.forEach((c, i) => {
    if (seen.has(c.id)) problems.push({ field: `compacts.${i}.id`, message: `duplicate compact ${c.id}` });
    seen.add(c.id);
    const covered = KNOWN_COMPACTS[c.id]?.professions ?? [];
    c.professions.forEach((p, j) => {
      if (!covered.includes(p)) problems.push({ field: `compacts.${i}.professions.${j}`, message: `${c.id} does not cover ${p}` });
    });
    c.members.forEach((m, j) => {
      if (m.until !== null && !after(m.from, m.until)) problems.push({ field: `compacts.${i}.members.${j}.until`, message: 'must be after from' });
      c.members.slice(0, j).forEach((other) => {
        if (other.state === m.state && overlaps(other.from, other.until, m.from, m.until)) {
          problems.push({ field: `compacts.${i}.members.${j}`, message: `${m.state} is already a member for part of this window` });
        }
      });
    });
  });
  const missionIds = new Set<string>();
  doc.missions.forEach((m, i) => {
    if (missionIds.has(m.id)) problems.push({ field: `missions.${i}.id`, message: `duplicate mission ${m.id}` });
    missionIds.add(m.id);
    if (m.assistingState === m.requestingState) problems.push({ field: `missions.${i}.assistingState`, message: 'must differ from requestingState' });
    if (!after(m.from, m.until)) problems.push({ field: `missions.${i}.until`, message: 'must be after from' });
    if (Date.parse(m.signedAt) > Date.parse(m.until)) problems.push({ field: `missions.${i}.signedAt`, message: 'must not be after until' });
  });
  const orderIds = new Set<string>();
  doc.orders.forEach((o, i) => {
    if (orderIds.has(o.id)) problems.push({ field: `orders.${i}.id`, message: `duplicate order ${o.id}` });
    orderIds.add(o.id);
    if (!after(o.from, o.until)) problems.push({ field: `orders.${i}.until`, message: 'must be after from' });
    if (o.effect === 'restrict' && !o.suspends && o.conditions.length === 0) {
      problems.push({ field: `orders.${i}.conditions`, message: 'a restriction must name conditions or suspend' });
    }
    if (o.effect === 'authorize' && o.suspends) problems.push({ field: `orders.${i}.suspends`, message: 'only a restriction suspends' });
    if (o.homeStates.includes(o.state))
      problems.push({ field: `orders.${i}.homeStates`, message: `${o.state} licensees need no order to practise in ${o.state}` });
  });
  if (problems.length > 0) throw invalid(problems);
  return doc;
}

function overlaps(aFrom: string, aUntil: string | null, bFrom: string, bUntil: string | null): boolean {
  const end = (u: string | null) => (u === null ? Infinity : Date.parse(u));
  return Date.parse(aFrom) < end(bUntil) && Date.parse(bFrom) < end(aUntil);
}

function invalid(errors: FieldProblem[]): DomainError {
  return new DomainError('practice_rules_invalid', `The practice rules are invalid: ${errors[0]?.field} ${errors[0]?.message}`, {
    errors: errors.slice(0, 20),
  });
}

/** sha256 (hex) of the JCS-canonical document: names an imported version in the audit trail. */
export function practiceRulesDigest(doc: PracticeRulesDocument): string {
  return createHash('sha256')
    .update(canonicalize(doc) ?? '')
    .digest('hex');
}

export function emptyPracticeRules(): PracticeRulesDocument {
  return { format: PRACTICE_RULES_FORMAT, version: PRACTICE_RULES_VERSION, compacts: [], missions: [], orders: [] };
}
