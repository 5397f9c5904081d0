/**
 * The entry of a worker process of `floe serve --workers` (forked by primary.ts): serves the
 * shared port as a replica of the store until the primary tells it to drain, goes away, or a signal comes.
 */
import type { ReplicaServeOptions, RunningReplica } from './replica-server.js';
import { DRAIN } from './worker-messages.js';

/** Read by the handlers, which are installed before the server starts. */
const state: { replica?: RunningReplica; stopping: boolean } = { stopping: false };

function drainAndExit(reason: string): void {
  if (state.stopping) return;
  state.stopping = true;
  // Asked while still starting (a replacement worker): nothing is being served yet.
  if (!state.replica) process.exit(0);
  const running = state.replica;
  running.logger.info({ reason, pid: process.pid }, 'worker draining');
  running.close().then(
    () => running.logger.flush(() => process.exit(0)),
    (error: unknown) => {
      running.logger.error({ err: error }, 'worker shutdown failed');
      running.logger.flush(() => process.exit(1));
    },
  );
}

// Listening before the server starts: a drain sent meanwhile must not be lost.
process.on('message', (message) => {
  if (message === DRAIN) drainAndExit('primary asked');
});
// The primary exited (or crashed): nothing would answer forwarded requests.
process.on('disconnect', () => drainAndExit('primary gone'));
// A terminal's Ctrl-C reaches every process of the group: drain as the primary does.
process.on('SIGTERM', () => drainAndExit('SIGTERM'));
process.on('SIGINT', () => drainAndExit('SIGINT'));

const options = JSON.parse(process.env.FLOE_REPLICA_OPTIONS ?? '{}') as ReplicaServeOptions;
// With TLS the primary takes SIGHUP as "reload the certificate" and asks the workers itself: one
// sent to the whole process group must not end them.
if (options.tls) process.on('SIGHUP', () => undefined);

// Loaded after the handlers above: the server's modules take a second or more to load.
const { startReplicaServer } = await import('./replica-server.js');
const { answerMetricsRequests, answerTlsReloads } = await import('./worker-messages.js');
state.replica = await startReplicaServer(options);
answerMetricsRequests(state.replica.metrics);
const replica = state.replica;
if (options.tls) answerTlsReloads(() => replica.reloadTls());
