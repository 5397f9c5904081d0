import { z } from 'zod';
import { ValidationError } from './errors.js';
import {
  COLLECTION_TYPES,
  FEATURE_TYPES,
  RESERVED_FEATURE_NAMES,
  TTL_UNITS,
  type CreateFeatureGroupInput,
  type FeatureDefinition,
} from './feature-group.js';
import { parseOrThrow } from './validation.js';

/** SageMaker's limits, kept in one place. */
export const LIMITS = {
  featureGroupNameLength: 64,
  featureNameLength: 64,
  featureDefinitions: 2500,
  featureAdditionsPerUpdate: 100,
  descriptionLength: 128,
  featureDescriptionLength: 255,
  tags: 50,
  parametersPerUpdate: 25,
  vectorDimension: 8192,
} as const;

/** Letters, digits and single hyphens, starting and ending with a letter or digit. */
export const FEATURE_GROUP_NAME = /^[a-zA-Z0-9](-?[a-zA-Z0-9])*$/;
/** Letters, digits, hyphens and underscores, starting and ending with a letter or digit. */
export const FEATURE_NAME = /^[a-zA-Z0-9]([-_]*[a-zA-Z0-9])*$/;

export const featureGroupNameSchema = z
  .string({ error: 'is required and must be a string' })
  .min(1, 'must not be empty')
  .max(LIMITS.featureGroupNameLength, `must be at most ${LIMITS.featureGroupNameLength} characters`)
  .regex(FEATURE_GROUP_NAME, 'must contain only letters, digits and single hyphens, and start and end with a letter or digit');

export const featureNameSchema = z
  .string({ error: 'is required and must be a string' })
  .min(1, 'must not be empty')
  .max(LIMITS.featureNameLength, `must be at most ${LIMITS.featureNameLength} characters`)
  .regex(FEATURE_NAME, 'must contain only letters, digits, hyphens and underscores, and start and end with a letter or digit');

export const ttlDurationSchema = z.strictObject({
  unit: z.enum(TTL_UNITS, { error: `must be one of ${TTL_UNITS.join(', ')}` }),
  value: z.number({ error: 'must be a number' }).int('must be a whole number').positive('must be positive'),
});

export const featureDefinitionSchema = z.strictObject({
  featureName: featureNameSchema,
  featureType: z.enum(FEATURE_TYPES, { error: `must be one of ${FEATURE_TYPES.join(', ')}` }),
  collectionType: z.enum(COLLECTION_TYPES, { error: `must be one of ${COLLECTION_TYPES.join(', ')}` }).optional(),
  collectionConfig: z
    .strictObject({
      vectorConfig: z.strictObject({
        dimension: z
          .number({ error: 'must be a number' })
          .int('must be a whole number')
          .min(1, 'must be at least 1')
          .max(LIMITS.vectorDimension, `must be at most ${LIMITS.vectorDimension}`),
      }),
    })
    .optional(),
});

export const tagSchema = z.strictObject({
  key: z.string().min(1, 'must not be empty').max(128, 'must be at most 128 characters'),
  value: z.string().max(256, 'must be at most 256 characters'),
});

/** The shape of a create request (the cross-field rules are in validateCreateFeatureGroup). */
export const createFeatureGroupSchema = z.strictObject({
  featureGroupName: featureGroupNameSchema,
  recordIdentifierFeatureName: featureNameSchema,
  eventTimeFeatureName: featureNameSchema,
  featureDefinitions: z
    .array(featureDefinitionSchema, { error: 'is required and must be a list' })
    .min(1, 'must hold at least one feature')
    .max(LIMITS.featureDefinitions, `must hold at most ${LIMITS.featureDefinitions} features`),
  onlineStoreConfig: z
    .strictObject({
      enableOnlineStore: z.boolean().optional(),
      ttlDuration: ttlDurationSchema.optional(),
      storageType: z.enum(['Standard', 'InMemory']).optional(),
    })
    .optional(),
  offlineStoreConfig: z
    .strictObject({
      enableOfflineStore: z.boolean().optional(),
      tableFormat: z.enum(['Iceberg', 'Glue']).optional(),
      s3StorageConfig: z.strictObject({ s3Uri: z.string().optional(), resolvedOutputS3Uri: z.string().optional() }).optional(),
    })
    .optional(),
  description: z.string().max(LIMITS.descriptionLength, `must be at most ${LIMITS.descriptionLength} characters`).optional(),
  tags: z.array(tagSchema).max(LIMITS.tags, `must hold at most ${LIMITS.tags} tags`).optional(),
});

