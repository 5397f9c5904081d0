import type { FeatureMetadata, SearchResponse } from '../../control/index.js';
import type { FeatureGroup } from '../../domain/index.js';
import type { QueryResult } from '../../query/index.js';
import type { SnapshotInfo } from '../offline-queries.js';

/** JSON carries dates as text and ids as numbers when they are small: back to the SDK's own types. */
type Wire = Record<string, unknown>;

const date = (v: unknown) => new Date(v as string);
const bigint = (v: unknown) => BigInt(v as number | bigint);

function reviveFeature<T>(f: Wire): T {
  return { ...f, creationTime: date(f.creationTime), lastModifiedTime: date(f.lastModifiedTime) } as T;
}

export function reviveGroup(g: Wire): FeatureGroup {
  return { ...g, features: (g.features as Wire[]).map((f) => reviveFeature(f)), creationTime: date(g.creationTime), lastModifiedTime: date(g.lastModifiedTime) } as FeatureGroup;
}

export function reviveMetadata(m: Wire): FeatureMetadata {
  return reviveFeature<FeatureMetadata>(m);
}

export function reviveSearch(r: { results: Wire[]; nextToken?: string }): SearchResponse {
  return {
    ...r,
    results: r.results.map((x) => ('featureGroup' in x ? { featureGroup: reviveGroup(x.featureGroup as Wire) } : { featureMetadata: reviveMetadata(x.featureMetadata as Wire) })),
  } as SearchResponse;
}

export function reviveSnapshot(s: Wire): SnapshotInfo {
  return {
    ...s,
    snapshotId: bigint(s.snapshotId),
    ...(s.parentSnapshotId === undefined ? {} : { parentSnapshotId: bigint(s.parentSnapshotId) }),
    timestamp: date(s.timestamp),
  } as SnapshotInfo;
}

/** Timestamp columns come back as Dates, as DuckDB gives them in-process. */
export function reviveQuery(result: QueryResult): QueryResult {
  const timestamps = result.columns.filter((c) => c.type.toUpperCase().startsWith('TIMESTAMP')).map((c) => c.name);
  if (timestamps.length === 0) return result;
  for (const row of result.rows) {
    for (const name of timestamps) if (typeof row[name] === 'string') row[name] = date(row[name]);
  }
  return result;
}
