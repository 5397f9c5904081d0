import type { z } from 'zod';
import { ValidationError } from './errors.js';

/** Renders a zod path as `featureDefinitions[2].featureName`. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out;
}

/**
 * Parses input with a zod schema; the first problem becomes a ValidationError that names the
 * field and the reason.
 */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown, prefix = ''): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const path = formatPath(issue.path);
  const field = prefix && path ? `${prefix}.${path}` : prefix || path || undefined;
  throw new ValidationError(field ? `${field}: ${issue.message}` : issue.message, field === undefined ? {} : { field });
}
