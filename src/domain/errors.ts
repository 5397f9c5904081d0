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
  | 'StorageFull'
  | 'Unavailable'
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

/**
 * The disk holding the data directory is full (ENOSPC, EDQUOT): nothing of the refused call was
 * acknowledged, everything acknowledged before is kept, and the same call succeeds once space returns.
 */
export class StorageFullError extends FloeError {
  readonly code = 'StorageFull' as const;
  readonly httpStatus = 507;
  readonly sagemakerName = 'ServiceUnavailable';
}

/** A service Floe depends on (Redis, PostgreSQL) cannot be reached; retry once it is back. */
export class UnavailableError extends FloeError {
  readonly code = 'Unavailable' as const;
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

const DISK_FULL_CODES = new Set(['ENOSPC', 'EDQUOT', 'SQLITE_FULL']);

/** True for the errors of a full disk or exhausted quota, from Node, SQLite, LMDB or DuckDB. */
export function isDiskFull(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== undefined && DISK_FULL_CODES.has(code)) return true;
    if (/\bENOSPC\b|No space left on device|database or disk is full|MDB_MAP_FULL|Disk quota exceeded/i.test(e.message)) return true;
  }
  return false;
}

/** A StorageFullError naming what could not be written, or the error itself when the disk is not full. */
export function diskFullOr(error: unknown, what: string): unknown {
  if (error instanceof StorageFullError || !isDiskFull(error)) return error;
  return new StorageFullError(`${what}: the disk is full (no space left on device); acknowledged data is kept, retry once space is freed`, { cause: error });
}

/** Time travel to a snapshot that VACUUM expired: its files are gone, so it cannot be read. */
export class SnapshotExpiredError extends NotFoundError {}
