import { randomUUID } from 'node:crypto';
import { copyFile, link, mkdir, open, readdir, readFile, realpath, rename, rm, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ValidationError } from '../../domain/index.js';
import type { ObjectInfo, ObjectStore } from './object-store.js';

/** Files stat'ed at once when listing. */
const STATS_AT_ONCE = 64;

/** An object store over a local directory (`file://` URIs). Paths that escape the root are refused. */
export class LocalObjectStore implements ObjectStore {
  readonly rootUri: string;
  private readonly root: string;

  private constructor(
    root: string,
    private readonly sync: boolean,
  ) {
    this.root = root;
    this.rootUri = pathToFileURL(root).href;
  }

  /**
   * `sync: false` skips fsync: only for data that may be lost in a crash (benchmark and test
   * fixtures generated in bulk); the store's own writes always sync.
   */
  static async open(rootDir: string, options: { sync?: boolean } = {}): Promise<LocalObjectStore> {
    await mkdir(rootDir, { recursive: true });
    return new LocalObjectStore(await realpath(resolve(rootDir)), options.sync ?? true);
  }

  resolve(relativePath: string): string {
    if (isAbsolute(relativePath)) throw new ValidationError(`path: '${relativePath}' must be relative to the warehouse`, { field: 'path' });
    return pathToFileURL(this.checked(join(this.root, relativePath))).href;
  }

  /** The local path of a URI inside the root; ValidationError for anything else. */
  localPath(uri: string): string {
    let path: string;
    try {
      path = fileURLToPath(uri);
    } catch {
      throw new ValidationError(`uri: '${uri}' is not a file:// URI`, { field: 'uri' });
    }
    return this.checked(path);
  }

  private checked(path: string): string {
    const full = resolve(path);
    const rel = relative(this.root, full);
    if (rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel))) return full;
    throw new ValidationError(`path: '${path}' is outside the warehouse`, { field: 'path' });
  }

  /** Refuses paths that leave the root through a symbolic link. */
  private async checkedReal(path: string): Promise<string> {
    try {
      this.checked(await realpath(path));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    return path;
  }

  async read(uri: string): Promise<Buffer> {
    return readFile(await this.checkedReal(this.localPath(uri)));
  }

  async readRange(uri: string, offset: number, length: number): Promise<Buffer> {
    const handle = await open(await this.checkedReal(this.localPath(uri)), 'r');
    try {
      const buffer = Buffer.alloc(length);
      const { bytesRead } = await handle.read(buffer, 0, length, offset);
      return buffer.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  }

  async size(uri: string): Promise<number | undefined> {
    try {
      return (await stat(this.localPath(uri))).size;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  /** Writes and syncs a temporary file beside `path`; readers never see half-written objects. */
  private async writeTemporary(path: string, bytes: Uint8Array): Promise<string> {
    await mkdir(dirname(path), { recursive: true });
    const tmp = `${path}.${randomUUID()}.tmp`;
    const handle = await open(tmp, 'wx');
    try {
      await handle.writeFile(bytes);
      if (this.sync) await handle.sync();
    } finally {
      await handle.close();
    }
    return tmp;
  }

  async create(uri: string, bytes: Uint8Array): Promise<boolean> {
    const path = this.localPath(uri);
    return this.linkInPlace(await this.writeTemporary(path, bytes), path);
  }

  async createFromFile(uri: string, source: string): Promise<boolean> {
    const path = this.localPath(uri);
    if (resolve(source) === path) return true; // written in place (DuckDB writes local data files where they belong)
    await mkdir(dirname(path), { recursive: true });
    const tmp = `${path}.${randomUUID()}.tmp`;
    await copyFile(source, tmp);
    const handle = await open(tmp, 'r+');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    return this.linkInPlace(tmp, path);
  }

  /** Links a synced temporary file into place: link fails if the name exists, so a racing writer never overwrites. */
  private async linkInPlace(tmp: string, path: string): Promise<boolean> {
    try {
      await link(tmp, path);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw error;
    } finally {
      await rm(tmp, { force: true });
    }
  }

  async overwrite(uri: string, bytes: Uint8Array): Promise<void> {
    const path = this.localPath(uri);
    await rename(await this.writeTemporary(path, bytes), path);
  }

  /** A hard link renamed into place: objects are immutable, so sharing their bytes is safe. */
  async copy(from: string, to: string): Promise<void> {
    const source = await this.checkedReal(this.localPath(from));
    const path = this.localPath(to);
    await mkdir(dirname(path), { recursive: true });
    const tmp = `${path}.${randomUUID()}.tmp`;
    await link(source, tmp);
    try {
      await rename(tmp, path);
    } catch (error) {
      await rm(tmp, { force: true });
      throw error;
    }
  }

  async exists(uri: string): Promise<boolean> {
    try {
      await stat(this.localPath(uri));
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw error;
    }
  }

  async list(prefixUri: string): Promise<ObjectInfo[]> {
    const dir = this.localPath(prefixUri);
    const out: ObjectInfo[] = [];
    const walk = async (d: string): Promise<void> => {
      let entries;
      try {
        entries = await readdir(d, { withFileTypes: true });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
        throw error;
      }
      for (const entry of entries) if (entry.isDirectory()) await walk(join(d, entry.name));
      const files = entries.filter((entry) => entry.isFile()).map((entry) => join(d, entry.name));
      // Many stats at once: one at a time, each waits for its own turn of a busy server's event loop
      // (a table directory holds thousands of files).
      for (let i = 0; i < files.length; i += STATS_AT_ONCE) {
        const stats = await Promise.all(
          files.slice(i, i + STATS_AT_ONCE).map((path) =>
            // A writer may rename or remove a file between readdir and stat (a temp file becoming its final name).
            stat(path).then(
              (s) => ({ path, s }),
              (error: NodeJS.ErrnoException) => {
                if (error.code === 'ENOENT') return undefined;
                throw error;
              },
            ),
          ),
        );
        for (const found of stats) if (found) out.push({ uri: pathToFileURL(found.path).href, size: found.s.size, modifiedAt: found.s.mtime });
      }
    };
    await walk(dir);
    return out;
  }

  async delete(uri: string): Promise<void> {
    await rm(this.localPath(uri), { force: true, recursive: true });
  }

  async close(): Promise<void> {}
}
