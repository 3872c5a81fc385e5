import { generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import canonicalize from 'canonicalize';
import fc from 'fast-check';
import { Client } from 'pg';
import request from 'supertest';
import jsonld from 'jsonld';
import ContextResolver from 'jsonld/lib/ContextResolver';
import { canonize } from 'rdf-canonize';
import { JsonLdContexts, REASON_CODES, type SuiteName } from '@app/credentials';
import { FixtureIssuerServer, trustListFor, type FixtureAlg, type FixtureBoard } from './support/credential-fixtures';
import { CONFORMANCE_CONTEXTS_DIR, didKey, signDataIntegrity } from './support/data-integrity-signer';
import { ADMIN, bearer, createTestEnv, signIn, startApi, type TestApi, type TestEnv } from './support/test-app';
import { createIncident, staffFor } from './support/world';

/**
 * Fuzzing the Data Integrity path (JSON-LD credentials with a `proof`) through POST /incidents/:id/check-ins and, for
 * a share of the cases, POST /credentials/verify. Every case starts from a valid Open Badge of a trusted board
 * (eddsa-rdfc-2022, eddsa-jcs-2022, Ed25519Signature2020, ecdsa-rdfc-2019 with P-256 and P-384, ecdsa-jcs-2019):
 * JSON-LD bombs (deep nesting, huge graphs, blank-node cliques, context floods), unknown contexts, proofs swapped
 * between credentials, cryptosuites that do not fit the key, a `proofPurpose` other than `assertionMethod`,
 * verification methods outside the issuer's DID, proof sets with a bad member, and random structural mutations of
 * credential and proof, and JSON-LD presentations around them (holder proofs swapped, re-purposed, by a stranger, the
 * holder replaced, nested or overfull presentations). Many are re-signed with the board's real key so that only the
 * mutation can make them fail.
 * Properties, on every case:
 *  - never a 5xx, and an answer within CASE_DEADLINE_MS (the request's own timeout: a bomb that hangs fails the case);
 *  - never admitted or verified (only the sanity test's unmodified badges are);
 *  - every refusal carries a code: a problem `code` for bad input, reason codes for a denial or a failed verification;
 *  - the DID document of an issuer nobody trusts is never fetched.
 * Seeded (FUZZ_SEED), FUZZ_CASES cases (10,000 by default), CONCURRENCY in flight.
 * A 503 (the api out of database connections on a starved machine, with Retry-After) is retried as a station would,
 * at most RETRIES_503 times per case and on at most 1% of the cases; a 500, or a 503 that persists, fails the case.
 */
// 10,000 cases take about 2.5 minutes on an idle 2-core machine, several times that on a shared one: the access
// token (ACCESS_TOKEN_TTL_SECONDS below) outlives the test.
jest.setTimeout(3_000_000);

const SEED = Number(process.env.FUZZ_SEED ?? 20261205);
const CASES = Number(process.env.FUZZ_CASES ?? 10_000);
const CONCURRENCY = 16;
const CASE_DEADLINE_MS = 30_000;
const RETRIES_503 = 3;
const OB3_CONTEXT = 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json';
const VC2_CONTEXT = 'https://www.w3.org/ns/credentials/v2';
const ED25519_2020_CONTEXT = 'https://w3id.org/security/suites/ed25519-2020/v1';

type Json = Record<string, unknown>;
const oracleContexts = JsonLdContexts.load(CONFORMANCE_CONTEXTS_DIR);
const clone = <T>(value: T): T => structuredClone(value);
const pick = <T>(list: readonly T[], n: number): T => list[n % list.length];

interface Base {
  label: string;
  board: FixtureBoard;
  suite: SuiteName;
  credential: Json;
  /** The credential without its proof: what every proof of this base signs. */
  document: Json;
  proof: Json;
  /** Another badge of the same board and suite, for proof swaps. */
  sibling: Json;
  /** Proofs by the board's key over `document`, each wrong in one way (purpose, suite, method). */
  signedVariants: Array<{ kind: 'purpose' | 'suite-key' | 'method'; what: string; proof: Json }>;
}

/** A holder's presentations of each base's badge (JSON-LD, with an authentication proof by the holder's did:key). */
interface Presentations {
  holder: { did: string; verificationMethod: string };
  /** Per base (same order): the signed presentation, and holder proofs over it that are wrong in one way. */
  signed: Json[];
  wrongProofs: Array<{ what: string; proof: Json }>;
}

interface Material {
  bases: Base[];
  presentations: Presentations;
  rogue: FixtureBoard;
  port: number;
  /** RFC 8785 JSON of every valid badge: a mutant equal to one of them is changed further. */
  originals: Set<string | undefined>;
}

interface FuzzCase {
  family: string;
  what: string;
  /** The credential as the scanner reads it (JSON text, or a data: URL / envelope around it). */
  text: string;
  /** The credential text inside any data: URL or envelope. */
  inner: string;
  /** Sent through POST /credentials/verify instead of a check-in. */
  share: boolean;
}

// ---------------------------------------------------------------------------------------------------------------
// Mutations
// ---------------------------------------------------------------------------------------------------------------

const ODD_UNICODE = ['\u202E', '\u200B', '\u200D', '\uFEFF', '\u0000', '\u0430', '\uD800', '\uDFFF', '\u0301', 'ﬁ', '\u00A0', '𝐚', '\n', '"', '\\'];
const REPLACEMENTS: unknown[] = [
  null,
  true,
  0,
  -1,
  1e308,
  '',
  ' ',
  'x',
  [],
  {},
  [null],
  { '@value': 'x' },
  { '@id': 'urn:x' },
  { '@type': '@json' },
  '_:b0',
  'did:example:attacker',
  '2199-01-01T00:00:00Z',
  'z',
  'zz11',
];
const UNKNOWN_CONTEXTS: unknown[] = [
  'https://example.org/evil-context.json',
  'http://www.w3.org/ns/credentials/v2',
  'https://www.w3.org/ns/credentials/v2/',
  'https://www.w3.org/ns/credentials/v3',
  'https://www.w3.org/ns/credentiaIs/v2',
  'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.9.json',
  'file:///etc/passwd',
  'data:application/ld+json,{"@vocab":"https://evil.example/"}',
  'https://127.0.0.1:1/ctx.json',
  'urn:x:context',
  '',
  42,
  null,
  { '@import': 'https://example.org/evil-context.json' },
  { '@context': 'https://example.org/evil-context.json' },
  { '@vocab': 'https://evil.example/' },
  { id: 'https://evil.example/id' },
  { VerifiableCredential: 'https://evil.example/VC' },
  { '@version': 2 },
  { '@protected': false, name: 'https://evil.example/name' },
];
const CRYPTOSUITES: unknown[] = [
  'eddsa-rdfc-2022',
  'eddsa-jcs-2022',
  'eddsa-2022',
  'ecdsa-rdfc-2019',
  'ecdsa-jcs-2019',
  'ecdsa-sd-2023',
  'bbs-2023',
  'EDDSA-RDFC-2022',
  'eddsa-rdfc-2022 ',
  '',
  null,
  42,
  ['eddsa-rdfc-2022'],
];
const PROOF_TYPES: unknown[] = [
  'DataIntegrityProof',
  'Ed25519Signature2020',
  'Ed25519Signature2018',
  'JsonWebSignature2020',
  'EcdsaSecp256k1Signature2019',
  '',
  null,
  ['DataIntegrityProof'],
];
const PURPOSES_SIGNED = [
  'authentication',
  'capabilityInvocation',
  'capabilityDelegation',
  'keyAgreement',
  'AssertionMethod',
  'assertionMethod ',
  'https://w3id.org/security#assertionMethod',
];

/** Every path into a value (proof included), for the structural mutations. */
function paths(value: unknown, at: string[] = [], out: string[][] = []): string[][] {
  if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) paths(v, [...at, k], out);
  if (at.length > 0) out.push(at);
  return out;
}

