import { ValidationError } from '../../domain/index.js';

/** The JSON body of a request; malformed JSON or a non-object is the client's mistake (400). */
export function parseJsonBody(body: unknown): Record<string, unknown> {
  if (body === undefined || body === null) return {};
  const text = Buffer.isBuffer(body) ? body.toString('utf8') : typeof body === 'string' ? body : undefined;
  if (text === undefined) throw new ValidationError('body: expected a JSON object', { field: 'body' });
  if (text.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ValidationError(`body: not valid JSON (${(error as Error).message})`, { field: 'body' });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ValidationError('body: expected a JSON object', { field: 'body' });
  }
  return value as Record<string, unknown>;
}

/** Date -> epoch seconds, as AWS JSON 1.1 and REST-JSON send timestamps. */
export function epochSeconds(date: Date): number {
  return date.getTime() / 1000;
}
