import { z } from 'zod';
import { normaliseProperties } from '../maintenance/table-properties.js';
import {
  COLLECTION_TYPES,
  FEATURE_TYPES,
  featureGroupNameSchema,
  featureNameSchema,
  parseOrThrow,
  TTL_UNITS,
  ttlDurationSchema,
  ttlToMicros,
  ValidationError,
  type CollectionType,
  type FeatureType,
  type OnlineStorageType,
  type TableFormat,
  type TtlDuration,
} from '../domain/index.js';

/**
 * Declarative feature group definitions: what `floe plan` / `floe apply` read from YAML, JSON or
 * a module. The shape is short to write by hand (features as a map, TTLs as "30d", tags as a
 * map) and says what it manages: everything in it is the desired state, so leaving out a
 * description, a tag or the TTL means "none".
 */

/** A feature: its type alone, or the type with a collection, a vector dimension, a description. */
export type FeatureSpec =
  | FeatureType
  | {
      type: FeatureType;
      collection?: CollectionType;
      /** Vector features only. */
      dimension?: number;
      description?: string;
    };

export interface FeatureGroupSpec {
  name: string;
  /** The record identifier feature (String or Integral). Fixed at creation. */
  recordIdentifier: string;
  /** The event time feature (String ISO-8601 or Fractional epoch seconds). Fixed at creation. */
  eventTime: string;
  /** Features in column order; new ones may be appended later, none retyped or dropped. */
  features: Record<string, FeatureSpec>;
  description?: string;
  /** `false` for no online store; `ttl` like "30d", "12 Hours" or `{ unit, value }`. */
  online?: boolean | { enabled?: boolean; ttl?: string | TtlDuration; storageType?: OnlineStorageType };
  offline?: boolean | { enabled?: boolean; tableFormat?: TableFormat };
  tags?: Record<string, string>;
  /** Offline table maintenance, as table properties: left out, the server's defaults apply. */
  maintenance?: {
    /** When `floe serve` optimizes and vacuums the table: a UTC cron expression, or 'off'. */
    schedule?: string;
    /** Offline rows whose event time is older than this are removed by maintenance: "365d", "12h", or seconds. */
    retention?: string | number;
  };
}

export interface FeatureDefinitionsDocument {
  featureGroups: FeatureGroupSpec[];
}

/**
 * Types a definitions module (`features.ts` / `.mjs`) and returns what `floe plan -f` reads.
 *
 * @example
 * export default defineFeatureGroups([
 *   { name: 'users', recordIdentifier: 'user_id', eventTime: 'event_time',
 *     features: { user_id: 'String', event_time: 'String', age: 'Integral' }, online: { ttl: '30d' } },
 * ]);
 */
export function defineFeatureGroups(featureGroups: FeatureGroupSpec[]): FeatureDefinitionsDocument {
  return { featureGroups };
}

/** A feature group's desired state, normalized so that it compares with what the store describes. */
export interface DesiredFeature {
  featureName: string;
  featureType: FeatureType;
  collectionType?: CollectionType;
  dimension?: number;
  description?: string;
}

export interface DesiredFeatureGroup {
  featureGroupName: string;
  recordIdentifierFeatureName: string;
  eventTimeFeatureName: string;
  features: DesiredFeature[];
  description?: string;
  online: { enabled: boolean; ttl?: TtlDuration; storageType: OnlineStorageType };
  offline: { enabled: boolean; tableFormat: TableFormat };
  tags: Array<{ key: string; value: string }>;
  maintenance: { schedule?: string; retentionSeconds?: number };
}

const TTL_ABBREVIATIONS: Record<string, (typeof TTL_UNITS)[number]> = { s: 'Seconds', m: 'Minutes', h: 'Hours', d: 'Days', w: 'Weeks' };

/** Parses "7 Days", "7d" or "12h" into SageMaker's { unit, value }; undefined when it is not one. */
export function parseTtl(text: string): TtlDuration | undefined {
  const m = /^\s*(\d+)\s*([a-zA-Z]+)\s*$/.exec(text);
  if (!m) return undefined;
  const word = m[2]!.toLowerCase();
  const unit = TTL_ABBREVIATIONS[word] ?? TTL_UNITS.find((u) => u.toLowerCase() === word || u.toLowerCase() === `${word}s`);
  const value = Number(m[1]);
  return unit && value > 0 ? { unit, value } : undefined;
}

/** `online: false` is `online: { enabled: false }`. */
const enabledShorthand = (value: unknown) => (typeof value === 'boolean' ? { enabled: value } : value);

/** A TTL as "30d", "12 Hours" or SageMaker's { unit, value }. */
const ttlSchema = z.unknown().transform((value, ctx): TtlDuration => {
  const ttl = typeof value === 'string' ? parseTtl(value) : ttlDurationSchema.safeParse(value).data;
  if (!ttl) ctx.addIssue({ code: 'custom', message: `${JSON.stringify(value)} is not a duration like "30d", "12h", "7 Days" or { unit: Days, value: 7 }` });
  return ttl ?? { unit: 'Days', value: 1 };
});

