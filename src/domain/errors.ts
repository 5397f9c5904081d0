/**
 * One error root for all of Floe. Each error knows its HTTP status and the error name the
 * SageMaker APIs use, so the server maps it in one place and the AWS SDK raises its own
 * typed exception.
 */
export type ErrorCode =
  | 'ValidationError'
  | 'NotFound'
  | 'ResourceInUse'
  | 'Conflict'
  | 'LimitExceeded'
  | 'AccessDenied'
  | 'Unauthenticated'
  | 'StoreLocked'
  | 'Internal';

export interface FloeErrorOptions {
  /** The feature, field or parameter the error is about, when there is one. */
  field?: string;
  cause?: unknown;
}

export abstract class FloeError extends Error {
  abstract readonly code: ErrorCode;
  abstract readonly httpStatus: number;
  /** The error name SageMaker's APIs use for the same condition. */
  abstract readonly sagemakerName: string;
  readonly field: string | undefined;

  constructor(message: string, options: FloeErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.field = options.field;
  }

  toJSON(): { code: ErrorCode; message: string; field?: string } {
    return this.field === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, field: this.field };
  }
}

/** Bad input: names the field and the reason; nothing was changed. */
export class ValidationError extends FloeError {
  readonly code = 'ValidationError' as const;
  readonly httpStatus = 400;
  readonly sagemakerName = 'ValidationError';
}

export class NotFoundError extends FloeError {
  readonly code = 'NotFound' as const;
  readonly httpStatus = 404;
  readonly sagemakerName = 'ResourceNotFound';
}

/** The resource exists already, or is busy in a way that forbids the call. */
export class ResourceInUseError extends FloeError {
  readonly code = 'ResourceInUse' as const;
  readonly httpStatus = 400;
  readonly sagemakerName = 'ResourceInUse';
}

/** A concurrent change or an ordering rule (an older event time) refused the call. */
export class ConflictError extends FloeError {
  readonly code = 'Conflict' as const;
  readonly httpStatus = 409;
  readonly sagemakerName = 'ConflictException';
}

export class LimitExceededError extends FloeError {
  readonly code = 'LimitExceeded' as const;
  readonly httpStatus = 400;
  readonly sagemakerName = 'ResourceLimitExceeded';
}

export class AccessDeniedError extends FloeError {
  readonly code = 'AccessDenied' as const;
  readonly httpStatus = 403;
  readonly sagemakerName = 'AccessForbidden';
}

export class UnauthenticatedError extends FloeError {
  readonly code = 'Unauthenticated' as const;
  readonly httpStatus = 403;
  readonly sagemakerName = 'AccessForbidden';
}

/** Another live process holds the data directory. */
export class StoreLockedError extends FloeError {
  readonly code = 'StoreLocked' as const;
  readonly httpStatus = 503;
  readonly sagemakerName = 'ServiceUnavailable';
}

export class InternalError extends FloeError {
  readonly code = 'Internal' as const;
  readonly httpStatus = 500;
  readonly sagemakerName = 'InternalFailure';
}

export function isFloeError(error: unknown): error is FloeError {
  return error instanceof FloeError;
}

/** Time travel to a snapshot that VACUUM expired: its files are gone, so it cannot be read. */
export class SnapshotExpiredError extends NotFoundError {}
