import cluster, { type Worker } from 'node:cluster';
import type { MetricsSnapshot, ServerMetrics } from '../metrics/metrics.js';

/** The primary's request that a worker stop accepting, finish what it has and exit. */
export const DRAIN = 'floe:drain';

/** What the primary asks every worker, and what each answers. */
interface Questions {
  metrics: MetricsSnapshot;
  /** Re-read the certificate and key, and serve them from the next handshake on. */
  'reload-tls': { reloaded: true } | { failed: string };
}
type Question = keyof Questions;

interface Ask {
  type: 'floe:ask';
  question: Question;
  id: number;
}
interface Answer {
  type: 'floe:answer';
  id: number;
  answer: unknown;
}

/** In a worker: answers the primary's `question` with what `answer` resolves to. */
function answer<Q extends Question>(question: Q, respond: () => Promise<Questions[Q]>): void {
  process.on('message', (message: Ask) => {
    if (message?.type !== 'floe:ask' || message.question !== question) return;
    void respond().then((value) => process.send?.({ type: 'floe:answer', id: message.id, answer: value } satisfies Answer));
  });
}

let nextId = 0;

/**
 * In the primary: asks every live worker, and resolves with the answers that came within
 * `timeoutMs`; a worker that does not answer in time (busy, or exiting) is left out rather than
 * holding the caller up.
 */
async function ask<Q extends Question>(question: Q, timeoutMs: number): Promise<Array<Questions[Q]>> {
  type A = Questions[Q];
  const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined && w.isConnected());
  const answers = await Promise.all(
    workers.map(
      (worker) =>
        new Promise<{ value: A } | undefined>((resolve) => {
          const id = ++nextId;
          const onMessage = (message: Answer) => {
            if (message?.type !== 'floe:answer' || message.id !== id) return;
            finish({ value: message.answer as A });
          };
          const timer = setTimeout(() => finish(undefined), timeoutMs);
          const finish = (answered: { value: A } | undefined) => {
            clearTimeout(timer);
            worker.off('message', onMessage);
            resolve(answered);
          };
          worker.on('message', onMessage);
          worker.send({ type: 'floe:ask', question, id } satisfies Ask, (error) => error && finish(undefined));
        }),
    ),
  );
  return answers.flatMap((a) => (a === undefined ? [] : [a.value]));
}

/** In a worker: answers the primary's metrics requests with this process's series. */
export function answerMetricsRequests(metrics: ServerMetrics): void {
  answer('metrics', () => metrics.snapshot());
}

/** In the primary: the series of every live worker, for /metrics (a worker silent for `timeoutMs` is left out of this scrape). */
export function gatherWorkerMetrics(timeoutMs = 2000): Promise<MetricsSnapshot[]> {
  return ask('metrics', timeoutMs);
}

/** In a worker: reloads its certificate when the primary asks (see reloadWorkersTls). */
export function answerTlsReloads(reload: () => Promise<void>): void {
  answer('reload-tls', () =>
    reload().then(
      () => ({ reloaded: true as const }),
      (error: unknown) => ({ failed: (error as Error).message }),
    ),
  );
}

/**
 * In the primary: has every worker re-read the certificate and key. Rejects naming the first
 * failure, or the workers that did not answer in time (those keep the certificate they had).
 */
export async function reloadWorkersTls(timeoutMs = 10_000): Promise<void> {
  const expected = Object.values(cluster.workers ?? {}).filter((w) => w?.isConnected()).length;
  const answers = await ask('reload-tls', timeoutMs);
  const failed = answers.find((a): a is { failed: string } => 'failed' in a);
  if (failed) throw new Error(`a worker could not reload the certificate: ${failed.failed}`);
  if (answers.length < expected) throw new Error(`${expected - answers.length} of ${expected} workers did not answer the certificate reload within ${timeoutMs} ms`);
}
