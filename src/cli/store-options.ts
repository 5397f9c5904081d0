import { Option, type Command } from 'commander';
import { FeatureStore } from '../sdk/index.js';

export interface GlobalOptions {
  dataDir: string;
  registryUrl?: string;
  redisUrl?: string;
  json?: boolean;
}

/** Options every command takes, also read from the environment. */
export function addGlobalOptions(program: Command): Command {
  // Environment variables through commander, so that a command can tell them from defaults (floe serve --config).
  return program
    .addOption(new Option('--data-dir <dir>', 'data directory').env('FLOE_DATA_DIR').default('./.floe'))
    .addOption(new Option('--registry-url <url>', 'PostgreSQL URL of a shared registry (default: embedded SQLite)').env('FLOE_REGISTRY_URL'))
    .addOption(new Option('--redis-url <url>', 'Redis URL of a shared online store (default: embedded LMDB)').env('FLOE_REDIS_URL'))
    .option('--json', 'print JSON for machines');
}

export async function withStore<T>(options: GlobalOptions, run: (store: FeatureStore) => Promise<T>): Promise<T> {
  const store = await FeatureStore.open({
    dataDir: options.dataDir,
    ...(options.registryUrl ? { registryUrl: options.registryUrl } : {}),
    ...(options.redisUrl ? { onlineStore: { kind: 'redis' as const, url: options.redisUrl } } : {}),
  });
  try {
    return await run(store);
  } finally {
    await store.close();
  }
}
