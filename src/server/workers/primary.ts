import cluster, { type Worker } from 'node:cluster';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import type { ReplicaServeOptions } from './replica-server.js';
import { DRAIN } from './worker-messages.js';

/** The worker entry beside this file, in the same form (TypeScript under tsx, JavaScript when built). */
const WORKER_ENTRY = fileURLToPath(import.meta.url.replace(/primary\.(ts|js)$/, 'worker-main.$1'));

/** How long a worker may take to drain before it is killed. */
const DRAIN_TIMEOUT_MS = 30_000;
/** A worker that exits on its own is replaced after this pause (no tight loop when it cannot start). */
const RESTART_DELAY_MS = 1_000;

export interface WorkerPool {
  /** The port the workers share. */
  port: number;
  /** Asks every worker to drain and waits for them to exit (killing any past the timeout). */
  stop(): Promise<void>;
}

/**
 * Forks `count` worker processes (node:cluster) that share the public port: each answers the
 * online reads from a replica, hands its puts here over the cluster channel and forwards the rest
 * to this process's Unix socket. Resolves once all of them listen; a worker that dies later is
 * replaced.
 */
export async function startWorkers(count: number, options: ReplicaServeOptions, logger: Logger): Promise<WorkerPool> {
  // Structured clone on the channel: the puts workers hand over keep their 64-bit integers.
  cluster.setupPrimary({ exec: WORKER_ENTRY, execArgv: process.execArgv, serialization: 'advanced' });
  // Replacements listen with the same arguments, which is how node:cluster gives them the same
  // listening handle (asked for the port number that port 0 became, a new handle could not bind it).
  const env = { FLOE_REPLICA_OPTIONS: JSON.stringify(options) };
  let stopping = false;
  const live = new Set<Worker>();
  const listening = new Set<Worker>();
  const fork = () => {
    const worker = cluster.fork(env);
    live.add(worker);
    worker.once('listening', () => listening.add(worker));
    worker.on('exit', (code, signal) => {
      live.delete(worker);
      listening.delete(worker);
      if (stopping) return;
      logger.warn({ pid: worker.process.pid, code, signal }, 'worker exited; starting another');
      setTimeout(() => stopping || fork(), RESTART_DELAY_MS).unref();
    });
    return worker;
  };
  const started = Array.from({ length: count }, fork);
  let port: number;
  try {
    const ports = await Promise.all(
      started.map(
        (worker) =>
          new Promise<number>((resolve, reject) => {
            worker.once('listening', (address) => resolve(address.port));
            worker.once('exit', (code) => reject(new Error(`a worker exited with ${code} before it listened (see its log line above)`)));
          }),
      ),
    );
    port = ports[0]!;
  } catch (error) {
    stopping = true;
    for (const worker of live) worker.kill();
    throw error;
  }
  return {
    port,
    stop: async () => {
      stopping = true;
      await Promise.all(
        [...live].map(
          (worker) =>
            new Promise<void>((resolve) => {
              if (worker.isDead()) return resolve();
              const timer = setTimeout(() => worker.kill('SIGKILL'), DRAIN_TIMEOUT_MS);
              worker.once('exit', () => {
                clearTimeout(timer);
                resolve();
              });
              // One still starting serves nothing yet, and may not be listening for messages.
              if (!listening.has(worker)) worker.kill();
              else worker.send(DRAIN, (error) => error && worker.kill());
            }),
        ),
      );
    },
  };
}
