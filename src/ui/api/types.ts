/** The shapes of the native API responses the UI reads (see /openapi.json for all of them). */
export type Role = 'admin' | 'writer' | 'reader';

export interface Identity {
  accessKeyId: string;
  role: Role;
  featureGroups?: string[];
}

export interface Feature {
  featureName: string;
  featureType: 'Integral' | 'Fractional' | 'String';
  collectionType?: 'List' | 'Set' | 'Vector';
  collectionConfig?: { vectorConfig: { dimension: number } };
  description?: string;
}

export interface FeatureGroup {
  featureGroupName: string;
  featureGroupArn: string;
  recordIdentifierFeatureName: string;
  eventTimeFeatureName: string;
  features: Feature[];
  onlineStoreConfig: { enableOnlineStore: boolean; ttlDuration?: { unit: string; value: number }; storageType?: string };
  offlineStoreConfig: { enableOfflineStore: boolean; tableFormat: string; s3StorageConfig?: { resolvedOutputS3Uri?: string } };
  featureGroupStatus: string;
  failureReason?: string;
  description?: string;
  tags: Array<{ key: string; value: string }>;
  creationTime: string;
  lastModifiedTime: string;
}

export interface Snapshot {
  snapshotId: string | number;
  timestamp: string;
  operation: string;
  summary: Record<string, string>;
}

export type Row = Record<string, unknown>;

export interface QueryResult {
  columns: Array<{ name: string; type: string }>;
  rows: Row[];
  truncated?: boolean;
}

export type JobKind = 'optimize' | 'vacuum' | 'retention';

export interface Job {
  id: string;
  kind: string;
  featureGroupName?: string;
  trigger?: string;
  status: 'running' | 'succeeded' | 'failed';
  startedAt: string;
  finishedAt?: string;
  durationMs?: number;
  result: Record<string, unknown>;
  error?: string;
}
