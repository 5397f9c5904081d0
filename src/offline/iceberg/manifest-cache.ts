import type { ObjectStore } from '../objectstore/index.js';
import { readManifest, readManifestList, type ManifestEntry, type ManifestFile } from './manifest.js';

/** Bytes of manifest lists kept per table. */
const MANIFEST_LIST_BYTES = 32 * 1024 * 1024;
/** Decoded manifest entries kept per table (a data file's entry is a few hundred bytes). */
const MANIFEST_ENTRIES = 200_000;

/**
 * A table's manifest lists and manifests, read once: both are immutable, and manifests keep their
 * sequence numbers in every list that carries them. Planning a query after many commits then
 * reads only the new manifest list and what is new (and a remote warehouse makes no round trip
 * once warm). Both caches drop their oldest entries past their bound.
 */
export class ManifestCache {
  private readonly lists = new Map<string, Buffer>();
  private listBytes = 0;
  private readonly manifests = new Map<string, ManifestEntry[]>();
  private manifestEntries = 0;

  constructor(private readonly io: ObjectStore) {}

  async manifestList(uri: string): Promise<ManifestFile[]> {
    let bytes = this.lists.get(uri);
    if (bytes) {
      this.lists.delete(uri);
      this.lists.set(uri, bytes);
    } else {
      bytes = await this.io.read(uri);
      this.lists.set(uri, bytes);
      this.listBytes += bytes.length;
      for (const [key, old] of this.lists) {
        if (this.listBytes <= MANIFEST_LIST_BYTES) break;
        this.lists.delete(key);
        this.listBytes -= old.length;
      }
    }
    return readManifestList(bytes);
  }

  /** A manifest's entries, shared with the cache: treat them as read-only. */
  async entries(manifest: ManifestFile): Promise<ManifestEntry[]> {
    const path = manifest.manifestPath;
    const cached = this.manifests.get(path);
    if (cached) return cached;
    const entries = await readManifest(await this.io.read(path), manifest);
    if (!this.manifests.has(path)) {
      this.manifests.set(path, entries);
      this.manifestEntries += entries.length;
      // Oldest first (a Map iterates in insertion order), keeping the one just read.
      for (const [oldPath, old] of this.manifests) {
        if (this.manifestEntries <= MANIFEST_ENTRIES || oldPath === path) break;
        this.manifests.delete(oldPath);
        this.manifestEntries -= old.length;
      }
    }
    return entries;
  }
}
