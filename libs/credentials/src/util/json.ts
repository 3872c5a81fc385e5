/** Small type guards for untrusted JSON: credentials arrive from strangers, so nothing is assumed about their shape. */
export type JsonRecord = Record<string, unknown>;

export const isRecord = (value: unknown): value is JsonRecord => typeof value === 'object' && value !== null && !Array.isArray(value);

const NONE: readonly unknown[] = Object.freeze([]);

/** A JSON-LD "one or many" value as a list (absent -> [], one shared empty list: read-only). */
export const oneOrMany = (value: unknown): readonly unknown[] => (value === undefined ? NONE : Array.isArray(value) ? value : [value]);

/** The first object of a JSON-LD "one or many" value (a credential's subject, an achievement). */
export const firstRecord = (value: unknown): JsonRecord | undefined => (isRecord(value) ? value : Array.isArray(value) ? value.find(isRecord) : undefined);

export const isNonEmptyString = (value: unknown): value is string => typeof value === 'string' && value.length > 0;

/**
 * A URL in the data-model sense: an absolute IRI with a scheme (https:, did:, urn:, data:, ...), no whitespace.
 * `fake-issuer` and `https ://x` are not URLs; `did:example:123` is.
 */
const URL_LIKE = /^[A-Za-z][A-Za-z0-9+.-]*:[^\s]+$/;

export function isUrl(value: unknown): value is string {
  return typeof value === 'string' && value.length <= 8192 && URL_LIKE.test(value);
}

/** The string value of `x` or `x.id` (issuer, holder). */
export function idOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (isRecord(value) && typeof value.id === 'string') return value.id;
  return undefined;
}

/** First plain string of a JSON-LD text value: "x", {"@value": "x"}, or a list of them. */
export function textOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  for (const item of oneOrMany(value)) {
    if (typeof item === 'string') return item;
    if (isRecord(item) && typeof item['@value'] === 'string') return item['@value'];
  }
  return undefined;
}
