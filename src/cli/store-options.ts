import type { Command } from 'commander';
import { ValidationError } from '../domain/index.js';
import type { FeatureStore, FeatureStoreApi } from '../sdk/index.js';

export interface GlobalOptions {
  dataDir: string;
  registryUrl?: string;
  redisUrl?: string;
  endpoint?: string;
  json?: boolean;
}

/** Options every command takes, also read from the environment. */
export function addGlobalOptions(program: Command): Command {
  return program
    .option('--data-dir <dir>', 'data directory (env FLOE_DATA_DIR)', process.env.FLOE_DATA_DIR ?? './.floe')
    .option('--registry-url <url>', 'PostgreSQL URL of a shared registry (env FLOE_REGISTRY_URL; default: embedded SQLite)', process.env.FLOE_REGISTRY_URL)
    .option('--redis-url <url>', 'Redis URL of a shared online store (env FLOE_REDIS_URL; default: embedded LMDB)', process.env.FLOE_REDIS_URL)
    .option(
      '--endpoint <url>',
      'work against a Floe server instead of a data directory (env FLOE_ENDPOINT; key from FLOE_ACCESS_KEY_ID and FLOE_SECRET_ACCESS_KEY, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)',
      process.env.FLOE_ENDPOINT,
    )
    .option('--json', 'print JSON for scripts (int64 exact)');
}

/**
 * The access key for --endpoint, from the environment only: a secret given as an argument would
 * show in `ps` and in shell history.
 */
function credentials(): { accessKeyId: string; secretAccessKey: string } {
  const accessKeyId = process.env.FLOE_ACCESS_KEY_ID ?? process.env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = process.env.FLOE_SECRET_ACCESS_KEY ?? process.env.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) {
    throw new ValidationError(
      '--endpoint: set FLOE_ACCESS_KEY_ID and FLOE_SECRET_ACCESS_KEY (or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY) to a key of the server (floe keys create on its machine)',
      { field: 'endpoint' },
    );
  }
  return { accessKeyId, secretAccessKey };
}

/**
 * The one place where the CLI picks its store: a Floe server with --endpoint (the native API, the
 * same interface), otherwise the embedded store in the data directory, with a shared registry or
 * online store when their URLs are given.
 */
export async function openStore(options: GlobalOptions): Promise<FeatureStoreApi> {
  // Loaded on use: `floe --help` and argument errors answer without loading the engines.
  const { FeatureStore } = await import('../sdk/index.js');
  if (options.endpoint) return FeatureStore.connect({ endpoint: options.endpoint, credentials: credentials() });
  return openEmbedded(options);
}

export async function openEmbedded(options: GlobalOptions): Promise<FeatureStore> {
  const { FeatureStore } = await import('../sdk/index.js');
  return FeatureStore.open({
    dataDir: options.dataDir,
    ...(options.registryUrl ? { registryUrl: options.registryUrl } : {}),
    ...(options.redisUrl ? { onlineStore: { kind: 'redis' as const, url: options.redisUrl } } : {}),
  });
}

export async function withStore<T>(options: GlobalOptions, run: (store: FeatureStoreApi) => Promise<T>): Promise<T> {
  const store = await openStore(options);
  try {
    return await run(store);
  } finally {
    await store.close();
  }
}

/** For what only the embedded store does (maintenance runs, the demo): --endpoint is refused, saying why. */
export async function withEmbeddedStore<T>(options: GlobalOptions, command: string, run: (store: FeatureStore) => Promise<T>): Promise<T> {
  refuseEndpoint(options, command);
  const store = await openEmbedded(options);
  try {
    return await run(store);
  } finally {
    await store.close();
  }
}

export function refuseEndpoint(options: GlobalOptions, command: string): void {
  if (options.endpoint) {
    throw new ValidationError(`--endpoint: floe ${command} works on a data directory, not through the server's API; run it where the data directory is`, { field: 'endpoint' });
  }
}
