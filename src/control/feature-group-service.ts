import {
  featureGroupArn,
  featureGroupNameFromArn,
  featureGroupNameSchema,
  LIMITS,
  NotFoundError,
  parseOrThrow,
  ResourceInUseError,
  tagsSchema,
  ttlDurationSchema,
  validateCreateFeatureGroup,
  validateFeatureAdditions,
  ValidationError,
  type ArnContext,
  type Feature,
  type FeatureGroup,
  type UpdateFeatureGroupInput,
  type UpdateFeatureMetadataInput,
} from '../domain/index.js';
import type { ListFeatureGroupsPage, ListFeatureGroupsQuery, Registry } from '../registry/registry.js';
import { FeatureGroupCache } from './feature-group-cache.js';

/** What the stores do when a group appears, changes or goes. */
export interface FeatureGroupLifecycle {
  /** Creates the offline table (and returns its location URI), or evolves it after features are added. */
  onCreated?(group: FeatureGroup): Promise<{ offlineLocation?: string } | void>;
  onFeaturesAdded?(group: FeatureGroup): Promise<void>;
  onDeleting?(group: FeatureGroup): Promise<void>;
}

export interface FeatureMetadata extends Feature {
  featureGroupName: string;
  featureGroupArn: string;
}

/**
 * The control plane: validates requests, keeps the registry, and tells the stores. Semantics
 * and limits follow SageMaker's CreateFeatureGroup, UpdateFeatureGroup, DeleteFeatureGroup,
 * DescribeFeatureMetadata and UpdateFeatureMetadata.
 */
export class FeatureGroupService {
  readonly cache: FeatureGroupCache;

  constructor(
    private readonly registry: Registry,
    private readonly lifecycle: FeatureGroupLifecycle = {},
    private readonly arnContext?: ArnContext,
  ) {
    this.cache = new FeatureGroupCache(registry);
  }

  async create(input: unknown): Promise<FeatureGroup> {
    const request = validateCreateFeatureGroup(input);
    const now = new Date();
    const online = request.onlineStoreConfig ?? {};
    const offline = request.offlineStoreConfig ?? {};
    const group: FeatureGroup = {
      featureGroupName: request.featureGroupName,
      featureGroupArn: featureGroupArn(request.featureGroupName, this.arnContext),
      recordIdentifierFeatureName: request.recordIdentifierFeatureName,
      eventTimeFeatureName: request.eventTimeFeatureName,
      features: request.featureDefinitions.map((def) => ({ ...def, parameters: [], creationTime: now, lastModifiedTime: now })),
      onlineStoreConfig: {
        enableOnlineStore: online.enableOnlineStore ?? true,
        storageType: online.storageType ?? 'Standard',
        ...(online.ttlDuration ? { ttlDuration: online.ttlDuration } : {}),
      },
      offlineStoreConfig: {
        enableOfflineStore: offline.enableOfflineStore ?? true,
        tableFormat: offline.tableFormat ?? 'Iceberg',
        ...(offline.s3StorageConfig ? { s3StorageConfig: offline.s3StorageConfig } : {}),
      },
      featureGroupStatus: 'Creating',
      tags: request.tags ?? [],
      creationTime: now,
      lastModifiedTime: now,
      ...(request.description === undefined ? {} : { description: request.description }),
    };
    if (!group.onlineStoreConfig.enableOnlineStore && !group.offlineStoreConfig.enableOfflineStore) {
      throw new ValidationError('onlineStoreConfig: enable the online store, the offline store, or both', {
        field: 'onlineStoreConfig.enableOnlineStore',
      });
    }
    await this.registry.createFeatureGroup(group);
    try {
      const created = (await this.lifecycle.onCreated?.(group)) ?? {};
      return await this.registry.updateFeatureGroup(group.featureGroupName, (current) => ({
        ...current,
        featureGroupStatus: 'Created',
        ...(created.offlineLocation
          ? {
              offlineStoreConfig: {
                ...current.offlineStoreConfig,
                s3StorageConfig: { ...current.offlineStoreConfig.s3StorageConfig, resolvedOutputS3Uri: created.offlineLocation },
              },
            }
          : {}),
      }));
    } catch (error) {
      await this.registry.updateFeatureGroup(group.featureGroupName, (current) => ({
        ...current,
        featureGroupStatus: 'CreateFailed',
        failureReason: error instanceof Error ? error.message : String(error),
      }));
      throw error;
    } finally {
      this.cache.invalidate(group.featureGroupName);
    }
  }

