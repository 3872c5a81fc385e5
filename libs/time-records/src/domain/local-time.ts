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

/** The local calendar date of an instant. */
export function localDate(at: Date, timeZone: string): string {
  return new Date(wallClockMs(at.getTime(), timeZone)).toISOString().slice(0, 10);
}

/** The instant local midnight starts `date`; twice refined so a day after a DST change gets that day's offset. */
export function startOfLocalDay(date: string, timeZone: string): Date {
  const wall = Date.parse(`${date}T00:00:00Z`);
  let t = wall - (wallClockMs(wall, timeZone) - wall);
  t = wall - (wallClockMs(t, timeZone) - t);
  return new Date(t);
}

export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/** 0 = Sunday ... 6 = Saturday. */
export function dayOfWeek(date: string): number {
  return new Date(`${date}T00:00:00Z`).getUTCDay();
}

/** The first date of the week holding `date`, for weeks starting on `weekStartsOn`. */
export function weekStart(date: string, weekStartsOn: number): string {
  return addDays(date, -((dayOfWeek(date) - weekStartsOn + 7) % 7));
}