/** A feature group's whole tag set, as an update replaces it. */
export const tagsSchema = z.array(tagSchema).max(LIMITS.tags, `must hold at most ${LIMITS.tags} tags`);

/** Checks one feature definition's own consistency (collection settings). */
export function checkFeatureDefinition(def: FeatureDefinition, field: string): void {
  if (def.collectionType === 'Vector') {
    if (def.featureType !== 'Fractional') {
      throw new ValidationError(`${field}: a Vector feature must have featureType Fractional`, { field });
    }
    if (!def.collectionConfig) {
      throw new ValidationError(`${field}.collectionConfig: a Vector feature needs collectionConfig.vectorConfig.dimension`, {
        field: `${field}.collectionConfig`,
      });
    }
  } else if (def.collectionConfig) {
    throw new ValidationError(`${field}.collectionConfig: only a Vector feature takes a collectionConfig`, {
      field: `${field}.collectionConfig`,
    });
  }
  if ((RESERVED_FEATURE_NAMES as readonly string[]).includes(def.featureName.toLowerCase())) {
    throw new ValidationError(`${field}.featureName: '${def.featureName}' is reserved for the offline store`, {
      field: `${field}.featureName`,
    });
  }
}

/** Refuses names that collide, ignoring case (SQL engines fold identifiers). */
export function checkNoDuplicates(definitions: FeatureDefinition[], existing: string[] = [], field = 'featureDefinitions'): void {
  const seen = new Set(existing.map((n) => n.toLowerCase()));
  definitions.forEach((def, i) => {
    const key = def.featureName.toLowerCase();
    if (seen.has(key)) {
      throw new ValidationError(`${field}[${i}].featureName: '${def.featureName}' is defined more than once`, {
        field: `${field}[${i}].featureName`,
      });
    }
    seen.add(key);
  });
}

/** Validates a create request whole: shapes, limits, identifier and event-time rules. */
export function validateCreateFeatureGroup(input: unknown): CreateFeatureGroupInput {
  const parsed = parseOrThrow(createFeatureGroupSchema, input) as CreateFeatureGroupInput;
  parsed.featureDefinitions.forEach((def, i) => checkFeatureDefinition(def, `featureDefinitions[${i}]`));
  checkNoDuplicates(parsed.featureDefinitions);

  const byName = new Map(parsed.featureDefinitions.map((d) => [d.featureName, d]));
  const id = byName.get(parsed.recordIdentifierFeatureName);
  if (!id) {
    throw new ValidationError(
      `recordIdentifierFeatureName: '${parsed.recordIdentifierFeatureName}' is not among the feature definitions`,
      { field: 'recordIdentifierFeatureName' },
    );
  }
  if (id.collectionType || (id.featureType !== 'String' && id.featureType !== 'Integral')) {
    throw new ValidationError('recordIdentifierFeatureName: the record identifier must be a String or Integral feature, not a collection', {
      field: 'recordIdentifierFeatureName',
    });
  }
  const eventTime = byName.get(parsed.eventTimeFeatureName);
  if (!eventTime) {
    throw new ValidationError(`eventTimeFeatureName: '${parsed.eventTimeFeatureName}' is not among the feature definitions`, {
      field: 'eventTimeFeatureName',
    });
  }
  if (eventTime.collectionType || (eventTime.featureType !== 'String' && eventTime.featureType !== 'Fractional')) {
    throw new ValidationError(
      'eventTimeFeatureName: the event time must be a String (ISO-8601) or Fractional (epoch seconds) feature, not a collection',
      { field: 'eventTimeFeatureName' },
    );
  }
  return parsed;
}

/** Validates the features added by an update against the group's existing ones. */
export function validateFeatureAdditions(additions: unknown, existingNames: string[]): FeatureDefinition[] {
  const defs = parseOrThrow(
    z
      .array(featureDefinitionSchema)
      .min(1, 'must hold at least one feature')
      .max(LIMITS.featureAdditionsPerUpdate, `must hold at most ${LIMITS.featureAdditionsPerUpdate} features per call`),
    additions,
    'featureAdditions',
  ) as FeatureDefinition[];
  defs.forEach((def, i) => checkFeatureDefinition(def, `featureAdditions[${i}]`));
  if (existingNames.length + defs.length > LIMITS.featureDefinitions) {
    throw new ValidationError(`featureAdditions: a feature group holds at most ${LIMITS.featureDefinitions} features`, {
      field: 'featureAdditions',
    });
  }
  checkNoDuplicates(defs, existingNames, 'featureAdditions');
  return defs;
}
