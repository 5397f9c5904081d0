import type { Server as TlsServer } from 'node:tls';
import type { LevelWithSilent, Logger } from 'pino';
import { ValidationError } from '../../domain/index.js';
import { StoreReplica, type OpenOptions } from '../../sdk/index.js';
import { staticKeyFromEnv } from '../auth/access-keys.js';
import { SigV4Authenticator } from '../auth/authenticator.js';
import { BearerTokens } from '../auth/bearer-tokens.js';
import { createLogger } from '../logger.js';
import { ServerMetrics } from '../metrics/metrics.js';
import { loadTls, type TlsFiles } from '../tls.js';
import { buildReplicaApp } from './replica-app.js';
import { ownerWritesOverIpc } from './write-relay.js';

/** What a worker needs to serve, as the primary hands it over (plain data: it travels as JSON). */
export interface ReplicaServeOptions {
  store: Pick<OpenOptions, 'dataDir' | 'registryUrl' | 'registrySchema' | 'onlineStore'>;
  host: string;
  port: number;
  logLevel: LevelWithSilent;
  allowUnsignedPayload: boolean;
  /** The Unix socket the primary serves the whole API on. */
  primarySocket: string;
  /** The public port's certificate and key, read here from their files. */
  tls?: TlsFiles;
}

export interface RunningReplica {
  metrics: ServerMetrics;
  logger: Logger;
  /** Re-reads the certificate and key and serves them from the next handshake on (bad files: the old ones stay). */
  reloadTls(): Promise<void>;
  /** Stops accepting, answers what is in flight (forwarded requests included), closes the replica. Idempotent. */
  close(): Promise<void>;
}

/** One worker of `floe serve --workers`: a replica of the primary's store, listening on the shared port. */
export async function startReplicaServer(options: ReplicaServeOptions, env: NodeJS.ProcessEnv = process.env): Promise<RunningReplica> {
  const tls = options.tls ? await loadTls(options.tls) : undefined;
  const logger = createLogger({ level: options.logLevel });
  const metrics = new ServerMetrics({ processMetrics: true });
  const replica = await StoreReplica.open(options.store, ownerWritesOverIpc());
  try {
    const staticKey = staticKeyFromEnv(env);
    const keys = { keys: replica.accessKeys, ...(staticKey ? { staticKey } : {}) };
    const app = await buildReplicaApp({
      reads: replica,
      authenticator: new SigV4Authenticator({ ...keys, allowUnsignedPayload: options.allowUnsignedPayload }),
      tokens: new BearerTokens(keys),
      metrics,
      logger,
      primarySocket: options.primarySocket,
      ...(tls ? { tls } : {}),
    });
    await app.listen({ host: options.host, port: options.port });
    let closing: Promise<void> | undefined;
    return {
      metrics,
      logger,
      reloadTls: async () => {
        if (!options.tls) throw new ValidationError('tls: this worker serves plain HTTP; there is no certificate to reload', { field: 'tls' });
        (app.server as unknown as TlsServer).setSecureContext(await loadTls(options.tls));
      },
      close: () =>
        (closing ??= (async () => {
          await app.close();
          await replica.close();
        })()),
    };
  } catch (error) {
    await replica.close();
    throw error;
  }
}
