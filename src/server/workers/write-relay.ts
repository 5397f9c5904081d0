import cluster, { type Worker } from 'node:cluster';
import { isFloeError, UnavailableError } from '../../domain/index.js';
import type { Logger } from 'pino';
import type { WriteEntry } from '../../records/write-entry.js';
import type { FeatureStore, OwnerWrites } from '../../sdk/index.js';
import { fromWireError, toWireError, type WireError } from '../../wire/index.js';

/**
 * The puts of worker processes, carried to the primary over node:cluster's channel (structured
 * clone: 64-bit integers stay bigints): a worker validates a put against its replica and the
 * primary logs and applies it with its own write path. Calls made in one turn of a worker's event
 * loop travel as one message, and so do the answers: a log sync acknowledges many puts at once.
 */

type Call = { id: number; op: 'submit'; entries: WriteEntry[] } | { id: number; op: 'flush'; group: string };
interface CallsMessage {
  type: 'floe:write';
  calls: Call[];
}
interface AnswersMessage {
  type: 'floe:written';
  answers: Array<{ id: number; error?: RelayedError }>;
}

/** A typed error as the native API's error body; any other only as the mark that one happened. */
type RelayedError = WireError | typeof UNTYPED;

/** A fault that was not a typed error: its text stays in the primary's log, never reaches a client. */
const UNTYPED = 'untyped';

/** A typed error travels as the native API sends it; any other is logged by the primary and travels as a bare fault. */
export function errorToWire(error: unknown, logger: Pick<Logger, 'error'>): RelayedError {
  if (isFloeError(error)) return toWireError(error);
  logger.error({ err: error }, 'a worker’s put failed in the write path');
  return UNTYPED;
}

/** The error a worker answers with: the same type as the primary's, or the server's fault, saying where to look. */
export function errorFromWire(wire: RelayedError): Error {
  if (wire === UNTYPED) return new Error("the primary's write path failed (see the primary's log)");
  return fromWireError(wire, 500);
}

/** In a worker: the primary's write path, as a StoreReplica hands it its puts. */
export function ownerWritesOverIpc(): OwnerWrites {
  const pending = new Map<number, { resolve: () => void; reject: (error: unknown) => void }>();
  let queue: Call[] = [];
  let nextId = 0;
  const settle = (id: number, error?: unknown) => {
    const waiter = pending.get(id);
    pending.delete(id);
    if (error === undefined) waiter?.resolve();
    else waiter?.reject(error);
  };
  const gone = () => new UnavailableError('the server is restarting or shutting down: the write was not taken; retry');
  process.on('message', (message: AnswersMessage) => {
    if (message?.type !== 'floe:written') return;
    for (const answer of message.answers) settle(answer.id, answer.error && errorFromWire(answer.error));
  });
  process.on('disconnect', () => {
    for (const id of [...pending.keys()]) settle(id, gone());
  });
  const send = () => {
    const calls = queue;
    queue = [];
    if (!process.connected) return calls.forEach((c) => settle(c.id, gone()));
    process.send!({ type: 'floe:write', calls } satisfies CallsMessage, undefined, {}, (error: Error | null) => {
      if (error) for (const c of calls) settle(c.id, gone());
    });
  };
  const call = (body: { op: 'submit'; entries: WriteEntry[] } | { op: 'flush'; group: string }) =>
    new Promise<void>((resolve, reject) => {
      const id = ++nextId;
      pending.set(id, { resolve, reject });
      if (queue.push({ id, ...body } as Call) === 1) setImmediate(send);
    });
  return { submit: (entries) => call({ op: 'submit', entries }), flush: (group) => call({ op: 'flush', group }) };
}

/** In the primary: takes the workers' puts into `store`'s write path, and answers each. */
export function relayWorkerWrites(store: FeatureStore, logger: Logger): void {
  const outbox = new Map<Worker, AnswersMessage['answers']>();
  const answer = (worker: Worker, id: number, error?: unknown) => {
    let answers = outbox.get(worker);
    if (!answers) {
      outbox.set(worker, (answers = []));
      setImmediate(() => {
        outbox.delete(worker);
        if (worker.isConnected()) worker.send({ type: 'floe:written', answers: answers! } satisfies AnswersMessage);
      });
    }
    answers.push(error === undefined ? { id } : { id, error: errorToWire(error, logger) });
  };
  cluster.on('message', (worker, message: CallsMessage) => {
    if (message?.type !== 'floe:write') return;
    for (const call of message.calls) {
      const done = call.op === 'submit' ? store.submitReplicaWrites(call.entries) : store.featureGroup(call.group).flush();
      done.then(
        () => answer(worker, call.id),
        (error: unknown) => answer(worker, call.id, error),
      );
    }
  });
}