const featureSpecSchema = z.union(
  [
    z.enum(FEATURE_TYPES),
    z.strictObject({
      type: z.enum(FEATURE_TYPES, { error: `must be one of ${FEATURE_TYPES.join(', ')}` }),
      collection: z.enum(COLLECTION_TYPES, { error: `must be one of ${COLLECTION_TYPES.join(', ')}` }).optional(),
      dimension: z.number().int('must be a whole number').positive('must be positive').optional(),
      description: z.string().max(255, 'must be at most 255 characters').optional(),
    }),
  ],
  { error: `must be a feature type (${FEATURE_TYPES.join(', ')}) or { type, collection?, dimension?, description? }` },
);

const groupSpecSchema = z.strictObject({
  name: featureGroupNameSchema,
  recordIdentifier: featureNameSchema,
  eventTime: featureNameSchema,
  features: z.record(z.string(), featureSpecSchema, { error: 'is required: a map of feature name to type' }),
  description: z.string().max(128, 'must be at most 128 characters').optional(),
  online: z
    .preprocess(
      enabledShorthand,
      z.strictObject({
        enabled: z.boolean().optional(),
        ttl: ttlSchema.optional(),
        storageType: z.enum(['Standard', 'InMemory'], { error: 'must be Standard or InMemory' }).optional(),
      }),
    )
    .optional(),
  offline: z
    .preprocess(enabledShorthand, z.strictObject({ enabled: z.boolean().optional(), tableFormat: z.enum(['Iceberg', 'Glue'], { error: 'must be Iceberg or Glue' }).optional() }))
    .optional(),
  tags: z.record(z.string().min(1).max(128), z.string().max(256)).optional(),
  maintenance: z
    .strictObject({
      schedule: z.string({ error: "must be a cron expression (UTC) or 'off'" }).optional(),
      retention: z
        .union([z.number().int().positive(), z.string()], { error: 'must be a duration like "365d" or a number of seconds' })
        .transform((value, ctx) => {
          if (typeof value === 'number') return value;
          const ttl = parseTtl(value);
          if (!ttl) ctx.addIssue({ code: 'custom', message: `'${value}' is not a duration like "365d", "12h" or "4 Weeks"` });
          return ttl ? ttlToMicros(ttl) / 1_000_000 : 0;
        })
        .optional(),
    })
    .optional(),
});

const documentSchema = z.strictObject({
  featureGroups: z.array(groupSpecSchema, { error: 'is required: a list of feature groups' }),
});

/**
 * Validates a definitions document and normalizes each group; errors name the place
 * (`featureGroups[1].features.age.type: ...`) and the reason.
 */
export function parseDefinitions(input: unknown): DesiredFeatureGroup[] {
  const document = parseOrThrow(documentSchema, Array.isArray(input) ? { featureGroups: input } : input);
  const seen = new Set<string>();
  return document.featureGroups.map((spec, i) => {
    if (seen.has(spec.name)) {
      throw new ValidationError(`featureGroups[${i}].name: '${spec.name}' is defined more than once`, { field: `featureGroups[${i}].name` });
    }
    seen.add(spec.name);
    const features = Object.entries(spec.features).map(([featureName, f]): DesiredFeature => {
      if (typeof f === 'string') return { featureName, featureType: f };
      if (f.dimension !== undefined && f.collection !== 'Vector') {
        throw new ValidationError(`featureGroups[${i}].features.${featureName}.dimension: only a Vector feature has a dimension`, {
          field: `featureGroups[${i}].features.${featureName}.dimension`,
        });
      }
      return {
        featureName,
        featureType: f.type,
        ...(f.collection ? { collectionType: f.collection } : {}),
        ...(f.dimension !== undefined ? { dimension: f.dimension } : {}),
        ...(f.description ? { description: f.description } : {}),
      };
    });
    const online = spec.online ?? {};
    const offline = spec.offline ?? {};
    return {
      featureGroupName: spec.name,
      recordIdentifierFeatureName: spec.recordIdentifier,
      eventTimeFeatureName: spec.eventTime,
      features,
      ...(spec.description ? { description: spec.description } : {}),
      online: {
        enabled: online.enabled ?? true,
        storageType: online.storageType ?? 'Standard',
        ...(online.ttl ? { ttl: online.ttl } : {}),
      },
      offline: { enabled: offline.enabled ?? true, tableFormat: offline.tableFormat ?? 'Iceberg' },
      tags: Object.entries(spec.tags ?? {}).map(([key, value]) => ({ key, value })),
      maintenance: checkMaintenance(spec.maintenance ?? {}, offline.enabled ?? true, `featureGroups[${i}].maintenance`),
    };
  });
}

/** Maintenance settings are table properties of the offline table: checked as the store will. */
function checkMaintenance(m: { schedule?: string; retention?: number }, offline: boolean, field: string): DesiredFeatureGroup['maintenance'] {
  if ((m.schedule !== undefined || m.retention !== undefined) && !offline) {
    throw new ValidationError(`${field}: maintenance applies to the offline store, which this group does not have`, { field });
  }
  if (m.schedule !== undefined) {
    try {
      normaliseProperties({ maintenance_schedule: m.schedule });
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      throw new ValidationError(`${field}.schedule: ${error.message.replace(/^maintenance_schedule: /, '')}`, { field: `${field}.schedule` });
    }
  }
  return { ...(m.schedule !== undefined ? { schedule: m.schedule } : {}), ...(m.retention !== undefined ? { retentionSeconds: m.retention } : {}) };
}
