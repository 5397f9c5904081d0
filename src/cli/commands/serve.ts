import { availableParallelism } from 'node:os';
import { Command, Option } from 'commander';
import type { LevelWithSilent } from 'pino';
import { ValidationError } from '../../domain/index.js';
import { withExamples } from '../output.js';
import { LOG_LEVELS, readServeConfig, type ServeConfig } from '../serve-config.js';
import { openOptions, refuseEndpoint, type GlobalOptions } from '../store-options.js';
import type { ServeOptions } from '../../server/index.js';

interface ServeFlags {
  maintenance?: boolean;
  maintenanceSchedule?: string;
  port?: string;
  host?: string;
  logLevel?: string;
  config?: string;
  workers?: string;
  tlsCert?: string;
  tlsKey?: string;
}

export function serveCommand(globals: () => GlobalOptions): Command {
  return withExamples(new Command('serve')
    .description('run the server: the SageMaker-compatible API (SigV4), /health and /metrics; SIGTERM drains')
    .addOption(new Option('--config <file>', 'YAML or JSON settings (see the README); flags and environment variables override them').env('FLOE_CONFIG'))
    .addOption(new Option('--port <port>', 'port to listen on, 0 for any free port (default 8080)').env('FLOE_PORT'))
    .addOption(new Option('--host <host>', 'address to listen on (default 127.0.0.1)').env('FLOE_HOST'))
    .addOption(new Option('--log-level <level>', `log level: ${LOG_LEVELS.join(', ')} (default info)`).env('FLOE_LOG_LEVEL'))
    .addOption(
      new Option('--maintenance-schedule <cron>', "default maintenance schedule (UTC cron) for groups without maintenance_schedule; 'off' for none").env(
        'FLOE_MAINTENANCE_SCHEDULE',
      ),
    )
    .option('--no-maintenance', 'run no scheduled or automatic maintenance')
    .addOption(
      new Option('--workers <count>', "processes serving the port, or 'auto' for one per core (default 1); with more, workers answer reads and take puts, and forward the rest").env(
        'FLOE_WORKERS',
      ),
    )
    .addOption(new Option('--tls-cert <file>', 'serve HTTPS: PEM certificate (with its chain); give --tls-key too').env('FLOE_TLS_CERT'))
    .addOption(new Option('--tls-key <file>', "PEM private key of --tls-cert's certificate").env('FLOE_TLS_KEY'))
    .action(async (flags: ServeFlags, command: Command) => {
      refuseEndpoint(globals(), 'serve');
      const file = flags.config ? await readServeConfig(flags.config) : {};
      const options = serveOptions(file, flags, globals(), command.parent!);
      // Loaded on use: `floe --help` and argument errors answer without loading the engines.
      const { closeOnSignals, startServer } = await import('../../server/index.js');
      const server = await startServer(options);
      closeOnSignals(server);
      // For people: where it listens and where the credentials are (never the secret itself).
      console.error(`floe listening on ${server.url} (data directory ${server.store.dataDir})`);
      console.error(`credentials: ${server.credentials.description}`);
    }),
    'floe serve',
    'floe --data-dir /srv/floe serve --host 0.0.0.0 --port 8080 --log-level warn',
    'floe serve --workers auto',
    'floe serve --host 0.0.0.0 --tls-cert /etc/floe/cert.pem --tls-key /etc/floe/key.pem',
  );
}

/**
 * Settings by precedence: a flag or environment variable, then the config file, then the
 * defaults. Global options count as given only when they did not come from their defaults.
 */
export function serveOptions(file: ServeConfig, flags: ServeFlags, global: GlobalOptions, program: Command): ServeOptions {
  const given = (name: keyof GlobalOptions) => program.getOptionValueSource(name) !== 'default' && global[name] !== undefined;
  const port = flags.port === undefined ? (file.port ?? 8080) : parsePort(flags.port);
  const logLevel = flags.logLevel ?? file.logLevel ?? 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw new ValidationError(`log-level: must be one of ${LOG_LEVELS.join(', ')}, not '${logLevel}'`, { field: 'log-level' });
  }
  const registryUrl = given('registryUrl') ? global.registryUrl : file.registryUrl;
  const maintenanceOn = flags.maintenance === false ? false : (file.maintenance?.enabled ?? true);
  const schedule = flags.maintenanceSchedule ?? file.maintenance?.schedule;
  const redisUrl = given('redisUrl') ? global.redisUrl : file.redis?.url;
  const registrySchema = given('registrySchema') ? global.registrySchema : file.registrySchema;
  const redisPrefix = given('redisPrefix') ? global.redisPrefix : file.redis?.prefix;
  // The warehouse, S3 and cache settings come from the global options (flags or environment).
  const store = openOptions({
    ...global,
    dataDir: given('dataDir') ? global.dataDir : (file.dataDir ?? global.dataDir),
    ...(registryUrl ? { registryUrl } : {}),
    ...(registrySchema ? { registrySchema } : {}),
    ...(redisUrl ? { redisUrl } : {}),
    ...(redisPrefix ? { redisPrefix } : {}),
  });
  return {
    ...store,
    ...(file.offlineCommit ? { offlineCommit: file.offlineCommit } : {}),
    ...(file.allowUnsignedPayload === undefined ? {} : { allowUnsignedPayload: file.allowUnsignedPayload }),
    port,
    host: flags.host ?? file.host ?? '127.0.0.1',
    logLevel: logLevel as LevelWithSilent,
    maintenance: maintenanceOn ? (schedule ? { defaultSchedule: schedule } : {}) : false,
    workers: workerCount(flags.workers ?? file.workers ?? 1),
    ...tlsFiles(flags, file),
  };
}

/** The certificate and key, from flags (or their environment variables) over the config file; both or neither. */
function tlsFiles(flags: ServeFlags, file: ServeConfig): Pick<ServeOptions, 'tls'> {
  const certFile = flags.tlsCert ?? file.tls?.cert;
  const keyFile = flags.tlsKey ?? file.tls?.key;
  if (certFile === undefined && keyFile === undefined) return {};
  if (certFile === undefined) throw new ValidationError('tls-cert: --tls-key was given without the certificate it belongs to', { field: 'tls-cert' });
  if (keyFile === undefined) throw new ValidationError('tls-key: --tls-cert was given without its private key', { field: 'tls-key' });
  return { tls: { certFile, keyFile } };
}

function workerCount(value: string | number): number {
  if (value === 'auto') return availableParallelism();
  const count = Number(value);
  if (!Number.isInteger(count) || count < 1 || count > 256) {
    throw new ValidationError(`workers: '${value}' is not a number of processes (1-256) or 'auto'`, { field: 'workers' });
  }
  return count;
}

function parsePort(text: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65_535) throw new ValidationError(`port: '${text}' is not a port number (0-65535)`, { field: 'port' });
  return port;
}
