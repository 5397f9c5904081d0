import { Command } from 'commander';
import type { LevelWithSilent } from 'pino';
import { ValidationError } from '../../domain/index.js';
import { withExamples } from '../output.js';
import { refuseEndpoint, type GlobalOptions } from '../store-options.js';

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export function serveCommand(globals: () => GlobalOptions): Command {
  return withExamples(new Command('serve')
    .description('run the server: the SageMaker-compatible API (SigV4), /health and /metrics; SIGTERM drains')
    .option('--port <port>', 'port to listen on (0: any free port)', process.env.FLOE_PORT ?? '8080')
    .option('--host <host>', 'address to listen on', process.env.FLOE_HOST ?? '127.0.0.1')
    .option('--log-level <level>', `log level: ${LEVELS.join(', ')}`, process.env.FLOE_LOG_LEVEL ?? 'info')
    .option('--maintenance-schedule <cron>', "default maintenance schedule (UTC cron) for groups without maintenance_schedule; 'off' for none", process.env.FLOE_MAINTENANCE_SCHEDULE)
    .option('--no-maintenance', 'run no scheduled or automatic maintenance')
    .action(async (opts: { port: string; host: string; logLevel: string; maintenance: boolean; maintenanceSchedule?: string }) => {
      refuseEndpoint(globals(), 'serve');
      const port = Number(opts.port);
      if (!Number.isInteger(port) || port < 0 || port > 65_535) {
        throw new ValidationError(`port: '${opts.port}' is not a port number (0-65535)`, { field: 'port' });
      }
      if (!LEVELS.includes(opts.logLevel)) throw new ValidationError(`log-level: must be one of ${LEVELS.join(', ')}`, { field: 'log-level' });
      const g = globals();
      const { closeOnSignals, startServer } = await import('../../server/index.js');
      const server = await startServer({
        dataDir: g.dataDir,
        ...(g.registryUrl ? { registryUrl: g.registryUrl } : {}),
        ...(g.redisUrl ? { onlineStore: { kind: 'redis' as const, url: g.redisUrl } } : {}),
        port,
        host: opts.host,
        logLevel: opts.logLevel as LevelWithSilent,
        maintenance: opts.maintenance ? (opts.maintenanceSchedule ? { defaultSchedule: opts.maintenanceSchedule } : {}) : false,
      });
      closeOnSignals(server);
      // For people: where it listens and where the credentials are (never the secret itself).
      console.error(`floe listening on ${server.url} (data directory ${server.store.dataDir})`);
      console.error(`credentials: ${server.credentials.description}`);
    }),
    'floe serve',
    'floe --data-dir /srv/floe serve --host 0.0.0.0 --port 8080 --log-level warn',
  );
}
