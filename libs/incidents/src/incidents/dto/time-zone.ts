import { ValidateBy, type ValidationOptions } from 'class-validator';

/** An IANA zone name as written in the tz database ("Area/Location", "UTC", "EST5EDT"): no offsets or abbreviations. */
const ZONE_NAME = /^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/;

/**
 * An IANA time zone the runtime's tz database (ICU) knows, canonical or alias, e.g. America/New_York or UTC.
 * Reports split hours at midnight in this zone, so a name nobody knows must be refused here, not there.
 */
export function isTimeZone(value: unknown): value is string {
  if (typeof value !== 'string' || value.length > 64 || !ZONE_NAME.test(value)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

export function IsTimeZone(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isTimeZone',
      validator: {
        validate: (value: unknown) => isTimeZone(value),
        defaultMessage: () => '$property must be an IANA time zone such as America/New_York or UTC',
      },
    },
    options,
  );
}
