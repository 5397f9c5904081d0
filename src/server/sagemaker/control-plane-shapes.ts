import { ValidationError, type Feature, type FeatureDefinition, type FeatureGroup } from '../../domain/index.js';
import type { FeatureMetadata } from '../../control/index.js';
import { epochSeconds } from './wire-json.js';

/**
 * Feature groups between SageMaker's PascalCase shapes (`@aws-sdk/client-sagemaker` models) and
 * Floe's camelCase ones. Leaves pass through unchecked: the SDK validates them and names the
 * field, which the error mapping spells back in PascalCase.
 */
type Wire = Record<string, unknown>;

function isObject(value: unknown): value is Wire {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Renames the keys of an object (absent stays absent; non-objects pass through for the SDK to refuse). */
function rename(value: unknown, names: Record<string, string>): unknown {
  if (!isObject(value)) return value;
  const out: Wire = {};
  for (const [wire, ours] of Object.entries(names)) if (value[wire] !== undefined) out[ours] = value[wire];
  return out;
}

function renameList(value: unknown, convert: (item: unknown) => unknown): unknown {
  return Array.isArray(value) ? value.map(convert) : value;
}

export function fromWireFeatureDefinition(value: unknown): unknown {
  if (!isObject(value)) return value;
  const def = rename(value, { FeatureName: 'featureName', FeatureType: 'featureType', CollectionType: 'collectionType' }) as Wire;
  const config = value.CollectionConfig;
  if (config !== undefined) {
    def.collectionConfig = isObject(config) ? { vectorConfig: rename(config.VectorConfig, { Dimension: 'dimension' }) } : config;
  }
  return def;
}

export function fromWireFeatureDefinitions(value: unknown): unknown {
  return renameList(value, fromWireFeatureDefinition);
}

export function fromWireTtl(value: unknown): unknown {
  return rename(value, { Unit: 'unit', Value: 'value' });
}

export function fromWireKeyValues(value: unknown): unknown {
  return renameList(value, (item) => rename(item, { Key: 'key', Value: 'value' }));
}

/**
 * CreateFeatureGroup's request. SageMaker semantics: an absent OnlineStoreConfig or
 * OfflineStoreConfig means that store is disabled (the SDK's own default is enabled, so say it).
 */
export function fromWireCreateRequest(input: Wire): unknown {
  const online = input.OnlineStoreConfig;
  const offline = input.OfflineStoreConfig;
  if (online !== undefined && !isObject(online)) throw new ValidationError('OnlineStoreConfig: must be an object', { field: 'OnlineStoreConfig' });
  if (offline !== undefined && !isObject(offline)) throw new ValidationError('OfflineStoreConfig: must be an object', { field: 'OfflineStoreConfig' });
  const s3 = offline?.S3StorageConfig;
  return {
    featureGroupName: input.FeatureGroupName,
    recordIdentifierFeatureName: input.RecordIdentifierFeatureName,
    eventTimeFeatureName: input.EventTimeFeatureName,
    featureDefinitions: fromWireFeatureDefinitions(input.FeatureDefinitions),
    onlineStoreConfig: online
      ? {
          enableOnlineStore: online.EnableOnlineStore ?? false,
          ...(online.TtlDuration === undefined ? {} : { ttlDuration: fromWireTtl(online.TtlDuration) }),
          ...(online.StorageType === undefined ? {} : { storageType: online.StorageType }),
        }
      : { enableOnlineStore: false },
    offlineStoreConfig: offline
      ? {
          enableOfflineStore: true,
          ...(offline.TableFormat === undefined ? {} : { tableFormat: offline.TableFormat }),
          ...(s3 === undefined ? {} : { s3StorageConfig: rename(s3, { S3Uri: 's3Uri' }) }),
        }
      : { enableOfflineStore: false },
    ...(input.Description === undefined ? {} : { description: input.Description }),
    ...(input.Tags === undefined ? {} : { tags: fromWireKeyValues(input.Tags) }),
  };
}

export function featureDefinitionShape(f: FeatureDefinition): Wire {
  return {
    FeatureName: f.featureName,
    FeatureType: f.featureType,
    ...(f.collectionType ? { CollectionType: f.collectionType } : {}),
    ...(f.collectionConfig ? { CollectionConfig: { VectorConfig: { Dimension: f.collectionConfig.vectorConfig.dimension } } } : {}),
  };
}

/** DescribeFeatureGroup's response (and Search's FeatureGroup, with tags). */
export function featureGroupShape(g: FeatureGroup, options: { tags?: boolean } = {}): Wire {
  const online = g.onlineStoreConfig;
  const offline = g.offlineStoreConfig;
  const s3 = offline.s3StorageConfig;
  return {
    FeatureGroupArn: g.featureGroupArn,
    FeatureGroupName: g.featureGroupName,
    RecordIdentifierFeatureName: g.recordIdentifierFeatureName,
    EventTimeFeatureName: g.eventTimeFeatureName,
    FeatureDefinitions: g.features.map(featureDefinitionShape),
    CreationTime: epochSeconds(g.creationTime),
    LastModifiedTime: epochSeconds(g.lastModifiedTime),
    ...(online.enableOnlineStore
      ? {
          OnlineStoreConfig: {
            EnableOnlineStore: true,
            StorageType: online.storageType,
            ...(online.ttlDuration ? { TtlDuration: { Unit: online.ttlDuration.unit, Value: online.ttlDuration.value } } : {}),
          },
          ThroughputConfig: { ThroughputMode: 'OnDemand' },
        }
      : {}),
    ...(offline.enableOfflineStore
      ? {
          OfflineStoreConfig: {
            S3StorageConfig: {
              S3Uri: s3?.s3Uri ?? s3?.resolvedOutputS3Uri ?? '',
              ...(s3?.resolvedOutputS3Uri ? { ResolvedOutputS3Uri: s3.resolvedOutputS3Uri } : {}),
            },
            DisableGlueTableCreation: true,
            TableFormat: offline.tableFormat,
          },
          OfflineStoreStatus: { Status: 'Active' },
        }
      : {}),
    FeatureGroupStatus: g.featureGroupStatus,
    ...(g.lastUpdateStatus
      ? {
          LastUpdateStatus: {
            Status: g.lastUpdateStatus.status,
            ...(g.lastUpdateStatus.failureReason ? { FailureReason: g.lastUpdateStatus.failureReason } : {}),
          },
        }
      : {}),
    ...(g.failureReason ? { FailureReason: g.failureReason } : {}),
    ...(g.description === undefined ? {} : { Description: g.description }),
    ...(options.tags ? { Tags: g.tags.map((t) => ({ Key: t.key, Value: t.value })) } : {}),
  };
}

export function featureGroupSummaryShape(g: FeatureGroup): Wire {
  return {
    FeatureGroupName: g.featureGroupName,
    FeatureGroupArn: g.featureGroupArn,
    CreationTime: epochSeconds(g.creationTime),
    FeatureGroupStatus: g.featureGroupStatus,
    ...(g.offlineStoreConfig.enableOfflineStore ? { OfflineStoreStatus: { Status: 'Active' } } : {}),
  };
}

export function featureMetadataShape(m: FeatureMetadata | (Feature & { featureGroupName: string; featureGroupArn: string })): Wire {
  return {
    FeatureGroupArn: m.featureGroupArn,
    FeatureGroupName: m.featureGroupName,
    FeatureName: m.featureName,
    FeatureType: m.featureType,
    CreationTime: epochSeconds(m.creationTime),
    LastModifiedTime: epochSeconds(m.lastModifiedTime),
    ...(m.description === undefined ? {} : { Description: m.description }),
    Parameters: m.parameters.map((p) => ({ Key: p.key, Value: p.value })),
  };
}

/** A timestamp of a JSON 1.1 request: epoch seconds (what the SDK sends) or ISO-8601 text. */
export function fromWireTime(value: unknown, field: string): Date | undefined {
  if (value === undefined || value === null) return undefined;
  const date = typeof value === 'number' ? new Date(value * 1000) : typeof value === 'string' ? new Date(value) : undefined;
  if (date === undefined || Number.isNaN(date.getTime())) {
    throw new ValidationError(`${field}: must be a timestamp (epoch seconds)`, { field });
  }
  return date;
}
