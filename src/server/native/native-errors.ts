import { InternalError, isFloeError, LimitExceededError, ValidationError, type FloeError } from '../../domain/index.js';
import { nativeStatus, toWireError, type WireError } from '../../wire/index.js';

/** Errors raised by fastify itself (body too large, bad content length...). */
interface HttpLayerError {
  statusCode?: number;
  code?: string;
  message: string;
}

/**
 * The one mapping of the native API: a FloeError keeps its code, field and message; a client
 * error of the HTTP layer becomes a ValidationError (413 for a body over the limit); anything
 * else is an internal failure whose message stays in the log.
 */
export function toNativeError(error: unknown): { status: number; body: WireError; fault: boolean } {
  const floe = asFloeError(error);
  const status = nativeStatus(floe);
  return { status, body: toWireError(floe), fault: status >= 500 && !isFloeError(error) };
}

function asFloeError(error: unknown): FloeError {
  if (isFloeError(error)) return error;
  const http = error as HttpLayerError | undefined;
  if (http && typeof http.statusCode === 'number' && http.statusCode >= 400 && http.statusCode < 500) {
    if (http.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return bodyTooLarge();
    return new ValidationError(http.message, {});
  }
  return new InternalError('the server failed to process the request; see its log');
}

export function bodyTooLarge(limit?: number): LimitExceededError {
  return new LimitExceededError(`body: the request body is larger than the server accepts${limit ? ` (${limit} bytes)` : ''}`, { field: 'body' });
}
