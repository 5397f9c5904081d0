import { ValidationError } from './errors.js';

/**
 * Event times are instants. They are compared as integer microseconds since the epoch (UTC),
 * which a double holds exactly for every year up to 2255.
 */
const ISO_8601 = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(Z|z|[+-]\d{2}(?::?\d{2})?)$/;

/** Parses an ISO-8601 date-time with a zone designator into epoch microseconds. */
export function parseIsoToMicros(text: string, field: string): number {
  const m = ISO_8601.exec(text.trim());
  if (!m) {
    throw new ValidationError(
      `${field}: '${text}' is not an ISO-8601 date-time with a zone (e.g. 2025-01-01T00:00:00Z or 2025-01-01T09:00:00+09:00)`,
      { field },
    );
  }
  const [, y, mo, d, h, mi, s = '0', frac = '', zone] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth || hour > 23 || minute > 59 || second > 59) {
    throw new ValidationError(`${field}: '${text}' is not a valid calendar date-time`, { field });
  }
  let offsetMinutes = 0;
  if (zone !== 'Z' && zone !== 'z') {
    const sign = zone!.startsWith('-') ? -1 : 1;
    const digits = zone!.slice(1).replace(':', '');
    const oh = Number(digits.slice(0, 2));
    const om = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
    if (oh > 23 || om > 59) throw new ValidationError(`${field}: '${text}' has an invalid UTC offset`, { field });
    offsetMinutes = sign * (oh * 60 + om);
  }
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, 0);
  const micros = Number((frac + '000000').slice(0, 6));
  return (date.getTime() - offsetMinutes * 60_000) * 1000 + micros;
}

/** Converts fractional epoch seconds into epoch microseconds. */
export function epochSecondsToMicros(seconds: number, field: string): number {
  if (!Number.isFinite(seconds)) {
    throw new ValidationError(`${field}: event time must be a finite number of epoch seconds`, { field });
  }
  return Math.round(seconds * 1_000_000);
}

/** Formats epoch microseconds as ISO-8601 UTC with microsecond precision. */
export function microsToIso(micros: number): string {
  const millis = Math.floor(micros / 1000);
  const rest = micros - millis * 1000;
  const iso = new Date(millis).toISOString(); // ...sss Z
  return rest === 0 ? iso : `${iso.slice(0, -1)}${String(rest).padStart(3, '0')}Z`;
}

/** Parses a user-given instant: a Date, ISO-8601 text, or epoch seconds. */
export function toMicros(value: Date | string | number, field: string): number {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new ValidationError(`${field}: invalid date`, { field });
    return value.getTime() * 1000;
  }
  if (typeof value === 'number') return epochSecondsToMicros(value, field);
  return parseIsoToMicros(value, field);
}
