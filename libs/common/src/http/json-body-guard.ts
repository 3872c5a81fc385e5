/**
 * Limits on what a JSON request body may contain, checked while it is parsed (before validation pipes see it):
 *  - nesting depth: class-transformer and class-validator recurse into nested values, so a 10,000-deep body would
 *    overflow the stack (a 500) long before the 256 KB size limit is reached;
 *  - NUL characters and unpaired surrogates in strings and keys: PostgreSQL text and jsonb cannot store them and
 *    JCS canonicalization (idempotency hashes, audit) refuses them, so they must be refused up front as bad input.
 * No legitimate request of this API comes near either limit.
 */
export const MAX_JSON_DEPTH = 32;

/** A JSON body the API refuses before parsing finishes (400 malformed_request, with this message as the detail). */
export class UnsafeJsonBodyError extends Error {
  readonly status = 400;
  readonly statusCode = 400;
  readonly expose = true;
  constructor(message: string) {
    super(message);
    this.name = 'UnsafeJsonBodyError';
  }
}

const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** Scans the raw bytes (body-parser `verify`): throws when objects/arrays nest deeper than `max`. Linear, no parsing. */
export function assertJsonDepth(body: Buffer, max = MAX_JSON_DEPTH): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < body.length; i++) {
    const byte = body[i];
    if (inString) {
      if (byte === BACKSLASH) i++;
      else if (byte === QUOTE) inString = false;
      continue;
    }
    if (byte === QUOTE) inString = true;
    else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
      if (++depth > max) throw new UnsafeJsonBodyError(`The request body nests objects or arrays deeper than ${max} levels.`);
    } else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) depth--;
  }
}

/** NUL, or a high surrogate not followed by a low one, or a low surrogate not preceded by a high one. */
const UNSAFE_TEXT = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** JSON.parse reviver (body-parser `reviver`): refuses NUL characters and unpaired surrogates in keys and strings. */
export function refuseUnsafeJsonText(key: string, value: unknown): unknown {
  if (UNSAFE_TEXT.test(key) || (typeof value === 'string' && UNSAFE_TEXT.test(value))) {
    throw new UnsafeJsonBodyError('The request body contains a NUL character or an unpaired UTF-16 surrogate.');
  }
  return value;
}
