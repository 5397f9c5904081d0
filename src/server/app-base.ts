import { randomUUID } from 'node:crypto';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Authenticator } from './auth/authenticator.js';
import { auditRequest } from './audit.js';
import type { Principal } from './auth/principal.js';
import { toAwsError } from './errors/aws-error.js';
import { UnknownOperationError } from './errors/unknown-operation-error.js';
import './fastify-types.js';
import { ServerMetrics } from './metrics/metrics.js';
import type { TlsCredentials } from './tls.js';

/** Largest request body: 25 BatchWriteRecord entries of 350 KB each, with room for their JSON. */
export const DEFAULT_BODY_LIMIT = 10 * 1024 * 1024;

/** Levels at which every request gets its log line. */
const VERBOSE_LEVELS = new Set(['debug', 'trace']);

export interface AppBaseOptions {
  authenticator: Authenticator;
  /** Default: fresh counters. */
  metrics?: ServerMetrics;
  /** A pino logger (see createLogger); default: no logging. */
  logger?: FastifyBaseLogger;
  bodyLimit?: number;
  /** Serve HTTPS with this certificate and key (see loadTls); default plain HTTP. */
  tls?: TlsCredentials;
}

export interface AppBase {
  app: FastifyInstance;
  metrics: ServerMetrics;
  /** Whether close() has begun (health answers 503 from then on). */
  isDraining(): boolean;
}

/**
 * What every Floe server shares, before its routes: the fastify instance and its settings, the
 * request id, SigV4 authentication of the routes that take it (native routes authenticate in
 * their plugin), the request metrics, log line and audit line, and the AWS-shaped errors.
 */
export function createAppBase(options: AppBaseOptions): AppBase {
  const metrics = options.metrics ?? new ServerMetrics();
  const app = Fastify({
    ...(options.tls ? { https: { cert: options.tls.cert, key: options.tls.key } } : {}),
    ...(options.logger ? { loggerInstance: options.logger } : { logger: false }),
    bodyLimit: options.bodyLimit ?? DEFAULT_BODY_LIMIT,
    requestIdHeader: false,
    // A UUID, as AWS's request IDs: fastify's counter starts again at every start and in every
    // worker, so one ID in a log or a client's error report could name several requests.
    genReqId: () => randomUUID(),
    // fastify's two info lines per request cost more than serving a GetRecord: one line at debug instead (onResponse).
    logController: new LogController({ disableRequestLogging: true }),
    // A child logger per request (to bind its id) costs more than the lookup a GetRecord serves; only
    // verbose levels log every request, elsewhere the rare error line names the request id itself.
    childLoggerFactory: (logger, bindings, childOptions) => (VERBOSE_LEVELS.has(logger.level) ? logger.child(bindings, childOptions) : logger),
    // Idle keep-alive connections are closed on shutdown; in-flight requests are answered first.
    forceCloseConnections: 'idle',
  });
  let draining = false;

  // Bodies stay raw bytes: the signature covers them exactly, and each API parses its own JSON.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  app.decorateRequest('principal', null);
  app.decorateRequest('operation', '');
  app.decorateRequest('featureGroups', null);

  // Hooks on the hot path take callbacks rather than returning promises: one microtask hop fewer each.
  app.addHook('onRequest', (request, reply, done) => {
    request.operation = request.routeOptions.config.operation ?? request.routeOptions.url ?? 'unmatched';
    reply.header('x-amzn-requestid', request.id);
    done();
  });
  app.addHook('preHandler', (request, _reply, done) => {
    const auth = request.routeOptions.config.auth;
    if (auth === 'none' || auth === 'native') return done(); // native routes authenticate in their plugin
    let decided: Principal | Promise<Principal>;
    try {
      decided = options.authenticator.authenticate({
        method: request.method,
        url: request.raw.url ?? '/',
        rawHeaders: request.raw.rawHeaders,
        body: Buffer.isBuffer(request.body) ? request.body : undefined,
      });
    } catch (error) {
      return done(error as Error);
    }
    if (!(decided instanceof Promise)) {
      request.principal = decided;
      return done();
    }
    decided.then(
      (principal) => {
        request.principal = principal;
        done();
      },
      (error: Error) => done(error),
    );
  });
  app.addHook('onResponse', (request, reply, done) => {
    const ms = reply.elapsedTime;
    metrics.observeRequest(request.operation, reply.statusCode, ms / 1000);
    auditRequest(request, reply);
    if (VERBOSE_LEVELS.has(request.log.level)) {
      const url = request.url;
      const q = url.indexOf('?');
      request.log.debug(
        {
          operation: request.operation,
          method: request.method,
          // Without the query: it holds record identifiers (and, in presigned URLs, signatures).
          path: q < 0 ? url : url.slice(0, q),
          status: reply.statusCode,
          ms: Math.round(ms * 1000) / 1000,
          ...(request.principal ? { accessKeyId: request.principal.accessKeyId } : {}),
        },
        'request',
      );
    }
    done();
  });
  app.addHook('preClose', async () => {
    draining = true;
  });

  app.setErrorHandler(async (error, request, reply) => {
    const aws = toAwsError(error, request.routeOptions.config?.protocol ?? 'rest-json');
    if (aws.status >= 500) request.log.error({ err: error, operation: request.operation, reqId: request.id }, 'request failed');
    return reply.code(aws.status).headers(aws.headers).send(aws.body);
  });
  app.setNotFoundHandler(async (request) => {
    throw new UnknownOperationError(`${request.method} ${request.url.split('?')[0]}: no such operation`);
  });
  return { app, metrics, isDraining: () => draining };
}
