import type { ObjectStore } from '../objectstore/index.js';
import { readManifest, readManifestList, type ManifestEntry, type ManifestFile } from './manifest.js';

/** Manifest references kept per table, over all cached manifest lists (each a pointer to a shared manifest). */
const MANIFEST_LIST_REFERENCES = 2_000_000;
/** Manifests shared between lists, past which sharing starts afresh (the lists keep theirs). */
const SHARED_MANIFESTS = 100_000;
/** Decoded manifest entries kept per table (a data file's entry is a few hundred bytes). */
const MANIFEST_ENTRIES = 200_000;

/**
 * A table's manifest lists and manifests, read and decoded once: both are immutable, and manifests
 * keep their sequence numbers in every list that carries them. Planning a query after many
 * commits then reads only the new manifest list and what is new (and a remote warehouse makes no
 * round trip once warm), and a vacuum, which reads the list of every snapshot kept, decodes only
 * the lists written since the last one (decoding a thousand lists took most of a minute on a
 * busy server). Consecutive lists name mostly the same manifests, so a list holds pointers to
 * manifests shared with the others. Both caches drop their oldest entries past their bound.
 */
export class ManifestCache {
  private readonly lists = new Map<string, ManifestFile[]>();
  private listReferences = 0;
  private readonly shared = new Map<string, ManifestFile>();
  private readonly manifests = new Map<string, ManifestEntry[]>();
  private manifestEntries = 0;

  constructor(private readonly io: ObjectStore) {}

  /** A manifest list's manifests, shared with the cache: treat them as read-only. */
  async manifestList(uri: string): Promise<ManifestFile[]> {
    const cached = this.lists.get(uri);
    if (cached) {
      this.lists.delete(uri);
      this.lists.set(uri, cached);
      return cached;
    }
    const manifests = (await readManifestList(await this.io.read(uri))).map((m) => this.share(m));
    if (!this.lists.has(uri)) {
      this.lists.set(uri, manifests);
      this.listReferences += manifests.length;
      for (const [key, old] of this.lists) {
        if (this.listReferences <= MANIFEST_LIST_REFERENCES || key === uri) break;
        this.lists.delete(key);
        this.listReferences -= old.length;
      }
    }
    return manifests;
  }

  /** Drops what is cached of files that are gone (a vacuum deleted them): the caches then follow the snapshots kept, not every one ever read. */
  forget(uris: Iterable<string>): void {
    for (const uri of uris) {
      const list = this.lists.get(uri);
      if (list) {
        this.lists.delete(uri);
        this.listReferences -= list.length;
      }
      const entries = this.manifests.get(uri);
      if (entries) {
        this.manifests.delete(uri);
        this.manifestEntries -= entries.length;
      }
      this.shared.delete(uri);
    }
  }

  /** The one object for a manifest that several lists name (the same file, sequence number and snapshot). */
  private share(manifest: ManifestFile): ManifestFile {
    const known = this.shared.get(manifest.manifestPath);
    if (known && known.sequenceNumber === manifest.sequenceNumber && known.addedSnapshotId === manifest.addedSnapshotId) return known;
    if (this.shared.size >= SHARED_MANIFESTS) this.shared.clear();
    this.shared.set(manifest.manifestPath, manifest);
    return manifest;
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
