import { join } from 'node:path';
import type { FeatureGroupLifecycle } from '../control/index.js';
import { LoggedWritePipeline, OfflineBuffer, StoreApplier, logId, openWriteAheadLog } from '../ingest/index.js';
import { openOfflineStore, type OfflineStore } from '../offline/index.js';
import type { OnlineStore } from '../online/online-store.js';
import type { WritePipeline } from '../records/write-entry.js';
import type { Registry } from '../registry/registry.js';
import type { OpenOptions } from './open-options.js';

export interface WriteSide {
  pipeline: WritePipeline;
  lifecycle: FeatureGroupLifecycle;
  offline: OfflineStore;
}

/**
 * Assembles the write path: write-ahead log -> online store -> offline buffer -> Iceberg, and the
 * hooks that create, evolve and drop offline tables with their feature groups. Replays the log
 * before returning, so a store opened after a crash holds every acknowledged write.
 */
export async function openWritePipeline(args: { dataDir: string; registry: Registry; online: OnlineStore; options: OpenOptions }): Promise<WriteSide> {
  const { dataDir, registry, online, options } = args;
  const offline = await openOfflineStore({
    warehouse: options.warehouse ?? join(dataDir, 'warehouse'),
    pointers: registry,
    ...(options.s3 ? { s3: options.s3 } : {}),
    cache: { dir: options.cache?.dir ?? join(dataDir, 'cache'), ...(options.cache?.maxBytes === undefined ? {} : { maxBytes: options.cache.maxBytes }) },
  });
  const walDir = join(dataDir, 'wal');
  const log = await openWriteAheadLog(walDir);
  // Positions are per log: the table records this log's own, beside other processes'.
  const id = await logId(walDir);
  const writer = {
    appendLogEntries: (group: string, entries: string[], writeTimeMicros: number, position: bigint) =>
      offline.appendLogEntries(group, entries, writeTimeMicros, { logId: id, position }),
    committedLogPosition: (group: string) => offline.committedLogPosition(group, id),
  };
  // The buffer reports commits to the pipeline, which is built around the buffer: hence the late binding.
  const pipelineRef: { current?: LoggedWritePipeline } = {};
  const buffer = new OfflineBuffer(writer, {
    ...(options.offlineCommit?.maxDelayMs === undefined ? {} : { maxDelayMs: options.offlineCommit.maxDelayMs }),
    ...(options.offlineCommit?.maxRows === undefined ? {} : { maxRows: options.offlineCommit.maxRows }),
    onCommitted: (positions) => pipelineRef.current?.onOfflineCommitted(positions),
    onError: (group, error) => console.error(`floe: offline commit for ${group} failed, will retry:`, error),
    ...(options.observer?.offlineCommit ? { onCommitFinished: options.observer.offlineCommit } : {}),
  });
  const pipeline = new LoggedWritePipeline(log, new StoreApplier(online, buffer), buffer);
  pipelineRef.current = pipeline;
  await pipeline.recover();
  await pipeline.flush();
  const lifecycle: FeatureGroupLifecycle = {
    async onCreated(group) {
      if (!group.offlineStoreConfig.enableOfflineStore) return;
      return { offlineLocation: await offline.ensureTable(group) };
    },
    async onFeaturesAdded(group) {
      if (group.offlineStoreConfig.enableOfflineStore) await offline.ensureTable(group);
    },
    async onDeleting(group) {
      buffer.discard(group.featureGroupName);
      if (group.offlineStoreConfig.enableOfflineStore) await offline.dropTable(group.featureGroupName);
    },
  };
  return { pipeline, lifecycle, offline };
}
