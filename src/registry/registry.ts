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

  close(): Promise<void>;
}
