/** One stored object, as listed. */
export interface ObjectInfo {
  uri: string;
  size: number;
  modifiedAt: Date;
}

/**
 * Where table files live. Objects are immutable once written: `create` refuses to overwrite, which
 * is what makes a metadata file name a safe commit token. Local directories now; an S3-compatible
 * store slots in behind the same interface.
 */
export interface ObjectStore {
  /** The URI of the store's root, e.g. `file:///srv/warehouse`. */
  readonly rootUri: string;
  /** Resolves a path relative to the root into a URI, refusing anything that escapes the root. */
  resolve(relativePath: string): string;
  read(uri: string): Promise<Buffer>;
  /** Writes a new object; false when it exists already (nothing is overwritten). */
  create(uri: string, bytes: Uint8Array): Promise<boolean>;
  /** Writes an object that may exist (small pointer files such as version-hint.text). */
  overwrite(uri: string, bytes: Uint8Array): Promise<void>;
  /**
   * Optional: puts a copy of an existing object at `to`, replacing what is there, without the bytes
   * passing through Floe (a hard link locally, a server-side copy on object stores).
   */
  copy?(from: string, to: string): Promise<void>;
  exists(uri: string): Promise<boolean>;
  list(prefixUri: string): Promise<ObjectInfo[]>;
  delete(uri: string): Promise<void>;
  /** A local file path for the object, when the store is local (DuckDB reads and writes there). */
  localPath(uri: string): string | undefined;
}
