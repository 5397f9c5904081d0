import type { Command } from 'commander';
import { ValidationError } from '../domain/index.js';
import type { FeatureStore, OpenOptions } from '../sdk/index.js';

export interface GlobalOptions {
  dataDir: string;
  registryUrl?: string;
  registrySchema?: string;
  redisUrl?: string;
  redisPrefix?: string;
  warehouse?: string;
  s3Endpoint?: string;
  s3Region?: string;
  s3PathStyle?: boolean;
  cacheDir?: string;
  cacheSize?: string;
  json?: boolean;
}

/** Options every command takes, also read from the environment. */
export function addGlobalOptions(program: Command): Command {
  return program
    .option('--data-dir <dir>', 'data directory, one per process: registry, online store, write-ahead log, cache (env FLOE_DATA_DIR)', process.env.FLOE_DATA_DIR ?? './.floe')
    .option('--registry-url <url>', 'PostgreSQL URL of a shared registry (env FLOE_REGISTRY_URL; default: embedded SQLite)', process.env.FLOE_REGISTRY_URL)
    .option('--registry-schema <schema>', 'PostgreSQL schema of the registry (env FLOE_REGISTRY_SCHEMA; default: public)', process.env.FLOE_REGISTRY_SCHEMA)
    .option('--redis-url <url>', 'Redis URL of a shared online store (env FLOE_REDIS_URL; default: embedded LMDB)', process.env.FLOE_REDIS_URL)
    .option('--redis-prefix <prefix>', 'prefix of every Redis key (env FLOE_REDIS_PREFIX; default: floe:)', process.env.FLOE_REDIS_PREFIX)
    .option('--warehouse <uri>', 'offline warehouse: a directory or s3://bucket/prefix (env FLOE_WAREHOUSE; default: <data-dir>/warehouse)', process.env.FLOE_WAREHOUSE)
    .option('--s3-endpoint <url>', 'endpoint of an S3-compatible store other than AWS: MinIO, R2, ... (env FLOE_S3_ENDPOINT)', process.env.FLOE_S3_ENDPOINT)
    .option('--s3-region <region>', 'S3 region (env FLOE_S3_REGION; default: AWS_REGION, else us-east-1)', process.env.FLOE_S3_REGION)
    .option('--s3-path-style', 'path-style S3 URLs (env FLOE_S3_PATH_STYLE; default: on when an endpoint is given)', envFlag(process.env.FLOE_S3_PATH_STYLE))
    .option('--cache-dir <dir>', 'local cache of an S3 warehouse (env FLOE_CACHE_DIR; default: <data-dir>/cache)', process.env.FLOE_CACHE_DIR)
    .option('--cache-size <bytes>', 'bound of that cache, e.g. 20GB (env FLOE_CACHE_SIZE; default: 10GB)', process.env.FLOE_CACHE_SIZE)
    .option('--json', 'print JSON for scripts (int64 exact)');
}

const envFlag = (v: string | undefined): boolean | undefined => (v === undefined ? undefined : ['1', 'true', 'yes'].includes(v.toLowerCase()));

/**
 * The store options the global options name. S3 credentials come from FLOE_S3_ACCESS_KEY_ID and
 * FLOE_S3_SECRET_ACCESS_KEY (never a flag: command lines are visible to every user of the machine),
 * else from the AWS SDK's own chain (AWS_ACCESS_KEY_ID, profiles, instance roles).
 */
export function openOptions(options: GlobalOptions, env: NodeJS.ProcessEnv = process.env): OpenOptions {
  const key = env.FLOE_S3_ACCESS_KEY_ID;
  const secret = env.FLOE_S3_SECRET_ACCESS_KEY;
  if ((key === undefined) !== (secret === undefined)) {
    throw new ValidationError('FLOE_S3_ACCESS_KEY_ID: set it together with FLOE_S3_SECRET_ACCESS_KEY, or neither', { field: 'FLOE_S3_ACCESS_KEY_ID' });
  }
  const s3 = {
    ...(options.s3Endpoint ? { endpoint: options.s3Endpoint } : {}),
    ...(options.s3Region ? { region: options.s3Region } : {}),
    ...(options.s3PathStyle !== undefined ? { forcePathStyle: options.s3PathStyle } : {}),
    ...(key && secret ? { credentials: { accessKeyId: key, secretAccessKey: secret } } : {}),
  };
  const cache = {
    ...(options.cacheDir ? { dir: options.cacheDir } : {}),
    ...(options.cacheSize ? { maxBytes: parseBytes(options.cacheSize, 'cache-size') } : {}),
  };
  return {
    dataDir: options.dataDir,
    ...(options.registryUrl ? { registryUrl: options.registryUrl } : {}),
    ...(options.registrySchema ? { registrySchema: options.registrySchema } : {}),
    ...(options.redisUrl
      ? { onlineStore: { kind: 'redis' as const, url: options.redisUrl, ...(options.redisPrefix ? { prefix: options.redisPrefix } : {}) } }
      : {}),
    ...(options.warehouse ? { warehouse: options.warehouse } : {}),
    ...(Object.keys(s3).length > 0 ? { s3 } : {}),
    ...(Object.keys(cache).length > 0 ? { cache } : {}),
  };
}

const UNITS: Record<string, number> = { '': 1, b: 1, kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3, tib: 1024 ** 4 };

/** `20GB`, `512MiB`, `1000000`: bytes. */
export function parseBytes(text: string, field: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  const unit = UNITS[m?.[2]?.toLowerCase() ?? 'x'];
  if (!m || unit === undefined) throw new ValidationError(`${field}: '${text}' is not a size such as 20GB or 512MiB`, { field });
  return Math.floor(Number(m[1]) * unit);
}

/**
 * The one place where the CLI picks its store, from the global options. Every command goes through here.
 */
export async function openStore(options: GlobalOptions): Promise<FeatureStore> {
  // Loaded on use: `floe --help` and argument errors answer without loading the engines.
  const { FeatureStore } = await import('../sdk/index.js');
  return FeatureStore.open(openOptions(options));
}

export async function withStore<T>(options: GlobalOptions, run: (store: FeatureStore) => Promise<T>): Promise<T> {
  const store = await openStore(options);
  try {
    return await run(store);
  } finally {
    await store.close();
  }
}
