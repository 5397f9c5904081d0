import type { Command } from 'commander';
import type { FeatureStore } from '../sdk/index.js';

export interface GlobalOptions {
  dataDir: string;
  registryUrl?: string;
  redisUrl?: string;
  json?: boolean;
}

/** Options every command takes, also read from the environment. */
export function addGlobalOptions(program: Command): Command {
  return program
    .option('--data-dir <dir>', 'data directory (env FLOE_DATA_DIR)', process.env.FLOE_DATA_DIR ?? './.floe')
    .option('--registry-url <url>', 'PostgreSQL URL of a shared registry (env FLOE_REGISTRY_URL; default: embedded SQLite)', process.env.FLOE_REGISTRY_URL)
    .option('--redis-url <url>', 'Redis URL of a shared online store (env FLOE_REDIS_URL; default: embedded LMDB)', process.env.FLOE_REDIS_URL)
    .option('--json', 'print JSON for scripts (int64 exact)');
}

/**
 * The one place where the CLI picks its store: the embedded one in the data directory (with a
 * shared registry or online store when their URLs are given). Every command goes through here.
 */
export async function openStore(options: GlobalOptions): Promise<FeatureStore> {
  // Loaded on use: `floe --help` and argument errors answer without loading the engines.
  const { FeatureStore } = await import('../sdk/index.js');
  return FeatureStore.open({
    dataDir: options.dataDir,
    ...(options.registryUrl ? { registryUrl: options.registryUrl } : {}),
    ...(options.redisUrl ? { onlineStore: { kind: 'redis' as const, url: options.redisUrl } } : {}),
  });
}

export async function withStore<T>(options: GlobalOptions, run: (store: FeatureStore) => Promise<T>): Promise<T> {
  const store = await openStore(options);
  try {
    return await run(store);
  } finally {
    await store.close();
  }
}
