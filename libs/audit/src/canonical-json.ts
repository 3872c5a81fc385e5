import canonicalize from 'canonicalize';

/**
 * RFC 8785 (JCS) canonical JSON for JSON data (what JSON.parse returns, or the JSON-safe objects the writer builds):
 * object keys sorted by UTF-16 code units, no whitespace, numbers and strings serialized as ECMAScript's
 * JSON.stringify does (which is what JCS specifies).
 *
 * Why not call the `canonicalize` package directly: verifying a million-entry chain spends most of its time here.
 * Sorting keys into fresh objects only where they are out of order and then letting V8's native JSON.stringify do
 * the writing is about twice as fast. The unit test checks the output is byte-identical to `canonicalize` on
 * arbitrary JSON values.
 */
export function canonicalJson(value: unknown): string {
  if (alreadyCanonical(value)) {
    const text = JSON.stringify(value);
    if (text === undefined) throw new Error('value cannot be serialized as JSON');
    return text;
  }
  let sorted: unknown;
  try {
    sorted = sortedCopy(value);
  } catch (err) {
    // Integer-like keys: JavaScript enumerates them numerically whatever the insertion order, so no object can hold
    // them in JCS order for JSON.stringify; a "__proto__" key cannot be copied by assignment. Both are rare in audit
    // payloads; the reference implementation handles them.
    if (err !== NEEDS_REFERENCE) throw err;
    const text = canonicalize(value);
    if (text === undefined) throw new Error('value cannot be serialized as JSON');
    return text;
  }
  const text = JSON.stringify(sorted);
  if (text === undefined) throw new Error('value cannot be serialized as JSON');
  return text;
}

const NEEDS_REFERENCE = new Error('object key that JSON.stringify cannot be given in JCS order');

/**
 * True when every object in `value` already has its keys in JCS order (and none that JavaScript orders
 * numerically), so JSON.stringify alone is canonical. Allocation-free: bundles are written in canonical order, so
 * this is the common case when verifying one.
 */
function alreadyCanonical(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return true;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (!alreadyCanonical(value[i])) return false;
    return true;
  }
  let previous = '';
  for (const key in value) {
    const first = key.charCodeAt(0);
    if ((first >= 48 && first <= 57) || previous > key) return false;
    previous = key;
    if (!alreadyCanonical((value as Record<string, unknown>)[key])) return false;
  }
  return true;
}

/** `value` itself when every object in it already has its keys in JCS order; otherwise a copy that has. */
function sortedCopy(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      const sorted = sortedCopy(item);
      if (sorted !== item) {
        copy ??= value.slice();
        copy[i] = sorted;
      }
    }
    return copy ?? value;
  }
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return value; // Date and the like: serialized by JSON.stringify
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  let inOrder = true;
  for (let i = 0; i < keys.length; i++) {
    const first = keys[i].charCodeAt(0);
    if ((first >= 48 && first <= 57) || keys[i] === '__proto__') throw NEEDS_REFERENCE; // "0".."9": over-broad on purpose, the fallback is exact
    if (i > 0 && keys[i - 1] > keys[i]) inOrder = false;
  }
  if (inOrder) {
    let copy: Record<string, unknown> | undefined;
    for (const key of keys) {
      const item = record[key];
      const sorted = sortedCopy(item);
      if (sorted !== item) {
        copy ??= { ...record };
        copy[key] = sorted;
      }
    }
    return copy ?? value;
  }
  keys.sort();
  // A plain object (not Object.create(null), which V8 keeps in slow dictionary mode): "__proto__" was ruled out above.
  const copy: Record<string, unknown> = {};
  for (const key of keys) copy[key] = sortedCopy(record[key]);
  return copy;
}