  /** The group by name or ARN; NotFoundError naming it when absent. */
  async describe(nameOrArn: string): Promise<FeatureGroup> {
    const name = checkName(nameOrArn);
    const group = await this.registry.getFeatureGroup(name);
    if (!group) throw notFound(name);
    return group;
  }

  /** Filters, sorting and paging are the registry's (validated there, run in SQL). */
  list(query: ListFeatureGroupsQuery = {}): Promise<ListFeatureGroupsPage> {
    return this.registry.listFeatureGroups(query);
  }

  async update(input: UpdateFeatureGroupInput): Promise<FeatureGroup> {
    const name = checkName(input.featureGroupName);
    const ttl = input.onlineStoreConfig?.ttlDuration;
    if (ttl) parseOrThrow(ttlDurationSchema, ttl, 'onlineStoreConfig.ttlDuration');
    if (input.description !== undefined && input.description.length > LIMITS.descriptionLength) {
      throw new ValidationError(`description: must be at most ${LIMITS.descriptionLength} characters`, { field: 'description' });
    }
    const tags = input.tags === undefined ? undefined : parseOrThrow(tagsSchema, input.tags, 'tags');
    if (tags && new Set(tags.map((t) => t.key)).size !== tags.length) {
      throw new ValidationError('tags: each key may appear once', { field: 'tags' });
    }
    let added = false;
    const updated = await this.registry.updateFeatureGroup(name, (current) => {
      assertReady(current);
      const now = new Date();
      const next: FeatureGroup = { ...current, lastModifiedTime: now, lastUpdateStatus: { status: 'Successful' } };
      if (input.featureAdditions !== undefined) {
        const defs = validateFeatureAdditions(
          input.featureAdditions,
          current.features.map((f) => f.featureName),
        );
        next.features = [...current.features, ...defs.map((d) => ({ ...d, parameters: [], creationTime: now, lastModifiedTime: now }))];
        added = true;
      }
      if (input.onlineStoreConfig && 'ttlDuration' in input.onlineStoreConfig) {
        if (!current.onlineStoreConfig.enableOnlineStore) {
          throw new ValidationError('onlineStoreConfig.ttlDuration: the feature group has no online store', {
            field: 'onlineStoreConfig.ttlDuration',
          });
        }
        const { ttlDuration: _old, ...rest } = current.onlineStoreConfig;
        next.onlineStoreConfig = input.onlineStoreConfig.ttlDuration ? { ...rest, ttlDuration: input.onlineStoreConfig.ttlDuration } : rest;
      }
      if (input.description !== undefined) next.description = input.description;
      if (tags !== undefined) next.tags = tags;
      return next;
    });
    this.cache.invalidate(name);
    if (added) await this.lifecycle.onFeaturesAdded?.(updated);
    return updated;
  }

  async delete(nameOrArn: string): Promise<void> {
    const name = checkName(nameOrArn);
    const group = await this.registry.updateFeatureGroup(name, (current) => {
      if (current.featureGroupStatus === 'Deleting') {
        throw new ResourceInUseError(`featureGroupName: feature group '${name}' is already being deleted`, { field: 'featureGroupName' });
      }
      return { ...current, featureGroupStatus: 'Deleting' };
    });
    this.cache.invalidate(name);
    try {
      await this.lifecycle.onDeleting?.(group);
    } catch (error) {
      await this.registry.updateFeatureGroup(name, (current) => ({
        ...current,
        featureGroupStatus: 'DeleteFailed',
        failureReason: error instanceof Error ? error.message : String(error),
      }));
      throw error;
    }
    await this.registry.deleteFeatureGroup(name);
    this.cache.invalidate(name);
  }

