import { readFile } from 'node:fs/promises';
import { dirname, extname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { parseOrThrow, ValidationError } from '../domain/index.js';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const positiveInt = (what: string) => z.number({ error: `must be a number of ${what}` }).int(`must be a whole number of ${what}`).positive(`must be more than 0 ${what}`);

/** Rejects a misspelt setting by name instead of ignoring it. */
function strict<T extends z.ZodRawShape>(shape: T) {
  const known = Object.keys(shape).join(', ');
  return z.strictObject(shape, {
    error: (issue) =>
      issue.code === 'unrecognized_keys' ? `unknown setting ${issue.keys.map((k) => `'${k}'`).join(', ')} (known: ${known})` : 'must be a mapping of settings',
  });
}

/** `floe serve --config FILE`: every setting optional; flags and environment variables override it. */
export const serveConfigSchema = strict({
  port: z.number({ error: 'must be a port number' }).int('must be a whole number').min(0, 'must be 0 to 65535').max(65_535, 'must be 0 to 65535').optional(),
  host: z.string({ error: 'must be a host name or address' }).min(1, 'must not be empty').optional(),
  /** Relative to the file's folder. */
  dataDir: z.string({ error: 'must be a directory path' }).min(1, 'must not be empty').optional(),
  registryUrl: z.string({ error: 'must be a PostgreSQL URL' }).startsWith('postgres', 'must be a postgres:// or postgresql:// URL').optional(),
  registrySchema: z.string({ error: 'must be a schema name' }).min(1, 'must not be empty').optional(),
  redis: strict({
    url: z.string({ error: 'must be a redis:// URL' }).regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL'),
    prefix: z.string({ error: 'must be a key prefix' }).optional(),
  }).optional(),
  offlineCommit: strict({
    maxDelayMs: positiveInt('milliseconds').optional(),
    maxRows: positiveInt('rows').optional(),
  }).optional(),
  maintenance: strict({
    /** false: no scheduled or automatic maintenance. */
    enabled: z.boolean({ error: 'must be true or false' }).optional(),
    /** UTC cron for groups without a maintenance_schedule property; 'off' for none. */
    schedule: z.string({ error: "must be a cron expression or 'off'" }).min(1, 'must not be empty').optional(),
  }).optional(),
  logLevel: z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }).optional(),
  allowUnsignedPayload: z.boolean({ error: 'must be true or false' }).optional(),
  /** HTTPS: PEM files of the certificate (with its chain) and of its private key, relative to the file's folder. */
  tls: strict({
    cert: z.string({ error: 'must be the path of a PEM certificate file' }).min(1, 'must not be empty'),
    key: z.string({ error: 'must be the path of a PEM private key file' }).min(1, 'must not be empty'),
  }).optional(),
  /** Processes serving the port: a count, or 'auto' for one per core. */
  workers: z.union([positiveInt('processes'), z.literal('auto')], { error: "must be a number of processes or 'auto'" }).optional(),
});

export type ServeConfig = z.output<typeof serveConfigSchema>;

/**
 * Reads and validates a YAML or JSON config file (JSON when it ends in .json). Errors name the
 * file, the setting and the reason. A relative `dataDir` or `tls` path is taken from the file's
 * folder, so the server finds the same files wherever it is started from.
 */
export async function readServeConfig(path: string): Promise<ServeConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ValidationError(`config: cannot read '${path}' (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, { field: 'config' });
  }
  let raw: unknown;
  try {
    raw = extname(path).toLowerCase() === '.json' ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new ValidationError(`config: '${path}' is not valid ${extname(path).toLowerCase() === '.json' ? 'JSON' : 'YAML'} (${(error as Error).message.split('\n')[0]})`, {
      field: 'config',
    });
  }
  let config: ServeConfig;
  try {
    config = parseOrThrow(serveConfigSchema, raw ?? {}, 'config');
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    throw new ValidationError(`${error.message} (in ${path})`, { ...(error.field ? { field: error.field } : {}), cause: error });
  }
  const folder = dirname(path);
  return {
    ...config,
    ...(config.dataDir === undefined ? {} : { dataDir: resolve(folder, config.dataDir) }),
    ...(config.tls === undefined ? {} : { tls: { cert: resolve(folder, config.tls.cert), key: resolve(folder, config.tls.key) } }),
  };
}
