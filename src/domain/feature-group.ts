/**
 * Feature group definitions, mirroring SageMaker's CreateFeatureGroup/DescribeFeatureGroup
 * shapes in camelCase. These are plain data: validation lives in feature-group-schema.ts.
 */
export const FEATURE_TYPES = ['Integral', 'Fractional', 'String'] as const;
export type FeatureType = (typeof FEATURE_TYPES)[number];

export const COLLECTION_TYPES = ['List', 'Set', 'Vector'] as const;
export type CollectionType = (typeof COLLECTION_TYPES)[number];

export const TTL_UNITS = ['Seconds', 'Minutes', 'Hours', 'Days', 'Weeks'] as const;
export type TtlUnit = (typeof TTL_UNITS)[number];

/** Columns every offline row carries; no feature may take these names. */
export const RESERVED_FEATURE_NAMES = ['is_deleted', 'write_time', 'api_invocation_time'] as const;

export interface TtlDuration {
  unit: TtlUnit;
  value: number;
}

export interface CollectionConfig {
  vectorConfig: { dimension: number };
}

export interface Parameter {
  key: string;
  value: string;
}

export interface Tag {
  key: string;
  value: string;
}

export interface FeatureDefinition {
  featureName: string;
  featureType: FeatureType;
  collectionType?: CollectionType;
  collectionConfig?: CollectionConfig;
}

/** A feature as stored: its definition plus the metadata DescribeFeatureMetadata returns. */
export interface Feature extends FeatureDefinition {
  description?: string;
  parameters: Parameter[];
  creationTime: Date;
  lastModifiedTime: Date;
}

export type OnlineStorageType = 'Standard' | 'InMemory';

export interface OnlineStoreConfig {
  enableOnlineStore: boolean;
  ttlDuration?: TtlDuration;
  storageType: OnlineStorageType;
}

export type TableFormat = 'Iceberg' | 'Glue';

export interface OfflineStoreConfig {
  enableOfflineStore: boolean;
  tableFormat: TableFormat;
  /** Where the table lives. `resolvedOutputS3Uri` is the table location (a file:// URI for a local warehouse). */
  s3StorageConfig?: { s3Uri?: string; resolvedOutputS3Uri?: string };
}

export type FeatureGroupStatus = 'Creating' | 'Created' | 'CreateFailed' | 'Deleting' | 'DeleteFailed';
export type LastUpdateStatus = 'Successful' | 'Failed' | 'InProgress';

/** What createFeatureGroup accepts. Omitted store configs mean "enabled" (Floe's default). */
export interface CreateFeatureGroupInput {
  featureGroupName: string;
  recordIdentifierFeatureName: string;
  eventTimeFeatureName: string;
  featureDefinitions: FeatureDefinition[];
  onlineStoreConfig?: Partial<OnlineStoreConfig>;
  offlineStoreConfig?: Partial<OfflineStoreConfig>;
  description?: string;
  tags?: Tag[];
}

/** A feature group as the registry keeps it and describeFeatureGroup returns it. */
export interface FeatureGroup {
  featureGroupName: string;
  featureGroupArn: string;
  recordIdentifierFeatureName: string;
  eventTimeFeatureName: string;
  features: Feature[];
  onlineStoreConfig: OnlineStoreConfig;
  offlineStoreConfig: OfflineStoreConfig;
  featureGroupStatus: FeatureGroupStatus;
  lastUpdateStatus?: { status: LastUpdateStatus; failureReason?: string };
  failureReason?: string;
  description?: string;
  tags: Tag[];
  creationTime: Date;
  lastModifiedTime: Date;
}

export interface UpdateFeatureGroupInput {
  featureGroupName: string;
  /** Up to 100 new features per call; existing features are never retyped or dropped. */
  featureAdditions?: FeatureDefinition[];
  onlineStoreConfig?: { ttlDuration?: TtlDuration | null };
  description?: string;
  /** The whole tag set, replacing the current one (SageMaker's AddTags and DeleteTags in one call). */
  tags?: Tag[];
}

export interface UpdateFeatureMetadataInput {
  featureGroupName: string;
  featureName: string;
  description?: string;
  parameterAdditions?: Parameter[];
  parameterRemovals?: string[];
}

export function findFeature(group: FeatureGroup, featureName: string): Feature | undefined {
  return group.features.find((f) => f.featureName === featureName);
}

export function ttlToMicros(ttl: TtlDuration): number {
  const seconds = { Seconds: 1, Minutes: 60, Hours: 3600, Days: 86_400, Weeks: 604_800 }[ttl.unit];
  return ttl.value * seconds * 1_000_000;
}
