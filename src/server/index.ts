/** The HTTP server: health, metrics, the SageMaker-compatible API and its authentication. */
export { buildApp, DEFAULT_BODY_LIMIT, type AppOptions } from './app.js';
export { startServer, closeOnSignals, type ServeOptions, type RunningServer } from './serve.js';
export { createLogger } from './logger.js';
export { loadTls, type TlsFiles, type TlsCredentials } from './tls.js';
export { ServerMetrics } from './metrics/metrics.js';
export { SigV4Authenticator, type Authenticator, type SigV4AuthenticatorOptions } from './auth/authenticator.js';
export { authorize, mayUseGroup, type Permission } from './auth/authorize.js';
export type { Principal } from './auth/principal.js';
export { generateAccessKey, setUpCredentials, writeCredentialsFile, CREDENTIALS_FILE, ROLES, type CredentialsSetup } from './auth/access-keys.js';
export { toAwsError, type AwsProtocol, type AwsErrorResponse } from './errors/aws-error.js';
export { UnknownOperationError } from './errors/unknown-operation-error.js';
export { BearerTokens, type BearerTokensOptions } from './auth/bearer-tokens.js';
export { DEFAULT_INGEST_BODY_LIMIT } from './native/index.js';
