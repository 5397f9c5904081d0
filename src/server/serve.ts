import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Server as TlsServer } from 'node:tls';
import type { FastifyInstance } from 'fastify';
import type { DestinationStream, LevelWithSilent, Logger } from 'pino';
import { ValidationError } from '../domain/index.js';
import type { SchedulerOptions } from '../maintenance/index.js';
import { FeatureStore, type OpenOptions } from '../sdk/index.js';
import { setUpCredentials, type CredentialsSetup } from './auth/access-keys.js';
import { SigV4Authenticator } from './auth/authenticator.js';
import { BearerTokens } from './auth/bearer-tokens.js';
import { buildApp } from './app.js';
import { createLogger } from './logger.js';
import { ServerMetrics } from './metrics/metrics.js';
import { loadTls, type TlsFiles } from './tls.js';
import { startWorkers, type WorkerPool } from './workers/primary.js';
import type { ReplicaServeOptions } from './workers/replica-server.js';
import { gatherWorkerMetrics, reloadWorkersTls } from './workers/worker-messages.js';
import { relayWorkerWrites } from './workers/write-relay.js';

export interface ServeOptions extends OpenOptions {
  /** Default 8080; 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  logLevel?: LevelWithSilent;
  /** Where the JSON log lines go (default stdout). */
  logDestination?: DestinationStream;
  /** Where FLOE_ACCESS_KEY_ID / FLOE_SECRET_ACCESS_KEY are read (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Accept `X-Amz-Content-Sha256: UNSIGNED-PAYLOAD` (default false). */
  allowUnsignedPayload?: boolean;
  /** Scheduled and automatic table maintenance (default on, every 6 hours per group); false turns it off. */
  maintenance?: SchedulerOptions | false;
  /**
   * Processes serving the port (default 1: this one). With more, this process owns the store and
   * serves the API on a private Unix socket, and `workers` forked processes share the port: each
   * answers online reads from a replica, validates puts and hands them here, and forwards
   * everything else here (see workers/).
   */
  workers?: number;
  /** Serve HTTPS with this certificate and key (default plain HTTP, for a private network or behind a proxy that terminates TLS). */
  tls?: TlsFiles;
}

export interface RunningServer {
  /** `http://host:port` (`https://` with TLS) it listens on. */
  url: string;
  credentials: CredentialsSetup;
  app: FastifyInstance;
  store: FeatureStore;
  logger: Logger;
  /**
   * Re-reads the certificate and key (a renewed certificate) and serves them from the next
   * handshake on, in every worker too; connections already open keep theirs. Files that do not
   * check out are refused (ValidationError) and the running certificate stays.
   */
  reloadTls(): Promise<void>;
  /** Stops accepting, lets in-flight requests finish, flushes and closes the store. Idempotent. */
  close(): Promise<void>;
}