function parentOf(root: Json, path: string[]): { parent: Json | unknown[]; key: string } {
  let parent = root as Json | unknown[];
  for (const key of path.slice(0, -1)) parent = (parent as Json)[key] as Json | unknown[];
  return { parent, key: path[path.length - 1] };
}

/** JSON text of objects (or arrays) nested `depth` levels deep: built as text, as no recursive serializer can be trusted with it. */
function deepText(depth: number, array = false): string {
  return array ? `${'['.repeat(depth)}"leaf"${']'.repeat(depth)}` : `${'{"type":"Evidence","narrative":'.repeat(depth)}"leaf"${'}'.repeat(depth)}`;
}

/** The credential's JSON text with the marker value replaced by raw JSON text. */
const DEEP = '__deep__';
const withDeep = (value: Json, raw: string): string => JSON.stringify(value).replace(JSON.stringify(DEEP), raw);

/** n blank nodes, each linked to every other: the worst case of RDFC-1.0's N-degree hashing. */
function clique(n: number, anonymous: boolean): unknown[] {
  return Array.from({ length: n }, (_, i) => ({
    ...(anonymous ? {} : { id: `_:b${i}` }),
    type: 'Evidence',
    ...(anonymous ? { narrative: 'same' } : { related: Array.from({ length: n }, (_, j) => ({ id: `_:b${j}` })).filter((_, j) => j !== i) }),
  }));
}

const recipe = fc.record({
  family: fc.oneof(
    ...(
      [
        ['structural', 8],
        ['raw-text', 2],
        ['bomb', 2],
        ['unknown-context', 2],
        ['proof-swap', 2],
        ['suite-key', 2],
        ['proof-purpose', 2],
        ['method-outside', 2],
        ['proof-set', 1],
        ['proof-fields', 2],
        ['presentation', 3],
      ] as const
    ).map(([name, weight]) => ({ arbitrary: fc.constant(name), weight })),
  ),
  base: fc.nat(),
  other: fc.nat(),
  picks: fc.array(fc.nat(), { minLength: 4, maxLength: 4 }),
  text: fc.string({ unit: 'grapheme', maxLength: 12 }),
  /** 0: JSON text; 1: a data: URL; 2: a VC-API envelope. */
  wrap: fc.nat({ max: 9 }),
  share: fc.nat({ max: 4 }),
});
type Recipe = typeof recipe extends fc.Arbitrary<infer R> ? R : never;
const FAMILY_COUNT = 11;

