/** Calendar dates ("YYYY-MM-DD") and local midnights in an IANA time zone, with the runtime's tz database (no library). */

const formats = new Map<string, Intl.DateTimeFormat>();

function formatFor(timeZone: string): Intl.DateTimeFormat {
  let f = formats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formats.set(timeZone, f);
  }
  return f;
}

function wallClockFromParts(ms: number, timeZone: string): number {
  const parts: Record<string, number> = {};
  for (const p of formatFor(timeZone).formatToParts(new Date(ms))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  return Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second);
}

const QUARTER_HOUR = 900_000;
const OFFSET_CACHE_LIMIT = 100_000;
/** Zone offsets per quarter hour of UTC: offsets are whole quarter hours and change only on quarter-hour instants. */
const offsets = new Map<string, Map<number, number>>();

/**
 * The wall clock in `timeZone` at `ms`, to the second, read as if it were UTC (so the difference to `ms` is the
 * zone's offset). Formatting a date is the costly part of deriving entries, so the offset is kept per quarter hour.
 */
function wallClockMs(ms: number, timeZone: string): number {
  const second = ms - (((ms % 1000) + 1000) % 1000);
  const bucket = Math.floor(ms / QUARTER_HOUR);
  let zone = offsets.get(timeZone);
  if (!zone) offsets.set(timeZone, (zone = new Map()));
  let offset = zone.get(bucket);
  if (offset === undefined) {
    const start = bucket * QUARTER_HOUR;
    offset = wallClockFromParts(start, timeZone) - start;
    if (zone.size >= OFFSET_CACHE_LIMIT) zone.clear();
    zone.set(bucket, offset);
  }
  return second + offset;
}

const DAY = 86_400_000;
const CACHE_LIMIT = 100_000;
/** Day numbers (days since 1970-01-01) and their "YYYY-MM-DD" text, both ways: every row asks for dates. */
const dayText = new Map<number, string>();
const textDay = new Map<string, number>();

function textOfDay(day: number): string {
  let text = dayText.get(day);
  if (text === undefined) {
    text = new Date(day * DAY).toISOString().slice(0, 10);
    if (dayText.size >= CACHE_LIMIT) dayText.clear();
    dayText.set(day, text);
  }
  return text;
}

function dayOfText(date: string): number {
  let day = textDay.get(date);
  if (day === undefined) {
    day = Math.floor(Date.parse(`${date}T00:00:00Z`) / DAY);
    if (textDay.size >= CACHE_LIMIT) textDay.clear();
    textDay.set(date, day);
  }
  return day;
}

/** The local calendar date of an instant. */
export function localDate(at: Date, timeZone: string): string {
  return localDateOfMs(at.getTime(), timeZone);
}

export function localDateOfMs(ms: number, timeZone: string): string {
  return textOfDay(Math.floor(wallClockMs(ms, timeZone) / DAY));
}

/** Local midnights per zone and date; a day after a DST change gets that day's offset. */
const midnights = new Map<string, Map<string, number>>();

/** The instant (epoch ms) local midnight starts `date`. */
export function localMidnightMs(date: string, timeZone: string): number {
  let zone = midnights.get(timeZone);
  if (!zone) midnights.set(timeZone, (zone = new Map()));
  let t = zone.get(date);
  if (t === undefined) {
    // Twice refined so a day after a DST change gets that day's offset.
    const wall = dayOfText(date) * DAY;
    t = wall - (wallClockMs(wall, timeZone) - wall);
    t = wall - (wallClockMs(t, timeZone) - t);
    if (zone.size >= CACHE_LIMIT) zone.clear();
    zone.set(date, t);
  }
  return t;
}

/** An offset at the end of an ISO 8601 date-time ("Z", "+02", "-05:30"). */
const ZONE_DESIGNATOR = /T.*(?:Z|[+-]\d{2}(?::?\d{2})?)$/i;
const LOCAL_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3})\d*)?)?)?$/;

/**
 * An ISO 8601 date-time as recorded on a form: with its offset as given; without one, as wall-clock time in
 * `timeZone` (a date alone: its local midnight), so the reading does not depend on the machine's zone. NaN when
 * unreadable.
 */
export function recordedInstantMs(text: string, timeZone: string): number {
  const t = text.trim();
  if (ZONE_DESIGNATOR.test(t)) return Date.parse(t);
  const m = LOCAL_DATE_TIME.exec(t);
  if (!m) return NaN;
  const n = (i: number): number => Number(m[i] ?? 0);
  const wall = Date.UTC(n(1), n(2) - 1, n(3), n(4), n(5), n(6), m[7] ? Number(m[7].padEnd(3, '0')) : 0);
  // Twice refined, as for midnights, so a time just after a DST change gets that time's offset.
  let ms = wall - (wallClockMs(wall, timeZone) - wall);
  ms = wall - (wallClockMs(ms, timeZone) - ms);
  return ms;
}

/** The instant local midnight starts `date`. */
export function startOfLocalDay(date: string, timeZone: string): Date {
  return new Date(localMidnightMs(date, timeZone));
}

export function addDays(date: string, days: number): string {
  return textOfDay(dayOfText(date) + days);
}

/** 0 = Sunday ... 6 = Saturday. */
export function dayOfWeek(date: string): number {
  // 1970-01-01 was a Thursday.
  return (((dayOfText(date) + 4) % 7) + 7) % 7;
}

/** The first date of the week holding `date`, for weeks starting on `weekStartsOn`. */
export function weekStart(date: string, weekStartsOn: number): string {
  const day = dayOfText(date);
  return textOfDay(day - ((((((day + 4) % 7) + 7) % 7) - weekStartsOn + 7) % 7));
}
