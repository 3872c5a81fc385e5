/**
 * XML Schema dateTimeStamp (VC 2.0 validFrom/validUntil): always with `Z` or an offset, compared as instants.
 * `2023-02-25T19:21:29-06:00` is 6 s after `2023-02-26T01:21:23Z` although it sorts before it as a string.
 */
const DATE_TIME = /^(-?\d{4,})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/;

const CANONICAL_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/;

/**
 * Instants already read, by text. Every verification reads validFrom/validUntil in its data-model, validity and
 * summary steps, and badges of one issuer share their dates. Only texts with a zone are kept (their value does not
 * depend on `zoneOptional`); bounded by starting afresh when full.
 */
const knownInstants = new Map<string, number>();
const MAX_KNOWN_INSTANTS = 1024;

function remember<T>(known: Map<string, T>, text: string, value: T): T {
  if (known.size >= MAX_KNOWN_INSTANTS) known.clear();
  known.set(text, value);
  return value;
}

/** For parseInstant: a date-time without a zone is read as UTC (VC 1.1 dates, a credential summary). */
export const ZONE_OPTIONAL = Object.freeze({ zoneOptional: true });

/** Milliseconds since the epoch, or undefined when the text is not a date-time (with zone unless `zoneOptional`). */
export function parseInstant(text: unknown, opts?: { zoneOptional?: boolean }): number | undefined {
  if (typeof text !== 'string' || text.length > 64) return undefined;
  const known = knownInstants.get(text);
  if (known !== undefined) return known;
  // Fast path for the common form (UTC, whole or millisecond precision): Date.parse reads it exactly.
  if (CANONICAL_UTC.test(text)) {
    const ms = Date.parse(text);
    return Number.isFinite(ms) && isCalendarDate(text) ? remember(knownInstants, text, ms) : undefined;
  }
  const m = DATE_TIME.exec(text);
  if (!m) return undefined;
  const [, year, month, day, hour, minute, second, fraction, zone] = m;
  if (!zone && !opts?.zoneOptional) return undefined;
  const mo = Number(month);
  const d = Number(day);
  const h = Number(hour);
  const mi = Number(minute);
  const s = Number(second);
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 24 || mi > 59 || s > 60) return undefined;
  // Date.parse wants exactly three fraction digits and a four-digit (or ±six-digit) year.
  const ms = fraction ? fraction.slice(1, 4).padEnd(3, '0') : '000';
  const y = Number(year);
  const yearText = y >= 0 && y <= 9999 ? String(y).padStart(4, '0') : (y < 0 ? '-' : '+') + String(Math.abs(y)).padStart(6, '0');
  const value = Date.parse(`${yearText}-${month}-${day}T${hour}:${minute}:${second}.${ms}${zone ?? 'Z'}`);
  if (!Number.isFinite(value)) return undefined;
  return zone ? remember(knownInstants, text, value) : value;
}

/** Date.parse rolls 2023-02-30 over to March; a real date-time must name an existing day. */
function isCalendarDate(text: string): boolean {
  const year = Number(text.slice(0, 4));
  const month = Number(text.slice(5, 7));
  const day = Number(text.slice(8, 10));
  const days = [31, year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
  return days !== undefined && day >= 1 && day <= days && Number(text.slice(11, 13)) <= 23;
}

export const toIso = (ms: number): string => new Date(ms).toISOString();

const knownIsoTexts = new Map<string, string>();

/**
 * The ISO form of a date-time text (`ms`: the instant parseInstant read from it), remembered per text like the
 * instants: a summary and the validity check give it for the same dates on every verification.
 */
export function normalisedIso(text: unknown, ms: number): string {
  if (typeof text !== 'string') return toIso(ms);
  const known = knownIsoTexts.get(text);
  if (known !== undefined) return known;
  // The canonical UTC form with or without milliseconds needs no Date round trip.
  const iso = !CANONICAL_UTC.test(text) ? toIso(ms) : text.length === 24 ? text : `${text.slice(0, 19)}.000Z`;
  return remember(knownIsoTexts, text, iso);
}