/** `floe serve`: opens the store, sets up credentials, and listens. */
export async function startServer(options: ServeOptions = {}): Promise<RunningServer> {
  // Checked before the store opens: a wrong certificate or key changes nothing.
  const tls = options.tls ? await loadTls(options.tls) : undefined;
  const logger = createLogger({ level: options.logLevel ?? 'info', ...(options.logDestination ? { destination: options.logDestination } : {}) });
  const metrics = new ServerMetrics({ processMetrics: true });
  const store = await FeatureStore.open({
    ...options,
    observer: {
      ...options.observer,
      offlineCommit: (event) => {
        metrics.observeOfflineCommit(event);
        options.observer?.offlineCommit?.(event);
      },
    },
  });
  metrics.watchWritePath(() => store.writeStatus());
  metrics.watchOfflineCache(() => store.offlineCacheStats());
  let app: FastifyInstance | undefined;
  let workers: WorkerPool | undefined;
  let socketDir: string | undefined;
  try {
    const credentials = await setUpCredentials(store.accessKeys, store.dataDir, options.env ?? process.env);
    const authenticator = new SigV4Authenticator({
      keys: store.accessKeys,
      ...(credentials.staticKey ? { staticKey: credentials.staticKey } : {}),
      allowUnsignedPayload: options.allowUnsignedPayload ?? false,
    });
    const tokens = new BearerTokens({ keys: store.accessKeys, ...(credentials.staticKey ? { staticKey: credentials.staticKey } : {}) });
    const host = options.host ?? '127.0.0.1';
    const workerCount = options.workers ?? 1;
    // With workers, they hold the public port (and TLS); this process serves only its private socket.
    app = await buildApp({ store, authenticator, tokens, logger, metrics, ...(tls && workerCount === 1 ? { tls } : {}) });
    let port: number;
    if (workerCount > 1) {
      socketDir = await mkdtemp(join(tmpdir(), 'floe-primary-')); // 0700: only this user reaches the socket
      const primarySocket = join(socketDir, 'api.sock');
      await app.listen({ path: primarySocket });
      metrics.include(() => gatherWorkerMetrics());
      relayWorkerWrites(store, logger);
      workers = await startWorkers(workerCount, replicaOptions(options, store.dataDir, host, primarySocket), logger);
      port = workers.port;
    } else {
      await app.listen({ port: options.port ?? 8080, host });
      port = (app.server.address() as AddressInfo).port;
    }
    const url = `${tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}`;
    if (options.maintenance !== false) {
      const maintenance = options.maintenance ?? {};
      await store.startMaintenanceScheduler({
        ...maintenance,
        log: (event) => {
          if (event.outcome === 'failed') logger.warn(event, 'maintenance run failed');
          else logger.info(event, `maintenance run ${event.outcome}`);
          maintenance.log?.(event);
        },
      });
    }
    if (!tls && !isLoopback(host)) {
      logger.warn({ host }, 'serving plain HTTP beyond this machine: request bodies and bearer tokens can be read on the way; give --tls-cert and --tls-key, or terminate TLS in front');
    }
    logger.info(
      { url, dataDir: store.dataDir, credentials: credentials.description, maintenance: options.maintenance !== false, workers: workerCount },
      'floe server listening',
    );
    const running = app;
    let closing: Promise<void> | undefined;
    return {
      url,
      credentials,
      app: running,
      store,
      logger,
      reloadTls: async () => {
        if (!options.tls) throw new ValidationError('tls: the server serves plain HTTP; there is no certificate to reload', { field: 'tls' });
        const renewed = await loadTls(options.tls); // checked here first, workers included
        if (workers) await reloadWorkersTls();
        else (running.server as unknown as TlsServer).setSecureContext(renewed);
      },
      close: () =>
        (closing ??= (async () => {
          logger.info('draining: finishing in-flight requests');
          // Workers first: what they forward is answered here until the last of them is gone.
          await workers?.stop();
          await running.close();
          if (socketDir) await rm(socketDir, { recursive: true, force: true });
          await store.close();
          logger.info('stopped: store flushed and closed');
        })()),
    };
  } catch (error) {
    await workers?.stop().catch(() => undefined);
    await app?.close().catch(() => undefined);
    if (socketDir) await rm(socketDir, { recursive: true, force: true });
    await store.close();
    throw error;
  }
}

/** Whether `host` is reachable from this machine only (a loopback address or name). */
function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** What a worker needs to open a replica of this store and serve the port (plain data). */
function replicaOptions(options: ServeOptions, dataDir: string, host: string, primarySocket: string): ReplicaServeOptions {
  return {
    store: {
      dataDir,
      ...(options.registryUrl === undefined ? {} : { registryUrl: options.registryUrl }),
      ...(options.registrySchema === undefined ? {} : { registrySchema: options.registrySchema }),
      ...(options.onlineStore === undefined ? {} : { onlineStore: options.onlineStore }),
    },
    host,
    port: options.port ?? 8080,
    logLevel: options.logLevel ?? 'info',
    allowUnsignedPayload: options.allowUnsignedPayload ?? false,
    primarySocket,
    ...(options.tls ? { tls: options.tls } : {}),
  };
}

/**
 * SIGTERM / SIGINT: drain and exit 0 once the store is flushed. A second signal while draining
 * exits at once (1), for an operator who cannot wait. With TLS, SIGHUP reloads the certificate
 * (without TLS it keeps its default: a hang-up ends the process).
 */
export function closeOnSignals(server: RunningServer): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      server.logger.warn({ signal }, 'second signal: exiting without finishing the drain');
      server.logger.flush();
      process.exit(1);
    }
    stopping = true;
    server.logger.info({ signal }, 'signal received');
    server.close().then(
      () => server.logger.flush(() => process.exit(0)),
      (error: unknown) => {
        server.logger.error({ err: error }, 'shutdown failed');
        server.logger.flush(() => process.exit(1));
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  if (server.url.startsWith('https:')) {
    process.on('SIGHUP', () => {
      server.reloadTls().then(
        () => server.logger.info('certificate reloaded'),
        (error: unknown) => server.logger.error({ err: error }, 'certificate reload failed; the previous certificate stays in use'),
      );
    });
  }
}
