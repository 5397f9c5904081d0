import { isFloeError, UnavailableError } from '../../domain/index.js';

/** SQLSTATE classes and codes that mean the server went away or is not accepting work yet. */
const UNAVAILABLE_SQLSTATE = /^(08|57P0[1-3]|53300)/;
const UNAVAILABLE_ERRNO = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND']);
const UNAVAILABLE_MESSAGE = /Connection terminated|connection error|not queryable|timeout exceeded when trying to connect|the database system is (starting up|shutting down|in recovery mode)/i;

/** True when a pg error says PostgreSQL cannot be reached (not that the query was wrong). */
export function isConnectionFailure(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (UNAVAILABLE_SQLSTATE.test(code) || UNAVAILABLE_ERRNO.has(code))) return true;
  if (error instanceof AggregateError && error.errors.some(isConnectionFailure)) return true;
  return UNAVAILABLE_MESSAGE.test(error.message);
}

/**
 * The registry with every call's connection failures as UnavailableError (503 over HTTP, retry
 * later) instead of untyped driver errors (500). The calls themselves are unchanged.
 */
export function withUnavailableErrors<T extends object>(registry: T): T {
  return new Proxy(registry, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const result = (value as (...a: unknown[]) => unknown).apply(target, args);
        if (!(result instanceof Promise)) return result;
        return result.catch((error: unknown) => {
          if (isFloeError(error) || !isConnectionFailure(error)) throw error;
          throw new UnavailableError(`registry (postgresql): cannot reach the database (${(error as Error).message}); retry once it is back`, { cause: error });
        });
      };
    },
  });
}
