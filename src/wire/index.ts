/**
 * The native API's wire, shared by the server and the remote SDK: routes and their zod schemas,
 * the lossless JSON convention, the error body and the bearer token format.
 */
export { NATIVE_ROUTES, routePath, ARROW_STREAM, JSON_LINES, PARQUET, CSV, type NativeRoute, type NativeRouteName, type RoutePermission } from './routes.js';
export { stringifyWire, parseWire, JSON_TYPE } from './json.js';
export { fromWireError, toWireError, nativeStatus, type WireError } from './errors.js';
export {
  deriveBearerToken,
  parseBearerToken,
  tokenSignatureMatches,
  DEFAULT_TOKEN_LIFETIME_SECONDS,
  MAX_TOKEN_LIFETIME_SECONDS,
  TOKEN_PREFIX,
  type TokenClaim,
} from './bearer-token.js';
export { openApiDocument } from './openapi.js';
export * as schemas from './schemas.js';
