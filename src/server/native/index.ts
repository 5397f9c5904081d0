import { createRequire } from 'node:module';
import type { FastifyInstance, FastifyRequest, preHandlerHookHandler } from 'fastify';
import { NotFoundError, UnauthenticatedError } from '../../domain/index.js';
import type { FeatureStore, RecordPutApi, RecordReadApi } from '../../sdk/index.js';
import { JSON_TYPE, openApiDocument, stringifyWire } from '../../wire/index.js';
import type { Authenticator } from '../auth/authenticator.js';
import type { BearerTokens } from '../auth/bearer-tokens.js';
import type { Principal } from '../auth/principal.js';
import type { ServerMetrics } from '../metrics/metrics.js';
import { featureGroupRoutes } from './feature-group-routes.js';
import { DEFAULT_INGEST_BODY_LIMIT, ingestRoutes } from './ingest-routes.js';
import { maintenanceRoutes } from './maintenance-routes.js';
import { toNativeError } from './native-errors.js';
import { offlineRoutes } from './offline-routes.js';
import { recordPutRoutes } from './record-put-routes.js';
import { recordReadRoutes } from './record-read-routes.js';
import { recordRoutes } from './record-routes.js';
import { tokenRoutes } from './token-routes.js';

export { DEFAULT_INGEST_BODY_LIMIT } from './ingest-routes.js';

export interface NativeApiOptions {
  store: FeatureStore;
  /** Verifies SigV4-signed native requests (and the requests that mint tokens). */
  sigv4: Authenticator;
  tokens: BearerTokens;
  metrics: ServerMetrics;
  /** Largest bulk-ingest body in bytes (default 1 GiB). */
  ingestBodyLimit?: number;
}

const { version } = createRequire(import.meta.url)('../../../package.json') as { version: string };

/** Bearer token or SigV4, as the native API takes them (the Iceberg REST catalog does too). */
export async function authenticate(request: FastifyRequest, { sigv4, tokens }: Pick<NativeApiOptions, 'sigv4' | 'tokens'>): Promise<Principal> {
  const header = request.headers.authorization;
  if (header === undefined || header === '') {
    throw new UnauthenticatedError(
      "Authorization: send 'Authorization: Bearer <token>' (from POST /v1/tokens, or FeatureStore.connect) or sign the request with AWS Signature Version 4",
      { field: 'Authorization' },
    );
  }
  if (/^bearer /i.test(header)) return tokens.authenticate(header.slice(7).trim());
  if (!Buffer.isBuffer(request.body) && request.body !== undefined) {
    throw new UnauthenticatedError('Authorization: this body is streamed, so a signature cannot cover it; send a bearer token', { field: 'Authorization' });
  }
  return sigv4.authenticate({ method: request.method, url: request.raw.url ?? '/', rawHeaders: request.raw.rawHeaders, body: request.body as Buffer | undefined });
}

/**
 * The preHandler hook of routes that take a bearer token or SigV4. A callback hook, not an async
 * one: a token verified before (a client sends one token for many requests) is answered in the
 * same turn, without a promise per request.
 */
export function nativeAuthentication(options: Pick<NativeApiOptions, 'sigv4' | 'tokens'>): preHandlerHookHandler {
  return (request, _reply, done) => {
    const header = request.headers.authorization;
    const known = header !== undefined && /^bearer /i.test(header) ? options.tokens.verifiedPrincipal(header.slice(7).trim()) : undefined;
    if (known) {
      request.principal = known;
      return done();
    }
    authenticate(request, options).then(
      (principal) => {
        request.principal = principal;
        done();
      },
      (error: Error) => done(error),
    );
  };
}

/**
 * The native REST API under /v1 (one route module per group, all declared in wire/routes.ts),
 * its OpenAPI document at /openapi.json, bearer-token or SigV4 authentication, and errors as
 * `{ "error": { "code", "message", "field" } }`.
 */
export async function nativeApi(app: FastifyInstance, options: NativeApiOptions): Promise<void> {
  let document: string | undefined;
  app.get('/openapi.json', { config: { auth: 'none', operation: 'OpenApi' } }, async (_request, reply) =>
    reply.type(JSON_TYPE).send((document ??= JSON.stringify(openApiDocument({ version })))),
  );

  await app.register(
    async (v1) => {
      nativeScope(v1, options);
      // A catch-all route rather than a not-found handler, so unknown routes are authenticated like the others.
      v1.all('/*', { config: { auth: 'native', operation: 'Unmatched' } }, async (request) => {
        throw new NotFoundError(`${request.method} ${request.url.split('?')[0]}: no such route of the native API (see /openapi.json)`);
      });
      await v1.register(tokenRoutes, { tokens: options.tokens });
      await v1.register(featureGroupRoutes, { store: options.store });
      await v1.register(recordRoutes, { store: options.store, metrics: options.metrics });
      await v1.register(offlineRoutes, { store: options.store });
      await v1.register(maintenanceRoutes, { store: options.store });
      await v1.register(ingestRoutes, { store: options.store, ingestBodyLimit: options.ingestBodyLimit ?? DEFAULT_INGEST_BODY_LIMIT });
    },
    { prefix: '/v1' },
  );
}

/** What every native route shares: errors as `{ "error": ... }`, and bearer-token or SigV4 authentication. */
function nativeScope(v1: FastifyInstance, options: Pick<NativeApiOptions, 'sigv4' | 'tokens'>): void {
  v1.setErrorHandler(async (error, request, reply) => {
    const mapped = toNativeError(error);
    if (mapped.fault) request.log.error({ err: error, operation: request.operation, reqId: request.id }, 'request failed');
    if (mapped.status === 401) reply.header('www-authenticate', 'Bearer realm="floe"');
    return reply.code(mapped.status).type(JSON_TYPE).send(stringifyWire(mapped.body));
  });
  v1.addHook('preHandler', nativeAuthentication(options));
}

export interface NativeRecordApiOptions extends Pick<NativeApiOptions, 'sigv4' | 'tokens' | 'metrics'> {
  reads: RecordReadApi & RecordPutApi;
}

/**
 * The native API's record gets and puts alone, as a server's worker serves them (`floe serve
 * --workers`): the same routes, errors and authentication as nativeApi, and no catch-all, so
 * that every other path is left to the worker's forwarding.
 */
export async function nativeRecordApi(app: FastifyInstance, options: NativeRecordApiOptions): Promise<void> {
  await app.register(
    async (v1) => {
      nativeScope(v1, options);
      await v1.register(recordReadRoutes, { reads: options.reads, metrics: options.metrics });
      await v1.register(recordPutRoutes, { puts: options.reads });
    },
    { prefix: '/v1' },
  );
}
