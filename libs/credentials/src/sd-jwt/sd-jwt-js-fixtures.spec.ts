import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CONFORMANCE_DIR } from '../../../../test/support/conformance';
import { isRecord, type JsonRecord } from '../util/json';
import { digestOf, processDisclosures } from './sd-jwt';

/**
 * The sd-jwt-js round-trip fixtures (../shared/conformance/sd-jwt-js): their claims are made selectively disclosable
 * by sd-jwt-js's disclosure frames (objects, arrays, recursion, decoys) here, the holder keeps what a presentation
 * frame selects, and the processing of RFC 9901 must give back what the authors' own test expects.
 */
const DIR = path.join(CONFORMANCE_DIR, 'sd-jwt-js');
interface Fixture {
  claims: JsonRecord;
  disclosureFrame: JsonRecord;
  presentationFrames?: JsonRecord;
  presentedClaims?: JsonRecord;
  requiredClaimKeys?: string[];
}
const files = (JSON.parse(readFileSync(path.join(DIR, 'expected.json'), 'utf8')) as { fixtures: string[] }).fixtures;

interface Made {
  encoded: string;
  /** Where the disclosed value sits: object keys and array indexes. */
  path: Array<string | number>;
}

const salt = (): string => randomBytes(16).toString('base64url');
const encode = (contents: unknown[]): string => Buffer.from(JSON.stringify(contents)).toString('base64url');
const decoy = (): string => digestOf(salt(), 'sha256');

/** sd-jwt-js's frame: `_sd` lists the disclosable keys (or array indexes), `_sd_decoy` a number of decoys; nested frames by key. */
function pack(value: unknown, frame: unknown, at: Array<string | number>, made: Made[]): unknown {
  const f = isRecord(frame) ? frame : {};
  const sd = Array.isArray(f._sd) ? f._sd : [];
  const decoys = typeof f._sd_decoy === 'number' ? f._sd_decoy : 0;
  if (Array.isArray(value)) {
    const out: unknown[] = value.map((element, i) => {
      const packed = pack(element, f[String(i)], [...at, i], made);
      if (!sd.includes(i)) return packed;
      const encoded = encode([salt(), packed]);
      made.push({ encoded, path: [...at, i] });
      return { '...': digestOf(encoded, 'sha256') };
    });
    for (let i = 0; i < decoys; i++) out.push({ '...': decoy() });
    return out;
  }
  if (!isRecord(value)) return value;
  const out: JsonRecord = {};
  const digests: string[] = [];
  for (const [key, child] of Object.entries(value)) {
    const packed = pack(child, f[key], [...at, key], made);
    if (!sd.includes(key)) {
      out[key] = packed;
      continue;
    }
    const encoded = encode([salt(), key, packed]);
    made.push({ encoded, path: [...at, key] });
    digests.push(digestOf(encoded, 'sha256'));
  }
  for (let i = 0; i < decoys; i++) digests.push(decoy());
  if (digests.length > 0) out._sd = digests.sort();
  return out;
}

/** A presentation frame selects a Disclosure when it names every step of its path (`true` or a nested frame). */
function selected(frame: unknown, at: Array<string | number>): boolean {
  let f = frame;
  for (const step of at) {
    if (!isRecord(f)) return false;
    f = f[String(step)];
    if (f === undefined || f === false) return false;
  }
  return true;
}

function hasPath(claims: unknown, dotted: string): boolean {
  let node = claims;
  for (const step of dotted.split('.')) {
    if (!isRecord(node) && !Array.isArray(node)) return false;
    if (!(step in (node as object))) return false;
    node = (node as JsonRecord)[step];
  }
  return true;
}

describe('sd-jwt-js round-trip fixtures', () => {
  // sd-jwt-js drops an object all of whose claims stay undisclosed; RFC 9901 (7.1) removes only the `_sd` member, so
  // the empty object remains in the processed payload.
  const RFC_DIFFERENCE: Record<string, JsonRecord> = { 'array_none_disclosed.json': { is_over: {} } };

  it.each(files.map((f) => [path.basename(f), f] as const))('%s (compact form)', (name, file) => {
    const fixture = JSON.parse(readFileSync(path.join(DIR, file), 'utf8')) as Fixture;
    const made: Made[] = [];
    const payload = pack(fixture.claims, fixture.disclosureFrame, [], made) as JsonRecord;
    payload._sd_alg = 'sha-256';
    const all = processDisclosures(
      payload,
      made.map((m) => m.encoded),
      'sha256',
    );
    expect(all.unreferenced).toBeUndefined();
    expect(all.claims).toEqual(fixture.claims);
    for (const key of fixture.requiredClaimKeys ?? []) expect(hasPath(all.claims, key)).toBe(true);
    if (fixture.presentationFrames && fixture.presentedClaims) {
      const kept = made.filter((m) => selected(fixture.presentationFrames, m.path)).map((m) => m.encoded);
      expect(processDisclosures(payload, kept, 'sha256').claims).toEqual(RFC_DIFFERENCE[name] ?? fixture.presentedClaims);
    }
  });
});
