import { ValidationError } from '../domain/index.js';

/** How a base column is compared with the group's feature (SageMaker's JoinComparatorEnum). */
export const JOIN_COMPARATORS = ['=', '>', '>=', '<', '<=', '<>'] as const;
export type JoinComparator = (typeof JOIN_COMPARATORS)[number];

/** SageMaker's JoinTypeEnum, in lower case. */
export const JOIN_TYPES = ['inner', 'left', 'right', 'full', 'cross'] as const;
export type JoinType = (typeof JOIN_TYPES)[number];

const DURATION = /^(\d+(?:\.\d+)?)\s*(s|m|h|d|w)$/;
const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 } as const;

/** Seconds from a duration: a number of seconds, or text like '7d', '12h', '30m', '45s', '2w'. */
export function parseDuration(value: unknown, field: string): number {
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value;
  const m = typeof value === 'string' ? DURATION.exec(value.trim()) : null;
  if (!m) {
    throw new ValidationError(`${field}: '${String(value)}' is not a duration (seconds >= 0, or like '7d', '12h', '30m', '45s')`, { field });
  }
  return Number(m[1]) * UNIT_SECONDS[m[2] as keyof typeof UNIT_SECONDS];
}

export function positiveInteger(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new ValidationError(`${field}: must be a whole number of at least 1, got ${String(value)}`, { field });
  }
  return value;
}

export function oneOf<T extends string>(value: unknown, allowed: readonly T[], field: string): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new ValidationError(`${field}: '${String(value)}' is not one of ${allowed.map((a) => `'${a}'`).join(', ')}`, { field });
  }
  return value as T;
}

export function nonEmptyName(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length === 0) throw new ValidationError(`${field}: must be a non-empty name`, { field });
  return value;
}
