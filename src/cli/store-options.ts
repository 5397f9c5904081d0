import { Option, type Command } from 'commander';
import { ValidationError } from '../domain/index.js';
import type { FeatureStore, FeatureStoreApi, OpenOptions } from '../sdk/index.js';

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
  endpoint?: string;
  json?: boolean;
}

/** Options every command takes, also read from the environment. */
export function addGlobalOptions(program: Command): Command {
  // Environment variables through commander, so that a command can tell them from defaults (floe serve --config).
  const option = (flags: string, description: string, env: string) => new Option(flags, description).env(env);
  return program
    .addOption(option('--data-dir <dir>', 'data directory, one per process: registry, online store, write-ahead log, cache', 'FLOE_DATA_DIR').default('./.floe'))
    .addOption(option('--registry-url <url>', 'PostgreSQL URL of a shared registry (default: embedded SQLite)', 'FLOE_REGISTRY_URL'))
    .addOption(option('--registry-schema <schema>', 'PostgreSQL schema of the registry (default: public)', 'FLOE_REGISTRY_SCHEMA'))
    .addOption(option('--redis-url <url>', 'Redis URL of a shared online store (default: embedded LMDB)', 'FLOE_REDIS_URL'))
    .addOption(option('--redis-prefix <prefix>', 'prefix of every Redis key (default: floe:)', 'FLOE_REDIS_PREFIX'))
    .addOption(option('--warehouse <uri>', 'offline warehouse: a directory or s3://bucket/prefix (default: <data-dir>/warehouse)', 'FLOE_WAREHOUSE'))
    .addOption(option('--s3-endpoint <url>', 'endpoint of an S3-compatible store other than AWS: MinIO, R2, ...', 'FLOE_S3_ENDPOINT'))
    .addOption(option('--s3-region <region>', 'S3 region (default: AWS_REGION, else us-east-1)', 'FLOE_S3_REGION'))
    .addOption(option('--s3-path-style', 'path-style S3 URLs (default: on when an endpoint is given)', 'FLOE_S3_PATH_STYLE'))
    .addOption(option('--cache-dir <dir>', 'local cache of an S3 warehouse (default: <data-dir>/cache)', 'FLOE_CACHE_DIR'))
    .addOption(option('--cache-size <bytes>', 'bound of that cache, e.g. 20GB (default: 10GB)', 'FLOE_CACHE_SIZE'))
    .addOption(
      option(
        '--endpoint <url>',
        'work against a Floe server instead of a data directory (key from FLOE_ACCESS_KEY_ID and FLOE_SECRET_ACCESS_KEY, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)',
        'FLOE_ENDPOINT',
      ),
    )
    .option('--json', 'print JSON for scripts (int64 exact)');
}

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
 * same interface), otherwise the embedded store in the data directory, with a shared registry,
 * online store or warehouse when the options name them.
 */
export async function openStore(options: GlobalOptions): Promise<FeatureStoreApi> {
  // Loaded on use: `floe --help` and argument errors answer without loading the engines.
  const { FeatureStore } = await import('../sdk/index.js');
  if (options.endpoint) return FeatureStore.connect({ endpoint: options.endpoint, credentials: credentials() });
  return openEmbedded(options);
}

export async function openEmbedded(options: GlobalOptions): Promise<FeatureStore> {
  const { FeatureStore } = await import('../sdk/index.js');
  return FeatureStore.open(openOptions(options));
}

export async function withStore<T>(options: GlobalOptions, run: (store: FeatureStoreApi) => Promise<T>): Promise<T> {
  const store = await openStore(options);
  try {
    return await run(store);
  } finally {
    await store.close();
  }
}

/** For what only a data directory has (access keys, the demo, serving): --endpoint is refused, saying why. */
export function refuseEndpoint(options: GlobalOptions, command: string): void {
  if (options.endpoint) {
    throw new ValidationError(`--endpoint: floe ${command} works on a data directory, not through the server's API; run it where the data directory is`, { field: 'endpoint' });
  }
}
