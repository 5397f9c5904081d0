import type { FeatureGroup, FeatureGroupStatus } from '../domain/index.js';

export type SortOrder = 'Ascending' | 'Descending';

export interface ListFeatureGroupsQuery {
  /** Case-insensitive substring of the name. */
  nameContains?: string;
  featureGroupStatusEquals?: FeatureGroupStatus;
  creationTimeAfter?: Date;
  creationTimeBefore?: Date;
  sortBy?: 'Name' | 'CreationTime' | 'FeatureGroupStatus';
  sortOrder?: SortOrder;
  /** 1-100, default 100. */
  maxResults?: number;
  nextToken?: string;
}

export interface ListFeatureGroupsPage {
  featureGroups: FeatureGroup[];
  nextToken?: string;
}

/** The pointer that makes an Iceberg commit atomic: compare-and-set of the current metadata file. */
export interface TablePointer {
  metadataLocation: string;
  /** Incremented on every swap; lets callers detect a change cheaply. */
  version: number;
}

/**
 * Durable catalogue of feature groups, feature metadata and Iceberg table pointers.
 * Names are unique ignoring case (SQL engines fold identifiers), and lookups ignore case too.
 * Implementations: SQLite (embedded) and PostgreSQL (shared), both through kysely.
 */
export interface Registry {
  readonly kind: 'sqlite' | 'postgres';

  /** Stores a new group; throws ResourceInUseError when the name (ignoring case) is taken. */
  createFeatureGroup(group: FeatureGroup): Promise<void>;
  getFeatureGroup(name: string): Promise<FeatureGroup | undefined>;
  listFeatureGroups(query?: ListFeatureGroupsQuery): Promise<ListFeatureGroupsPage>;
  /** Every group, for search; small (a registry holds thousands, not millions). */
  allFeatureGroups(): Promise<FeatureGroup[]>;
  /**
   * Read-modify-write in one transaction (serialized against concurrent updates of the same
   * group). Throws NotFoundError when the group does not exist. Returns the stored result.
   */
  updateFeatureGroup(name: string, change: (current: FeatureGroup) => FeatureGroup): Promise<FeatureGroup>;
  /** Removes the group and its table pointer; throws NotFoundError when absent. */
  deleteFeatureGroup(name: string): Promise<void>;

  getTablePointer(table: string): Promise<TablePointer | undefined>;
  /**
   * Atomically replaces the pointer when it still equals `expected` (undefined: the table must
   * have none yet). Returns false, changing nothing, when another writer got there first.
   */
  swapTablePointer(table: string, expected: TablePointer | undefined, metadataLocation: string): Promise<boolean>;

  /** Maintenance and other jobs: one row per run, updated as it progresses (upsert by id). */
  recordJobRun(run: JobRun): Promise<void>;
  /** Newest first. */
  listJobRuns(query?: JobRunQuery): Promise<JobRun[]>;

  /**
   * Takes the named lease for `ttlMs` when it is free, expired, already ours, or held by
   * `replacing` (a holder the caller knows is dead). Returns false, changing nothing, when
   * another holder has it. Times are the caller's clock: keep TTLs well above clock skew.
   */
  acquireLease(name: string, holder: string, ttlMs: number, options?: { replacing?: string; now?: Date }): Promise<boolean>;
  /** Extends a lease we hold; false when it is no longer ours (expired and taken). */
  renewLease(name: string, holder: string, ttlMs: number, now?: Date): Promise<boolean>;
  /** Gives a lease up (nothing when it is not ours). */
  releaseLease(name: string, holder: string): Promise<void>;
  getLease(name: string): Promise<Lease | undefined>;

  /** API credentials. The secret is stored as given: SigV4 needs it to verify signatures. */
  putAccessKey(key: AccessKey): Promise<void>;
  getAccessKey(accessKeyId: string): Promise<AccessKey | undefined>;
  listAccessKeys(): Promise<AccessKey[]>;
  /** Returns false when there was no such key. */
  deleteAccessKey(accessKeyId: string): Promise<boolean>;

  close(): Promise<void>;
}

export interface JobRun {
  id: string;
  featureGroupName?: string;
  kind: string;
  status: 'running' | 'succeeded' | 'failed';
  /** What started it: 'manual', 'schedule' or 'automatic'. */
  trigger?: string;
  startedAt: Date;
  finishedAt?: Date;
  durationMs?: number;
  filesBefore?: number;
  filesAfter?: number;
  bytesBefore?: number;
  bytesAfter?: number;
  details: Record<string, unknown>;
  error?: string;
}

export interface JobRunQuery {
  featureGroupName?: string;
  kind?: string;
  status?: JobRun['status'];
  /** Default 100. */
  limit?: number;
}

/** A named, expiring claim on a resource (one maintenance run per table across processes). */
export interface Lease {
  name: string;
  holder: string;
  acquiredAt: Date;
  expiresAt: Date;
}

export type AccessRole = 'admin' | 'writer' | 'reader';

export interface AccessKey {
  accessKeyId: string;
  secretAccessKey: string;
  role: AccessRole;
  /** Limits the key to these feature groups; absent: all. */
  featureGroups?: string[];
  createdAt: Date;
}
