import cluster, { type Worker } from 'node:cluster';
import type { MetricsSnapshot, ServerMetrics } from '../metrics/metrics.js';

/** The primary's request that a worker stop accepting, finish what it has and exit. */
export const DRAIN = 'floe:drain';

interface MetricsRequest {
  type: 'floe:metrics?';
  id: number;
}
interface MetricsAnswer {
  type: 'floe:metrics';
  id: number;
  snapshot: MetricsSnapshot;
}

/** In a worker: answers the primary's metrics requests with this process's series. */
export function answerMetricsRequests(metrics: ServerMetrics): void {
  process.on('message', (message: MetricsRequest) => {
    if (message?.type !== 'floe:metrics?') return;
    void metrics.snapshot().then((snapshot) => process.send?.({ type: 'floe:metrics', id: message.id, snapshot } satisfies MetricsAnswer));
  });
}

let nextId = 0;

/**
 * In the primary: the series of every live worker, for /metrics. A worker that does not answer
 * within `timeoutMs` (busy, or exiting) is left out of this scrape rather than holding it up.
 */
export function gatherWorkerMetrics(timeoutMs = 2000): Promise<MetricsSnapshot[]> {
  const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined && w.isConnected());
  return Promise.all(
    workers.map(
      (worker) =>
        new Promise<MetricsSnapshot | undefined>((resolve) => {
          const id = ++nextId;
          const onMessage = (message: MetricsAnswer) => {
            if (message?.type !== 'floe:metrics' || message.id !== id) return;
            finish(message.snapshot);
          };
          const timer = setTimeout(() => finish(undefined), timeoutMs);
          const finish = (snapshot: MetricsSnapshot | undefined) => {
            clearTimeout(timer);
            worker.off('message', onMessage);
            resolve(snapshot);
          };
          worker.on('message', onMessage);
          worker.send({ type: 'floe:metrics?', id } satisfies MetricsRequest, (error) => error && finish(undefined));
        }),
    ),
  ).then((snapshots) => snapshots.filter((s): s is MetricsSnapshot => s !== undefined));
}
