import { FloeError } from '../../domain/index.js';

/** An operation of the Iceberg REST API that Floe's catalog does not offer, with what to do instead. */
export class CatalogUnsupportedError extends Error {}

export interface IcebergErrorResponse {
  status: number;
  body: { error: { message: string; type: string; code: number } };
  /** A server fault (logged), not the client's mistake. */
  fault: boolean;
}

const TYPES: Record<string, [number, string]> = {
  ValidationError: [400, 'BadRequestException'],
  Unauthenticated: [401, 'NotAuthorizedException'],
  AccessDenied: [403, 'ForbiddenException'],
  NotFound: [404, 'NoSuchTableException'],
  Conflict: [409, 'CommitFailedException'],
  ResourceInUse: [409, 'CommitFailedException'],
  LimitExceeded: [400, 'BadRequestException'],
  StoreLocked: [503, 'ServiceUnavailableException'],
  StorageFull: [503, 'ServiceUnavailableException'],
  Unavailable: [503, 'ServiceUnavailableException'],
};

/** Errors in the Iceberg REST catalog's own model (`ErrorModel`), so engines raise their usual exceptions. */
export function toIcebergError(error: unknown): IcebergErrorResponse {
  const shape = (status: number, type: string, message: string, fault = false): IcebergErrorResponse => ({ status, body: { error: { message, type, code: status } }, fault });
  if (error instanceof CatalogUnsupportedError) return shape(406, 'UnsupportedOperationException', error.message);
  if (error instanceof FloeError) {
    const known = TYPES[error.code];
    if (known) {
      const type = error.code === 'NotFound' && error.field === 'namespace' ? 'NoSuchNamespaceException' : known[1];
      return shape(known[0], type, error.message);
    }
  }
  const status = (error as { statusCode?: number }).statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) return shape(status, 'BadRequestException', (error as Error).message);
  return shape(500, 'InternalServerError', 'the catalog failed on its side; see the server log', true);
}
