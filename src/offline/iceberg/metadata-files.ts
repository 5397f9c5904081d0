import { randomUUID } from 'node:crypto';
import type { ObjectStore } from '../objectstore/index.js';
import { stringifyTableMetadata, type TableMetadata } from './table-metadata.js';

/**
 * Each attempt writes its metadata under a unique name (`00003-<uuid>.metadata.json`, as catalogs
 * do): a writer that dies between writing and swapping leaves an orphan, never a name that blocks
 * the next commit. The registry pointer is the commit.
 */
export async function writeMetadataFile(io: ObjectStore, meta: TableMetadata, version: number): Promise<{ location: string; bytes: Buffer } | undefined> {
  const location = `${meta.location}/metadata/${String(version).padStart(5, '0')}-${randomUUID()}.metadata.json`;
  const bytes = Buffer.from(stringifyTableMetadata(meta));
  return (await io.create(location, bytes)) ? { location, bytes } : undefined;
}

/**
 * After a commit, the same metadata as `v<N>.metadata.json` plus `version-hint.text`, so that a
 * reader given only the table directory (no catalog) opens the current version.
 */
export async function writeVersionHint(io: ObjectStore, written: { location: string; bytes: Buffer }, tableLocation: string, version: number): Promise<void> {
  const copy = `${tableLocation}/metadata/v${version}.metadata.json`;
  // The metadata file is rewritten whole by every commit: copy it without writing its bytes again.
  if (io.copy) await io.copy(written.location, copy);
  else await io.overwrite(copy, written.bytes);
  await io.overwrite(`${tableLocation}/metadata/version-hint.text`, Buffer.from(String(version)));
}