/** The credential JSON (or already raw text) a recipe yields, with what was done. */
function mutate(r: Recipe, m: Material): { family: string; what: string; value?: unknown; raw?: string } {
  const base = pick(m.bases, r.base);
  const other = pick(
    m.bases.filter((b) => b !== base),
    r.other,
  );
  const [p0, p1, p2, p3] = r.picks;
  const c = clone(base.credential);
  const withProof = (proof: unknown): Json => ({ ...clone(base.document), proof });
  switch (r.family) {
    case 'presentation':
      return presentationCase(r, m);
    case 'structural': {
      const all = paths(base.credential);
      // Half of them in the proof: it is small, and every member of it matters.
      const inProof = all.filter((p) => p[0] === 'proof');
      const path = p3 % 2 === 0 ? pick(inProof, p0) : pick(all, p0);
      const { parent, key } = parentOf(c, path);
      const target = parent as Json;
      const ops = ['delete', 'replace', 'retype', 'huge', 'unicode', 'duplicate'] as const;
      const op = pick(ops, p1);
      const was = target[key];
      switch (op) {
        case 'delete':
          if (Array.isArray(parent)) parent.splice(Number(key), 1);
          else delete target[key];
          break;
        case 'replace': {
          const replacement = pick(REPLACEMENTS, p2);
          target[key] = JSON.stringify(replacement) === JSON.stringify(was) ? `${JSON.stringify(was)}x` : replacement;
          break;
        }
        case 'retype':
          target[key] = typeof was === 'string' ? pick([42, true, null, [was, 'x'], { id: was }], p2) : String(JSON.stringify(was));
          break;
        case 'huge':
          target[key] = pick(['x', '\u00e9', '𝐚', 'z1'], p2).repeat(pick([5_000, 30_000, 70_000], p3 >> 1));
          break;
        case 'unicode': {
          const s = typeof was === 'string' ? was : JSON.stringify(was);
          const at = p2 % (s.length + 1);
          const odd = pick(ODD_UNICODE, p3 >> 1);
          target[key] = s.slice(0, at) + odd + s.slice(at);
          if (target[key] === was) target[key] = `${s}\u200B`;
          break;
        }
        case 'duplicate': {
          // A second member of the same name in the JSON text: readers keep one of them, the signature covers the other.
          if (Array.isArray(parent)) {
            parent.push(typeof was === 'string' ? `${was}\u200B` : { dup: was });
            break;
          }
          const marker = `__dup_${p2}__`;
          target[marker] = typeof was === 'string' ? `${was}x` : pick(REPLACEMENTS, p2);
          const text = JSON.stringify(c).replace(`"${marker}"`, JSON.stringify(key));
          return { family: 'structural', what: `duplicate ${path.join('.')}`, raw: text };
        }
      }
      return { family: 'structural', what: `${op} ${path.join('.')}`, value: c };
    }
    case 'raw-text': {
      const text = JSON.stringify(base.credential);
      const at = p0 % text.length;
      const variants: Array<[string, string]> = [
        [text.slice(0, at), `truncated at ${at}`],
        [text.slice(at), `first ${at} chars dropped`],
        [`${text.slice(0, at)}${String.fromCharCode(text.charCodeAt(at) ^ (1 << (p1 % 7)))}${text.slice(at + 1)}`, `bit flip at ${at}`],
        [`{\uFEFF${text.slice(1)}`, 'BOM inside the object'],
        [`${text}${text}`, 'twice'],
        [`[${text}]`, 'in an array'],
        [`${text.slice(0, -1)},"proof":${JSON.stringify(other.proof)}}`, 'a second proof member from another badge'],
        [`${text.slice(0, -1)},"proof":{}}`, 'an empty second proof member'],
        [text.replace(/\\?"/g, (q) => (q === '"' ? "'" : q)), 'single quotes'],
        [`${text.slice(0, at)}${r.text}${text.slice(at)}`, `text inserted at ${at}`],
        [text.replace(/"z([1-9A-HJ-NP-Za-km-z]{10})/, '"z0$1'), 'proofValue with a non-base58 character'],
        [text.replace(/"(\d{4})-/g, '"$1\u2010'), 'dates with a unicode hyphen'],
      ];
      const [raw, what] = pick(variants, p1);
      return { family: 'raw-text', what, raw };
    }
    case 'bomb': {
      const kind = p0 % 11;
      switch (kind) {
        case 0: {
          const depth = pick([33, 200, 2_000], p1);
          (c.credentialSubject as Json).achievement = DEEP;
          return { family: 'bomb', what: `credential nested ${depth} deep`, raw: withDeep(c, deepText(depth)) };
        }
        case 1: {
          const depth = pick([40, 5_000], p1);
          (c.credentialSubject as Json).evidence = DEEP;
          return { family: 'bomb', what: `arrays nested ${depth} deep`, raw: withDeep(c, deepText(depth, true)) };
        }
        case 2: {
          const n = pick([100, 700, 1_600], p1);
          return {
            family: 'bomb',
            what: `@graph of ${n} nodes`,
            value: { ...c, '@graph': Array.from({ length: n }, (_, i) => ({ id: `urn:n:${i}`, type: 'Evidence', narrative: `n${i}` })) },
          };
        }
        case 3: {
          const n = pick([300, 1_000, 2_500], p1);
          return {
            family: 'bomb',
            what: `evidence of ${n} nodes`,
            value: { ...c, evidence: Array.from({ length: n }, (_, i) => ({ type: 'Evidence', name: `e${i}` })) },
          };
        }
        case 4: {
          const n = pick([8, 20, 30], p1);
          return { family: 'bomb', what: `clique of ${n} named blank nodes`, value: { ...c, evidence: clique(n, false) } };
        }
        case 5: {
          const n = pick([50, 300, 1_200], p1);
          return { family: 'bomb', what: `${n} identical anonymous blank nodes`, value: { ...c, evidence: clique(n, true) } };
        }
        case 6:
          return { family: 'bomb', what: '6,000 values', value: { ...c, evidence: Array.from({ length: 6_000 }, (_, i) => i) } };
        case 7: {
          const n = pick([11, 50, 500], p1);
          return {
            family: 'bomb',
            what: `${n} @context entries`,
            value: { ...c, '@context': Array.from({ length: n }, (_, i) => (i % 2 === 0 ? VC2_CONTEXT : OB3_CONTEXT)) },
          };
        }
        case 8: {
          // Scoped contexts inside scoped contexts: each level defines a term whose own context defines the next.
          const depth = pick([10, 30, 200], p1);
          const ctx = `${Array.from({ length: depth }, (_, i) => `{"t${i}":{"@id":"https://evil.example/t${i}","@context":`).join('')}{"leaf":"https://evil.example/leaf"}${'}}'.repeat(depth)}`;
          return { family: 'bomb', what: `scoped contexts ${depth} deep`, raw: withDeep({ ...c, '@context': [...(c['@context'] as unknown[]), DEEP] }, ctx) };
        }
        case 9: {
          const n = pick([1_000, 4_000], p1);
          const terms = Object.fromEntries(Array.from({ length: n }, (_, i) => [`term${i}`, `https://evil.example/${i}`]));
          return { family: 'bomb', what: `inline context of ${n} terms`, value: { ...c, '@context': [...(c['@context'] as unknown[]), terms] } };
        }
        default: {
          // Two rings of blank nodes that hash alike until the deepest comparison.
          const n = pick([10, 40, 150], p1);
          const ring = (tag: string) =>
            Array.from({ length: n }, (_, i) => ({ id: `_:${tag}${i}`, type: 'Evidence', related: { id: `_:${tag}${(i + 1) % n}` } }));
          return { family: 'bomb', what: `two blank-node rings of ${n}`, value: { ...c, evidence: [...ring('a'), ...ring('b')] } };
        }
      }
    }
    case 'unknown-context': {
      const bad = pick(UNKNOWN_CONTEXTS, p0);
      const contexts = c['@context'] as unknown[];
      const where = p1 % 5;
      if (where === 0) c['@context'] = [contexts[0], bad];
      else if (where === 1) c['@context'] = [...contexts, bad];
      else if (where === 2) c['@context'] = [bad, ...contexts.slice(1)];
      else if (where === 3) (c.credentialSubject as Json)['@context'] = bad;
      else if (where === 4) (c.proof as Json)['@context'] = [...contexts, bad];
      return {
        family: 'unknown-context',
        what: `${['replaced', 'appended', 'first', 'scoped in the subject', 'in the proof'][where]}: ${JSON.stringify(bad)}`,
        value: c,
      };
    }
    case 'proof-swap': {
      const variants: Array<[unknown, string]> = [
        [{ ...clone(base.sibling), proof: base.proof }, 'the proof of a sibling badge'],
        [withProof(other.proof), `the proof of a ${other.label} badge`],
        [{ ...clone(other.document), proof: base.proof }, `the proof moved onto a ${other.label} badge`],
        [withProof({ ...base.proof, proofValue: (other.proof as Json).proofValue }), `the proofValue of a ${other.label} badge`],
        [withProof({ ...base.proof, proofValue: (base.sibling.proof as Json).proofValue }), 'the proofValue of a sibling badge'],
        [withProof({ ...(base.sibling.proof as Json), created: base.proof.created }), "the sibling's proof with this one's created"],
        [
          { ...clone(base.document), credentialSubject: { ...(base.sibling.credentialSubject as Json) }, proof: base.proof },
          "the sibling's subject under this proof",
        ],
        [{ ...clone(base.document), issuer: other.document.issuer, proof: base.proof }, `issuer replaced by ${other.label}'s`],
        [{ ...clone(base.document), issuer: other.document.issuer, proof: other.proof }, `issuer and proof of ${other.label}`],
      ];
      const [value, what] = pick(variants, p0);
      return { family: 'proof-swap', what, value };
    }
    case 'suite-key':
    case 'proof-purpose':
    case 'method-outside': {
      const kind = r.family === 'suite-key' ? 'suite-key' : r.family === 'proof-purpose' ? 'purpose' : 'method';
      const signed = m.bases.flatMap((b) => b.signedVariants.filter((v) => v.kind === kind).map((v) => ({ b, v })));
      const { b, v } = pick(signed, p0);
      // Half of them also relabelled without re-signing (the suite, the purpose, the method): still a refusal.
      const relabel = p1 % 2 === 1;
      const proof = clone(v.proof);
      let what = `${b.label}: ${v.what}`;
      if (relabel) {
        if (kind === 'suite-key') {
          proof.cryptosuite = pick(CRYPTOSUITES, p2);
          what += `, cryptosuite relabelled ${JSON.stringify(proof.cryptosuite)}`;
        } else if (kind === 'purpose') {
          proof.proofPurpose = pick([...PURPOSES_SIGNED, '', null, 42, ['assertionMethod']], p2);
          what += `, purpose relabelled ${JSON.stringify(proof.proofPurpose)}`;
        } else {
          proof.verificationMethod = pick(outsideMethods(b.board, m), p2);
          what += `, method relabelled ${JSON.stringify(proof.verificationMethod)}`;
        }
      }
      return { family: r.family, what, value: { ...clone(b.document), proof } };
    }
    case 'proof-set': {
      const bad = pick(base.signedVariants, p0);
      const variants: Array<[unknown, string]> = [
        [[base.proof, bad.proof], `valid proof and ${bad.what}`],
        [[bad.proof, base.proof], `${bad.what} and a valid proof`],
        [[base.proof, other.proof], `valid proof and a ${other.label} proof`],
        [Array.from({ length: 5 }, () => base.proof), 'five copies of the proof'],
        [[base.proof, { ...bad.proof, id: 'urn:p:2', previousProof: 'urn:p:missing' }], 'a chain naming a missing proof'],
        [
          [
            { ...base.proof, id: 'urn:p:1', previousProof: 'urn:p:2' },
            { ...bad.proof, id: 'urn:p:2', previousProof: 'urn:p:1' },
          ],
          'a cyclic chain',
        ],
        [[], 'an empty proof set'],
        [[base.proof, null], 'a proof and null'],
        [{ ...base.proof, proof: bad.proof }, 'a proof inside the proof'],
      ];
      const [proof, what] = pick(variants, p1);
      return { family: 'proof-set', what, value: withProof(proof) };
    }
    case 'proof-fields': {
      const proof = clone(base.proof);
      const variants: Array<[string, () => void]> = [
        [
          'type',
          () =>
            (proof.type = pick(
              PROOF_TYPES.filter((t) => t !== proof.type),
              p1,
            )),
        ],
        [
          'cryptosuite',
          () =>
            (proof.cryptosuite = pick(
              CRYPTOSUITES.filter((t) => t !== proof.cryptosuite),
              p1,
            )),
        ],
        ['created in the future', () => (proof.created = '2199-01-01T00:00:00Z')],
        ['created without a zone', () => (proof.created = '2025-01-01T00:00:00')],
        ['created garbage', () => (proof.created = pick(['yesterday', '', 1735689600, '2025-02-30T00:00:00Z', '+275760-09-13T00:00:00Z'], p1))],
        ['expired', () => (proof.expires = '2020-01-01T00:00:00Z')],
        ['expires garbage', () => (proof.expires = pick(['never', 0, null, '2025-13-01T00:00:00Z'], p1))],
        [
          'proofValue not base58btc',
          () => (proof.proofValue = pick(['', 'z', 'u' + 'A'.repeat(86), 'z0OIl', 'z' + '1'.repeat(200), 'M' + 'A'.repeat(86), 42, null], p1)),
        ],
        ['proofValue one character short', () => (proof.proofValue = String(proof.proofValue).slice(0, -1))],
        [
          'proofValue one character changed',
          () =>
            (proof.proofValue = `${String(proof.proofValue).slice(0, 12)}${String(proof.proofValue)[12] === '2' ? '3' : '2'}${String(proof.proofValue).slice(13)}`),
        ],
        ['jws instead of proofValue', () => ((proof.jws = 'eyJhbGciOiJub25lIn0..'), delete proof.proofValue)],
        ['proof as a string', () => undefined],
        ['extra member', () => (proof.nonce = r.text || 'n')],
        ['challenge and domain', () => ((proof.challenge = 'abc'), (proof.domain = 'https://evil.example'))],
      ];
      const [what, apply] = pick(variants, p0);
      if (what === 'proof as a string') return { family: 'proof-fields', what, value: withProof(JSON.stringify(base.proof)) };
      apply();
      return { family: 'proof-fields', what, value: withProof(proof) };
    }
  }
  throw new Error(`unknown family ${String(r.family)}`);
}

/**
 * JSON-LD presentations around the badges: mutated badges in an unsigned or a holder-signed presentation, holder
 * proofs swapped, re-purposed or by a stranger, the holder removed or replaced, presentations nested or overfull.
 */
function presentationCase(r: Recipe, m: Material): { family: string; what: string; value?: unknown; raw?: string } {
  const [p0, p1, p2] = r.picks;
  const index = r.base % m.bases.length;
  const signed = m.presentations.signed[index];
  const { proof: holderProof, ...unsigned } = signed;
  // A badge mutated by one of the other families (never a presentation itself).
  const families = ['structural', 'proof-swap', 'suite-key', 'proof-purpose', 'method-outside', 'proof-set', 'proof-fields', 'unknown-context'] as const;
  const inner = mutate({ ...r, family: pick(families, p1) }, m);
  const enclosed = inner.value ?? inner.raw;
  const other = m.presentations.signed[(index + 1 + (r.other % (m.bases.length - 1))) % m.bases.length];
  const variants: Array<() => [unknown, string]> = [
    () => [{ ...clone(unsigned), verifiableCredential: [enclosed] }, `unsigned, enclosing ${inner.what}`],
    () => [{ ...clone(signed), verifiableCredential: [enclosed] }, `holder-signed, enclosed badge replaced by ${inner.what}`],
    () => [{ ...clone(unsigned), proof: other.proof }, 'the holder proof of another presentation'],
    () => [{ ...clone(signed), holder: pick(outsideMethods(m.bases[index].board, m), p2).split('#')[0] }, 'holder replaced'],
    () => {
      const wrong = pick(m.presentations.wrongProofs, p2);
      return [{ ...clone(unsigned), proof: wrong.proof }, `holder proof ${wrong.what}`];
    },
    () => [{ ...clone(unsigned), verifiableCredential: [{ ...clone(signed) }] }, 'a presentation inside a presentation'],
    () => [{ ...clone(unsigned), verifiableCredential: Array.from({ length: 5 }, () => m.bases[index].credential) }, 'five badges'],
    () => {
      const { holder: _h, ...anonymous } = clone(signed);
      return [anonymous, 'holder-signed, holder removed'];
    },
    () => {
      const vp = clone(signed);
      const all = paths(vp).filter((path) => path[0] !== 'verifiableCredential');
      const path = pick(all, p2);
      const { parent, key } = parentOf(vp, path);
      const was = (parent as Json)[key];
      (parent as Json)[key] = pick(
        REPLACEMENTS.filter((x) => JSON.stringify(x) !== JSON.stringify(was)),
        p0,
      );
      return [vp, `holder-signed, ${path.join('.')} replaced`];
    },
    () => [{ ...clone(unsigned), verifiableCredential: [] }, 'no badge'],
  ];
  const [value, what] = pick(variants, p0)();
  return { family: 'presentation', what, value };
}

/** Whether a presentation may verify: its own proof (if any) is a valid presentation's over the same statements, and every badge signs what a valid badge signs. */
async function presentationMayVerify(value: Json, m: Material): Promise<boolean> {
  const entries = Array.isArray(value.verifiableCredential) ? (value.verifiableCredential as unknown[]) : [value.verifiableCredential];
  if (entries.length === 0 || entries.length > 4) return false;
  if ('proof' in value) {
    const { proof, ...document } = value;
    const original = m.presentations.signed.find((vp) => canonicalize(vp.proof) === canonicalize(proof));
    if (!original) return false;
    const { proof: _p, ...signedDocument } = original;
    const [a, b] = await Promise.all([nquads(document), nquads(signedDocument)]);
    if (a === undefined || a !== b) return false;
  }
  for (const entry of entries) if (!(await signsTheSameAs(JSON.stringify(entry), m))) return false;
  return true;
}

/** Verification methods that do not belong to the board's DID (and one of its own that is not in its document). */
/** RFC 8785 JSON of a text, or undefined when it is not JSON. */
function canonicalText(text: string): string | undefined {
  try {
    return canonicalize(JSON.parse(text.trim()) as unknown);
  } catch {
    return undefined;
  }
}

/** Canonical N-Quads by jsonld and rdf-canonize themselves (the pinned contexts, safe mode), or undefined. */
async function nquads(document: Json): Promise<string | undefined> {
  try {
    const dataset = await jsonld.toRDF(document, {
      documentLoader: async (url) => {
        if (!oracleContexts.has(url)) throw new Error(`unknown context ${url}`);
        return { contextUrl: null, documentUrl: url, document: oracleContexts.document(url) };
      },
      safe: true,
      base: null,
      produceGeneralizedRdf: false,
      contextResolver: new ContextResolver({ sharedCache: new Map<string, unknown>() }),
    });
    return await canonize(dataset, {
      algorithm: 'RDFC-1.0',
      messageDigestAlgorithm: 'sha256',
      format: 'application/n-quads',
      maxWorkFactor: 2,
      signal: AbortSignal.timeout(10_000),
      rejectURDNA2015: true,
    });
  } catch {
    return undefined;
  }
}

/** The context URLs a top-level @context names: its entries, and inline contexts' @import and scoped contexts. */
function namedContexts(context: unknown): unknown[] {
  const out: unknown[] = [];
  const visit = (ctx: unknown): void => {
    for (const entry of Array.isArray(ctx) ? (ctx as unknown[]) : [ctx]) {
      if (entry === null) continue;
      if (typeof entry !== 'object') {
        out.push(entry);
        continue;
      }
      for (const [key, member] of Object.entries(entry as Json)) {
        if (key === '@import') out.push(member);
        else if (member !== null && typeof member === 'object' && '@context' in member) visit((member as Json)['@context']);
      }
    }
  };
  visit(context);
  return out;
}

/**
 * Whether a credential signs exactly what a valid badge signs, by the rules of VC Data Integrity rather than the
 * engine's code: each proof is one of that badge's proofs, and the document is the same (RDFC suites: the same
 * statements; JCS suites: the same JSON, its @context cut to the proof's). Such a credential may be verified.
 */
async function signsTheSameAs(text: string, m: Material): Promise<boolean> {
  let value: unknown;
  try {
    value = JSON.parse(text.trim()) as unknown;
  } catch {
    return false;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const types = (value as Json).type;
  if (types === 'VerifiablePresentation' || (Array.isArray(types) && types.includes('VerifiablePresentation'))) return presentationMayVerify(value as Json, m);
  const { proof, ...document } = value as Json;
  // Every context named at the top, inline ones included, must be pinned (docs/verification.md), signed or not.
  if (!namedContexts(document['@context']).every((url) => typeof url === 'string' && oracleContexts.has(url))) return false;
  const proofs = Array.isArray(proof) ? (proof as unknown[]) : [proof];
  const originals = m.bases.flatMap((b) => [b.credential, b.sibling]);
  for (const entry of proofs) {
    const original = originals.find((o) => canonicalize(o.proof) === canonicalize(entry));
    if (!original) return false;
    const { proof: signed, ...signedDocument } = original;
    const pinned = (signed as Json)['@context'];
    if (pinned !== undefined) {
      const ours = Array.isArray(document['@context']) ? (document['@context'] as unknown[]) : [document['@context']];
      const theirs = pinned as unknown[];
      if (theirs.some((c, i) => canonicalize(c) !== canonicalize(ours[i]))) return false;
      if (canonicalize({ ...document, '@context': pinned }) !== canonicalize({ ...signedDocument, '@context': pinned })) return false;
    } else {
      const [a, b] = await Promise.all([nquads(document), nquads(signedDocument)]);
      if (a === undefined || a !== b) return false;
    }
  }
  return proofs.length > 0;
}

function outsideMethods(board: FixtureBoard, m: Material): string[] {
  const attacker = didKey(generateKeyPairSync('ed25519').publicKey).verificationMethod;
  return [
    m.rogue.kid,
    attacker,
    `${board.did}x#key-1`,
    `${board.did}:evil#key-1`,
    `${board.did}%3Aevil#key-1`,
    board.did.replace('boards', 'b\u043Eards') + '#key-1',
    board.did.toUpperCase() + '#key-1',
    board.did.replace(String(m.port), String(m.port + 1)) + '#key-1',
    `${board.did}?versionId=1#key-1`,
    `${board.did}#key-2`,
    `${board.did}#`,
    '#key-1',
    'key-1',
    `https://127.0.0.1:${m.port}/boards/${board.slug}/did.json#key-1`,
    `did:jwk:${Buffer.from(JSON.stringify({ kty: 'OKP', crv: 'Ed25519', x: 'A'.repeat(43) })).toString('base64url')}#0`,
    ` ${board.kid}`,
    `${board.kid}\u0000`,
  ];
}

function build(r: Recipe, m: Material): FuzzCase {
  const made = mutate(r, m);
  let text = made.raw ?? JSON.stringify(made.value);
  let what = made.what;
  if (m.originals.has(canonicalText(text))) {
    // A mutation that happened to give back a valid badge (a value replaced by itself): make it a real change.
    const value = JSON.parse(text) as Json;
    value.validUntil = '2199-01-01T00:00:00Z';
    text = JSON.stringify(value);
    what += ' (no change: validUntil altered)';
  }
  const inner = text;
  const [media, envelope] =
    made.family === 'presentation' ? ['application/vp', 'EnvelopedVerifiablePresentation'] : ['application/vc', 'EnvelopedVerifiableCredential'];
  if (r.wrap === 1) {
    text = `data:${media},${encodeURIComponent(text)}`;
    what += ' (data: URL)';
  } else if (r.wrap === 2) {
    text = JSON.stringify({ type: envelope, id: `data:${media},${encodeURIComponent(text)}` });
    what += ' (VC-API envelope)';
  }
  return { family: made.family, what, text, inner, share: r.share === 0 };
}

// ---------------------------------------------------------------------------------------------------------------

describe('fuzzing: Data Integrity credentials through check-in and verify', () => {
  let issuer: FixtureIssuerServer;
  let env: TestEnv;
  let api: TestApi & { url: string };
  let checkinToken: string;
  let incidentIds: string[];
  let material: Material;

  beforeAll(async () => {
    issuer = await FixtureIssuerServer.start();
    const boards: Record<string, FixtureBoard> = {};
    for (const [slug, alg] of [
      ['fl-ed', 'EdDSA'],
      ['fl-p256', 'ES256'],
      ['fl-p384', 'ES384'],
      ['rogue', 'EdDSA'],
    ] as Array<[string, FixtureAlg]>) {
      boards[slug] = issuer.board(slug, alg);
    }
    // One board's status lists are Data Integrity credentials themselves; the others' are vc+jwt.
    boards['fl-ed'].lists.revocation.dataIntegrity = true;
    boards['fl-ed'].lists.suspension.dataIntegrity = true;

    env = await createTestEnv('fuzz-di', {
      JSONLD_CONTEXTS_DIR: CONFORMANCE_CONTEXTS_DIR,
      CHECKIN_RATE_LIMIT_PER_MINUTE: '100000',
      ACCESS_TOKEN_TTL_SECONDS: '3600',
      FETCH_TIMEOUT_MS: '1000',
      DATABASE_POOL_SIZE: '20',
    });
    const started = await startApi(env.env, { listen: true });
    api = { ...started, url: started.url! };
    const adminToken = await signIn(api.http, ADMIN.email, ADMIN.password);
    const list = trustListFor([
      { board: boards['fl-ed'], name: 'Florida Board of Nursing (Ed25519)' },
      { board: boards['fl-p256'], name: 'Florida Board of Nursing (P-256)' },
      { board: boards['fl-p384'], name: 'Florida Board of Nursing (P-384)' },
    ]);
    await request(api.http)
      .put('/trust/list')
      .set(...bearer(adminToken))
      .send(list)
      .expect(200);
    const incidents = [];
    for (let i = 0; i < 16; i++) incidents.push(await createIncident(api.http, adminToken, { name: `DI Fuzz Incident ${i}` }));
    incidentIds = incidents.map((x) => x.id);
    const staff = await staffFor(api.http, adminToken, incidentIds[0], 'checkin');
    for (const id of incidentIds.slice(1))
      await request(api.http)
        .post(`/incidents/${id}/staff`)
        .set(...bearer(adminToken))
        .send({ userId: staff.id })
        .expect(204);
    checkinToken = staff.token;

    const otherKey = (board: FixtureBoard): KeyObject =>
      board.alg === 'EdDSA' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey : generateKeyPairSync('ed25519').privateKey;
    const mismatchedSuites = (board: FixtureBoard): SuiteName[] =>
      board.alg === 'EdDSA' ? ['ecdsa-rdfc-2019', 'ecdsa-jcs-2019'] : ['eddsa-rdfc-2022', 'eddsa-jcs-2022', 'Ed25519Signature2020'];
    const bases: Base[] = [];
    const setups: Array<[string, SuiteName]> = [
      ['fl-ed', 'eddsa-rdfc-2022'],
      ['fl-ed', 'eddsa-jcs-2022'],
      ['fl-ed', 'Ed25519Signature2020'],
      ['fl-p256', 'ecdsa-rdfc-2019'],
      ['fl-p256', 'ecdsa-jcs-2019'],
      ['fl-p384', 'ecdsa-rdfc-2019'],
    ];
    for (const [i, [slug, suite]] of setups.entries()) {
      const board = boards[slug];
      // The legacy suite's terms come from its own context.
      const contexts = suite === 'Ed25519Signature2020' ? { '@context': [VC2_CONTEXT, OB3_CONTEXT, ED25519_2020_CONTEXT] } : {};
      const issue = (n: number, name: string) =>
        board.issueDataIntegrity({ suite, statusIndex: n, subjectName: `${name} ${i}`, licenseNumber: `RN-${name}-${i}`, credential: contexts });
      const credential = await issue(100 + i, 'Fuzz');
      const sibling = await issue(200 + i, 'Sibling');
      const { proof, ...document } = credential;
      const signedVariants: Base['signedVariants'] = [];
      // Some proofs cannot be signed at all under RDFC (a purpose that is no term is not valid JSON-LD): those are
      // only relabelled below.
      const add = async (
        kind: Base['signedVariants'][number]['kind'],
        what: string,
        opts: { suite?: SuiteName; privateKey?: KeyObject; verificationMethod?: string; proofPurpose?: string },
      ): Promise<void> => {
        try {
          const signed = await signDataIntegrity(document, {
            suite: opts.suite ?? suite,
            privateKey: opts.privateKey ?? board.key.privateKey,
            verificationMethod: opts.verificationMethod ?? board.kid,
            proofPurpose: opts.proofPurpose,
          });
          signedVariants.push({ kind, what, proof: signed.proof as Json });
        } catch {
          // not signable: left out
        }
      };
      for (const purpose of PURPOSES_SIGNED) await add('purpose', `signed for ${JSON.stringify(purpose)}`, { proofPurpose: purpose });
      for (const s of mismatchedSuites(board)) await add('suite-key', `${board.alg} key under ${s}`, { suite: s });
      await add('suite-key', `another key type under ${suite}`, { privateKey: otherKey(board) });
      const rogueDi = didKey(generateKeyPairSync('ed25519').publicKey);
      for (const [what, privateKey, verificationMethod] of [
        ['signed by the rogue board', boards.rogue.key.privateKey, boards.rogue.kid],
        ['signed by the board key, rogue method', board.key.privateKey, boards.rogue.kid],
        ['an attacker did:key', generateKeyPairSync('ed25519').privateKey, rogueDi.verificationMethod],
        ['a DID under the issuer DID', board.key.privateKey, `${board.did}:evil#key-1`],
        ['a DID extending the issuer DID', board.key.privateKey, `${board.did}x#key-1`],
        ['a homoglyph of the issuer DID', board.key.privateKey, board.did.replace('boards', 'b\u043Eards') + '#key-1'],
        ['a method the issuer does not list', board.key.privateKey, `${board.did}#key-2`],
      ] as Array<[string, KeyObject, string]>) {
        // An Ed25519 key cannot sign for an ECDSA suite: sign those with a suite that fits the key.
        const fits = privateKey.asymmetricKeyType === 'ed25519' ? (suite.startsWith('ecdsa') ? 'eddsa-rdfc-2022' : suite) : suite;
        await add('method', what, { suite: fits, privateKey, verificationMethod });
      }
      for (const kind of ['purpose', 'suite-key', 'method'] as const) {
        if (!signedVariants.some((v) => v.kind === kind)) throw new Error(`${slug}/${suite}: no ${kind} variant could be signed`);
      }
      bases.push({ label: `${slug}/${suite}`, board, suite, credential, document, proof: proof as Json, sibling, signedVariants });
    }
    const originals = new Set(bases.flatMap((b) => [canonicalize(b.credential), canonicalize(b.sibling)]));
    const holderKey = generateKeyPairSync('ed25519');
    const holder = didKey(holderKey.publicKey);
    const present = (vp: Json, privateKey: KeyObject, verificationMethod: string, proofPurpose = 'authentication') =>
      signDataIntegrity(vp, { suite: 'eddsa-rdfc-2022', privateKey, verificationMethod, proofPurpose });
    const vpOf = (credential: Json): Json => ({
      '@context': [VC2_CONTEXT],
      type: ['VerifiablePresentation'],
      holder: holder.did,
      verifiableCredential: [credential],
    });
    const signedVps = await Promise.all(bases.map((b) => present(vpOf(b.sibling), holderKey.privateKey, holder.verificationMethod)));
    const stranger = didKey(generateKeyPairSync('ed25519').publicKey);
    const first = vpOf(bases[0].sibling);
    const wrongProofs = [
      { what: 'for assertionMethod', proof: (await present(first, holderKey.privateKey, holder.verificationMethod, 'assertionMethod')).proof as Json },
      { what: "by the holder's key under a stranger's method", proof: (await present(first, holderKey.privateKey, stranger.verificationMethod)).proof as Json },
      {
        what: 'by a board key under the holder method',
        proof: (await present(first, boards['fl-ed'].key.privateKey, holder.verificationMethod)).proof as Json,
      },
    ];
    material = { bases, presentations: { holder, signed: signedVps, wrongProofs }, rogue: boards.rogue, port: issuer.port, originals };
  });

  afterAll(async () => {
    await api?.close();
    await env?.drop();
    await issuer?.close();
  });

  let scanCounter = 0;
  async function send(c: FuzzCase): Promise<{ status: number; body: Json; text: string }> {
    if (c.share) {
      // The verify page's form: a JSON object when the text is one, else the text itself.
      let parsed: unknown;
      try {
        parsed = JSON.parse(c.text) as unknown;
      } catch {
        parsed = undefined;
      }
      const req = request(api.url)
        .post('/credentials/verify')
        .set(...bearer(checkinToken))
        .timeout({ deadline: CASE_DEADLINE_MS });
      const res =
        parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)
          ? await req.send({ verifiableCredential: parsed, options: { jurisdiction: 'US-FL' } })
          : await req.set('content-type', 'text/plain').query({ jurisdiction: 'US-FL' }).send(c.text);
      return { status: res.status, body: (res.body ?? {}) as Json, text: res.text };
    }
    const res = await request(api.url)
      .post(`/incidents/${incidentIds[scanCounter++ % incidentIds.length]}/check-ins`)
      .set(...bearer(checkinToken))
      .set('X-Device-Id', 'fuzz-di-scanner')
      .set('Idempotency-Key', randomUUID())
      .timeout({ deadline: CASE_DEADLINE_MS })
      .send({ credential: c.text });
    return { status: res.status, body: (res.body ?? {}) as Json, text: res.text };
  }

  const REASONS = new Set<string>([...REASON_CODES, 'not_qualified', 'no_qualification', 'active_elsewhere', 'status_unavailable_policy']);

  /** What is wrong with one answer (empty: fine). */
  function problemsWith(c: FuzzCase, res: { status: number; body: Json; text: string }, mayVerify: boolean): string[] {
    const problems: string[] = [];
    if (res.status >= 500) return [`${res.status}: ${res.text.slice(0, 300)}`];
    if (/\bat [\w.<>]+ \(|node_modules|\.ts:\d+/.test(res.text)) problems.push('the response carries a stack trace or source path');
    const codesOf = (list: unknown): string[] => (Array.isArray(list) ? list.map((x) => String((x as Json).code)) : []);
    if (c.share) {
      if (res.body.verified === true || res.status === 200) {
        if (!mayVerify) problems.push(`VERIFIED (${res.status})`);
      } else if (res.status === 400 && Array.isArray(res.body.checks)) {
        const codes = codesOf(res.body.errors);
        if (codes.length === 0 || !codes.every((x) => REASONS.has(x))) problems.push(`refused without reason codes: ${JSON.stringify(res.body.errors)}`);
      } else if (typeof res.body.code !== 'string') problems.push(`${res.status} without a problem code: ${res.text.slice(0, 200)}`);
      return problems;
    }
    if (res.status === 201) {
      const verification = res.body.verification as { verified?: unknown } | undefined;
      if (!mayVerify) {
        if (res.body.decision !== 'denied') problems.push(`ADMITTED (${String(res.body.decision)})`);
        if (verification?.verified !== false) problems.push(`the engine verified it (verified: ${String(verification?.verified)})`);
      }
      const codes = codesOf(res.body.reasons);
      if (res.body.decision === 'denied' && (codes.length === 0 || !codes.every((x) => REASONS.has(x))))
        problems.push(`denied without reason codes: ${JSON.stringify(res.body.reasons)}`);
    } else if (![400, 413, 422].includes(res.status)) problems.push(`unexpected status ${res.status}: ${res.text.slice(0, 200)}`);
    else if (typeof res.body.code !== 'string') problems.push(`${res.status} without a problem code: ${res.text.slice(0, 200)}`);
    return problems;
  }

  it('sanity: the unmodified badges are admitted at check-in and verified through verify', async () => {
    // Without this, a denial of the mutants could be a broken setup rather than a working verifier.
    for (const base of material.bases) {
      const res = await request(api.url)
        .post(`/incidents/${incidentIds[0]}/check-ins`)
        .set(...bearer(checkinToken))
        .set('Idempotency-Key', randomUUID())
        .send({ credential: JSON.stringify(base.credential) });
      expect({ base: base.label, status: res.status, decision: res.body.decision, reasons: res.body.reasons }).toMatchObject({
        base: base.label,
        status: 201,
        decision: 'admitted',
      });
      const shared = await request(api.url)
        .post('/credentials/verify')
        .set(...bearer(checkinToken))
        .send({ verifiableCredential: base.sibling, options: { jurisdiction: 'US-FL' } });
      expect({ base: base.label, status: shared.status, errors: shared.body.errors }).toEqual({ base: base.label, status: 200, errors: [] });
    }
    for (const vp of material.presentations.signed) {
      const res = await request(api.url)
        .post(`/incidents/${incidentIds[1]}/check-ins`)
        .set(...bearer(checkinToken))
        .set('Idempotency-Key', randomUUID())
        .send({ credential: JSON.stringify(vp) });
      expect({ status: res.status, decision: res.body.decision, reasons: res.body.reasons }).toMatchObject({ status: 201, decision: 'admitted' });
    }
  });

  it(`${CASES} mutated Data Integrity credentials (seed ${SEED}): zero 5xx, zero admitted, every refusal with a code`, async () => {
    const perFamily = new Map<string, { cases: number; statuses: Map<number, number>; totalMs: number; maxMs: number; slowest: string }>();
    const failures: string[] = [];
    const equivalent: string[] = [];
    let admittedEquivalent = 0;
    let retried503 = 0;
    const started = Date.now();
    const recipes = fc.sample(recipe, { seed: SEED, numRuns: CASES });
    let next = 0;
    let done = 0;
    const worker = async (): Promise<void> => {
      while (next < recipes.length) {
        const c = build(recipes[next++], material);
        const t0 = Date.now();
        let res: { status: number; body: Json; text: string };
        try {
          res = await send(c);
          for (let retry = 0; res.status === 503 && retry < RETRIES_503; retry++) {
            retried503++;
            // The api's Retry-After is 1 s (a colliding change) or 5 s (no database connection): wait in between.
            await new Promise((resolve) => setTimeout(resolve, 2_000));
            res = await send(c);
          }
        } catch (error) {
          // The request's deadline: a case that does not answer in time (a bomb that did not fail fast) fails.
          failures.push(`[${c.family}] ${c.what}: no answer (${(error as Error).message})`);
          continue;
        }
        const ms = Date.now() - t0;
        done++;
        const stats = perFamily.get(c.family) ?? { cases: 0, statuses: new Map<number, number>(), totalMs: 0, maxMs: 0, slowest: '' };
        stats.cases++;
        stats.totalMs += ms;
        if (ms > stats.maxMs) [stats.maxMs, stats.slowest] = [ms, c.what.slice(0, 60)];
        const key = c.share ? res.status + 1000 : res.status;
        stats.statuses.set(key, (stats.statuses.get(key) ?? 0) + 1);
        perFamily.set(c.family, stats);
        // Verified: only allowed when it signs exactly what a valid badge signs (checked without the engine).
        const verified = c.share
          ? res.body.verified === true || res.status === 200
          : res.status === 201 && ((res.body.verification as Json | undefined)?.verified !== false || res.body.decision !== 'denied');
        const mayVerify = verified && (await signsTheSameAs(c.inner, material));
        if (mayVerify) {
          equivalent.push(`[${c.family}] ${c.what}`);
          if (!c.share && res.body.decision !== 'denied') admittedEquivalent++;
        }
        const problems = problemsWith(c, res, mayVerify);
        if (problems.length > 0) failures.push(`[${c.family}] ${c.what}${c.share ? ' (verify)' : ''}: ${problems.join('; ')}`);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, () => worker()));

    const seconds = (Date.now() - started) / 1000;
    const table = [...perFamily.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(
        ([family, s]) =>
          `${family.padEnd(16)} ${String(s.cases).padStart(5)}  avg ${(s.totalMs / s.cases).toFixed(0).padStart(4)} ms  max ${String(s.maxMs).padStart(5)} ms  ${[
            ...s.statuses.entries(),
          ]
            .sort()
            .map(([k, v]) => (k >= 1000 ? `verify:${k - 1000}x${v}` : `${k}x${v}`))
            .join(' ')}  (slowest: ${s.slowest})`,
      );
    process.stdout.write(
      `\nfuzz-di: ${done} cases in ${seconds.toFixed(1)} s (${(done / seconds).toFixed(0)}/s), seed ${SEED}, 503s retried: ${retried503}\n${table.join('\n')}\n` +
        `verified because they sign exactly what a valid badge signs: ${equivalent.length}\n${[...new Set(equivalent)].slice(0, 20).join('\n')}\n`,
    );

    const distinct = [...new Set(failures)];
    if (distinct.length > 0) throw new Error(`${failures.length} failing case(s), ${distinct.length} distinct:\n${distinct.slice(0, 40).join('\n')}`);
    expect(done).toBe(CASES);
    expect(perFamily.size).toBe(FAMILY_COUNT);
    // Back-pressure now and then under load is no fault; 503s on more than 1% of the cases would be one.
    expect(retried503).toBeLessThanOrEqual(Math.ceil(CASES / 100));
    // The rogue board is trusted by nobody: its DID document was never requested, whatever the proofs named.
    expect(material.rogue.didHits).toBe(0);

    const db = new Client({ connectionString: env.dbUrl });
    await db.connect();
    try {
      const { rows } = await db.query<{ n: string }>(`SELECT count(*) AS n FROM check_in_attempt WHERE decision <> 'denied'`);
      // The sanity test's admissions (badges and presentations), and mutants that sign exactly what a valid badge signs.
      expect(Number(rows[0].n)).toBe(2 * material.bases.length + admittedEquivalent);
    } finally {
      await db.end();
    }
  });
});
