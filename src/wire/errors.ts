import type { FloeError } from '../domain/index.js';
import {
  AccessDeniedError,
  ConflictError,
  InternalError,
  LimitExceededError,
  NotFoundError,
  ResourceInUseError,
  StorageFullError,
  StoreLockedError,
  UnauthenticatedError,
  UnavailableError,
  ValidationError,
  type ErrorCode,
} from '../domain/index.js';

/** The error body of the native API: `{ "error": { "code", "message", "field"? } }`. */
export interface WireError {
  error: { code: ErrorCode; message: string; field?: string };
}

const CLASSES: Record<ErrorCode, new (message: string, options?: { field?: string }) => FloeError> = {
  ValidationError,
  NotFound: NotFoundError,
  ResourceInUse: ResourceInUseError,
  Conflict: ConflictError,
  LimitExceeded: LimitExceededError,
  AccessDenied: AccessDeniedError,
  Unauthenticated: UnauthenticatedError,
  StoreLocked: StoreLockedError,
  StorageFull: StorageFullError,
  Unavailable: UnavailableError,
  Internal: InternalError,
};

/**
 * HTTP statuses of the native API. They follow the FloeError's own status, except where plain
 * HTTP has a better word than SageMaker's: 401 for a missing or bad credential, 413 for a body
 * over the limit, 429 is left to proxies.
 */
export function nativeStatus(error: FloeError): number {
  if (error.code === 'Unauthenticated') return 401;
  if (error.code === 'LimitExceeded' && error.field === 'body') return 413;
  return error.httpStatus;
}

/** The FloeError subclass an error body names, so a remote caller catches the same types as an in-process one. */
export function fromWireError(body: unknown, status: number): FloeError {
  const e = (body as Partial<WireError> | undefined)?.error;
  if (!e || typeof e.message !== 'string' || typeof e.code !== 'string' || !(e.code in CLASSES)) {
    return new InternalError(`the server answered ${status} without a Floe error body`);
  }
  const Class = CLASSES[e.code];
  return new Class(e.message, typeof e.field === 'string' ? { field: e.field } : {});
}

export function toWireError(error: FloeError): WireError {
  return { error: error.toJSON() };
}