  async describeFeatureMetadata(groupNameOrArn: string, featureName: string): Promise<FeatureMetadata> {
    const group = await this.describe(groupNameOrArn);
    const feature = group.features.find((f) => f.featureName === featureName);
    if (!feature) {
      throw new NotFoundError(`featureName: feature '${featureName}' is not in feature group '${group.featureGroupName}'`, {
        field: 'featureName',
      });
    }
    return { ...feature, featureGroupName: group.featureGroupName, featureGroupArn: group.featureGroupArn };
  }

  async updateFeatureMetadata(input: UpdateFeatureMetadataInput): Promise<FeatureMetadata> {
    const name = checkName(input.featureGroupName);
    const additions = input.parameterAdditions ?? [];
    const removals = input.parameterRemovals ?? [];
    if (additions.length > LIMITS.parametersPerUpdate) {
      throw new ValidationError(`parameterAdditions: at most ${LIMITS.parametersPerUpdate} per call`, { field: 'parameterAdditions' });
    }
    if (removals.length > LIMITS.parametersPerUpdate) {
      throw new ValidationError(`parameterRemovals: at most ${LIMITS.parametersPerUpdate} per call`, { field: 'parameterRemovals' });
    }
    additions.forEach((p, i) => {
      if (typeof p?.key !== 'string' || p.key.length < 1 || p.key.length > 255) {
        throw new ValidationError(`parameterAdditions[${i}].key: must be 1-255 characters`, { field: `parameterAdditions[${i}].key` });
      }
      if (typeof p.value !== 'string' || p.value.length > 255) {
        throw new ValidationError(`parameterAdditions[${i}].value: must be a string of at most 255 characters`, {
          field: `parameterAdditions[${i}].value`,
        });
      }
    });
    if (input.description !== undefined && input.description.length > LIMITS.featureDescriptionLength) {
      throw new ValidationError(`description: must be at most ${LIMITS.featureDescriptionLength} characters`, { field: 'description' });
    }
    const updated = await this.registry.updateFeatureGroup(name, (current) => {
      const index = current.features.findIndex((f) => f.featureName === input.featureName);
      if (index < 0) {
        throw new NotFoundError(`featureName: feature '${input.featureName}' is not in feature group '${current.featureGroupName}'`, {
          field: 'featureName',
        });
      }
      const feature = current.features[index]!;
      const params = new Map(feature.parameters.map((p) => [p.key, p.value]));
      for (const key of removals) params.delete(key);
      for (const p of additions) params.set(p.key, p.value);
      const next: Feature = {
        ...feature,
        parameters: [...params].map(([key, value]) => ({ key, value })),
        lastModifiedTime: new Date(),
        ...(input.description === undefined ? {} : { description: input.description }),
      };
      const features = [...current.features];
      features[index] = next;
      return { ...current, features };
    });
    this.cache.invalidate(name);
    const feature = updated.features.find((f) => f.featureName === input.featureName)!;
    return { ...feature, featureGroupName: updated.featureGroupName, featureGroupArn: updated.featureGroupArn };
  }
}

function checkName(nameOrArn: unknown): string {
  const name = typeof nameOrArn === 'string' ? featureGroupNameFromArn(nameOrArn) : nameOrArn;
  return parseOrThrow(featureGroupNameSchema, name, 'featureGroupName');
}

export function notFound(name: string): NotFoundError {
  return new NotFoundError(`featureGroupName: feature group '${name}' does not exist`, { field: 'featureGroupName' });
}

/** Writes and updates need a group that is fully created and not going away. */
export function assertReady(group: FeatureGroup): void {
  if (group.featureGroupStatus !== 'Created') {
    throw new ResourceInUseError(
      `featureGroupName: feature group '${group.featureGroupName}' is ${group.featureGroupStatus}, not Created`,
      { field: 'featureGroupName' },
    );
  }
}
