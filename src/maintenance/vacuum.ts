import type { IcebergTable, OfflineStore, Snapshot } from '../offline/index.js';
import { EntryStatus, type ManifestFile } from '../offline/iceberg/manifest.js';
import { forEachLimited } from './limited.js';
import type { VacuumInput, VacuumResult } from './schemas.js';
import { thinnedSnapshotIds } from './snapshot-thinning.js';
import { booleanProperty, DEFAULTS, numberProperty, PROPERTY } from './table-properties.js';

interface Referenced {
  manifestLists: Set<string>;
  manifests: Set<string>;
  dataFiles: Set<string>;
}

/**
 * VACUUM: expires snapshots (older than the maximum age, and younger ones thinned to one a minute
 * or an hour, keeping the current one and at least the minimum count),
 * deletes the files only expired snapshots referenced, then removes orphans: files under the
 * table directory no kept snapshot or metadata version references and older than the orphan
 * threshold (a younger one may belong to a commit in flight). Earlier metadata versions go
 * at once (an in-flight commit's metadata carries a newer version number than the current).
 * A vacuum cut short deletes nothing the table still needs; the next one finishes the job.
 */
export async function vacuumTable(offline: OfflineStore, group: string, input: VacuumInput, now = Date.now()): Promise<VacuumResult> {
  const table = await offline.openTable(group);
  await table.refresh();
  const props = table.metadata.properties;
  const minKeep = input.minSnapshotsToKeep ?? numberProperty(props, PROPERTY.minSnapshotsToKeep) ?? DEFAULTS.minSnapshotsToKeep;
  const maxAgeMs =
    input.maxSnapshotAgeSeconds === undefined ? (numberProperty(props, PROPERTY.maxSnapshotAgeMs) ?? DEFAULTS.maxSnapshotAgeMs) : input.maxSnapshotAgeSeconds * 1000;
  const orphanAgeMs = 1000 * (input.orphanOlderThanSeconds ?? numberProperty(props, PROPERTY.orphanOlderThanSeconds) ?? DEFAULTS.orphanOlderThanSeconds);

  const thin = input.thinSnapshots ?? booleanProperty(props, PROPERTY.thinSnapshots) ?? DEFAULTS.thinSnapshots;

  const { expired } = await table.expireSnapshots({
    olderThanMs: now - maxAgeMs,
    retainLast: minKeep,
    ...(thin ? { thin: (snapshots: readonly Snapshot[]) => thinnedSnapshotIds(snapshots, now) } : {}),
  });
  const result: VacuumResult = {
    expiredSnapshotsCount: expired.length,
    keptSnapshotsCount: table.snapshots().length,
    deletedDataFilesCount: 0,
    deletedManifestsCount: 0,
    deletedManifestListsCount: 0,
    deletedMetadataFilesCount: 0,
    deletedOrphanFilesCount: 0,
    deletedBytesCount: 0,
  };
  const io = offline.io;
  const listing = await io.list(table.location);
  const sizes = new Map(listing.map((o) => [o.uri, o.size]));
  const remove = async (uri: string, counter: keyof VacuumResult) => {
    if (!sizes.has(uri)) return;
    await io.delete(uri);
    result[counter]++;
    result.deletedBytesCount += sizes.get(uri)!;
    sizes.delete(uri);
  };

  // What the table needs, read after the listing: anything committed since is in it.
  await table.refresh();
  const kept = await referencedBy(table, table.snapshots());
  const gone = await referencedBy(table, expired);
  /** Deletes what only expired snapshots referenced; returns those files. */
  const removeAll = async (uris: Iterable<string>, keep: Set<string>, counter: keyof VacuumResult) => {
    const unneeded = [...uris].filter((uri) => !keep.has(uri));
    await forEachLimited(unneeded, IO_CONCURRENCY, (uri) => remove(uri, counter));
    return unneeded;
  };
  await removeAll(gone.dataFiles, kept.dataFiles, 'deletedDataFilesCount');
  const manifests = await removeAll(gone.manifests, kept.manifests, 'deletedManifestsCount');
  const manifestLists = await removeAll(gone.manifestLists, kept.manifestLists, 'deletedManifestListsCount');
  table.forgetFiles([...manifests, ...manifestLists]);

  const version = metadataVersion(table.metadataLocation) ?? 0;
  const keptMetadata = new Set([table.metadataLocation, ...table.metadata['metadata-log'].map((e) => e['metadata-file'])]);
  await forEachLimited(listing, IO_CONCURRENCY, async (object) => {
    const uri = object.uri;
    if (!sizes.has(uri)) return;
    if (kept.dataFiles.has(uri) || kept.manifests.has(uri) || kept.manifestLists.has(uri) || keptMetadata.has(uri)) return;
    const name = uri.slice(uri.lastIndexOf('/') + 1);
    if (name === 'version-hint.text') return;
    const v = metadataVersion(uri);
    if (v !== undefined) {
      // Earlier versions (and races lost at them) are done with; the current `v<N>` copy stays for directory readers.
      if (v < version || (v === version && !name.startsWith('v'))) await remove(uri, 'deletedMetadataFilesCount');
      return;
    }
    if (now - object.modifiedAt.getTime() >= orphanAgeMs) await remove(uri, 'deletedOrphanFilesCount');
  });
  return result;
}

/** `00012-<uuid>.metadata.json` and `v12.metadata.json` are version 12; undefined for other files. */
function metadataVersion(uri: string): number | undefined {
  const m = /\/(?:v(\d+)|(\d+)-[^/]+)\.metadata\.json$/.exec(uri);
  return m ? Number(m[1] ?? m[2]) : undefined;
}

/** Files read or deleted at once: enough to overlap their waits, few enough not to crowd a busy server. */
const IO_CONCURRENCY = 8;

/** Manifest lists, manifests and data files of some snapshots; files already deleted are skipped. */
async function referencedBy(table: IcebergTable, snapshots: Snapshot[]): Promise<Referenced> {
  const out: Referenced = { manifestLists: new Set(), manifests: new Set(), dataFiles: new Set() };
  const manifests: ManifestFile[] = [];
  await forEachLimited(snapshots, IO_CONCURRENCY, async (snapshot) => {
    out.manifestLists.add(snapshot['manifest-list']);
    for (const manifest of await missingAsEmpty(() => table.manifests(snapshot))) {
      if (out.manifests.has(manifest.manifestPath)) continue;
      out.manifests.add(manifest.manifestPath);
      manifests.push(manifest);
    }
  });
  await forEachLimited(manifests, IO_CONCURRENCY, async (manifest) => {
    // A deleted entry only records that the file left at that snapshot; it keeps nothing alive.
    for (const entry of await missingAsEmpty(() => table.manifestEntries(manifest))) {
      if (entry.status !== EntryStatus.Deleted) out.dataFiles.add(entry.dataFile.filePath);
    }
  });
  return out;
}

async function missingAsEmpty<T>(read: () => Promise<T[]>): Promise<T[]> {
  try {
    return await read();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}
