import {
  LIMITS,
  ValidationError,
  validateCreateFeatureGroup,
  validateFeatureAdditions,
  type CreateFeatureGroupInput,
  type Feature,
  type FeatureDefinition,
  type FeatureGroup,
  type Tag,
  type TtlDuration,
} from '../domain/index.js';
import { PROPERTY as TABLE_PROPERTY } from '../maintenance/table-properties.js';
import type { DesiredFeature, DesiredFeatureGroup } from './definition.js';

/**
 * The diff between definitions and the store: pure (no I/O), so `floe plan` and `floe apply`
 * show and do exactly the same thing, and the rules are tested without a store.
 */

/** One change apply makes. `op` is how it reads in a diff: + adds, ~ changes, - removes. */
export type Change =
  | { kind: 'createGroup'; op: '+'; input: CreateFeatureGroupInput; featureDescriptions: Array<{ featureName: string; description: string }> }
  | { kind: 'addFeature'; op: '+'; feature: FeatureDefinition; description?: string }
  | { kind: 'setTtl'; op: '+' | '~' | '-'; from?: TtlDuration; to?: TtlDuration }
  | { kind: 'setDescription'; op: '+' | '~' | '-'; from?: string; to?: string }
  | { kind: 'setTag'; op: '+' | '~' | '-'; key: string; from?: string; to?: string }
  | { kind: 'setFeatureDescription'; op: '+' | '~' | '-'; featureName: string; from?: string; to?: string }
  | { kind: 'setSchedule'; op: '+' | '~' | '-'; from?: string; to?: string }
  | { kind: 'setRetention'; op: '+' | '~' | '-'; from?: number; to?: number };

/** A change that cannot be made in place, why, and what to do instead. */
export interface Refusal {
  field: string;
  change: string;
  reason: string;
  instead: string;
}

export interface GroupPlan {
  featureGroupName: string;
  action: 'create' | 'update' | 'none';
  changes: Change[];
  refusals: Refusal[];
  /** The whole desired tag set (an update replaces it). */
  tags: Tag[];
}

export interface Plan {
  groups: GroupPlan[];
  /** Groups in the store that the definitions do not mention: left as they are. */
  unmanaged: string[];
}

export function planHasChanges(plan: Plan): boolean {
  return plan.groups.some((g) => g.changes.length > 0);
}

export function planHasRefusals(plan: Plan): boolean {
  return plan.groups.some((g) => g.refusals.length > 0);
}

const NEW_GROUP = 'create a new feature group with the definition you want and backfill it (floe query ... --format parquet --out f.parquet, then floe ingest <new-group> f.parquet)';

/**
 * The plan that takes `current` (every existing group, by name) to `desired`. `properties` holds
 * the offline table properties of the existing groups the definitions name (maintenance
 * settings); without it (a store that does not expose them), maintenance settings are not
 * managed, and definitions that hold some are refused.
 */
export function planChanges(
  desired: DesiredFeatureGroup[],
  current: ReadonlyMap<string, FeatureGroup>,
  properties?: ReadonlyMap<string, Record<string, string>>,
): Plan {
  if (!properties) {
    const i = desired.findIndex((d) => d.maintenance.schedule !== undefined || d.maintenance.retentionSeconds !== undefined);
    if (i >= 0) {
      throw new ValidationError(`featureGroups[${i}].maintenance: maintenance settings are table properties, which this store does not expose (through --endpoint, apply them on the server's machine)`, {
        field: `featureGroups[${i}].maintenance`,
      });
    }
  }
  const groups = desired.map((d, i) => {
    const existing = current.get(d.featureGroupName);
    if (!existing) return planCreate(d, `featureGroups[${i}]`);
    const plan = planUpdate(d, existing, `featureGroups[${i}]`);
    if (properties && existing.offlineStoreConfig.enableOfflineStore && d.offline.enabled) {
      plan.changes.push(...maintenanceChanges(properties.get(d.featureGroupName) ?? {}, d.maintenance));
      if (plan.changes.length > 0) plan.action = 'update';
    }
    return plan;
  });
  const named = new Set(desired.map((d) => d.featureGroupName));
  return { groups, unmanaged: [...current.keys()].filter((n) => !named.has(n)).sort() };
}

function toDefinition(f: DesiredFeature): FeatureDefinition {
  return {
    featureName: f.featureName,
    featureType: f.featureType,
    ...(f.collectionType ? { collectionType: f.collectionType } : {}),
    ...(f.dimension !== undefined ? { collectionConfig: { vectorConfig: { dimension: f.dimension } } } : {}),
  };
}

function planCreate(d: DesiredFeatureGroup, field: string): GroupPlan {
  const input: CreateFeatureGroupInput = {
    featureGroupName: d.featureGroupName,
    recordIdentifierFeatureName: d.recordIdentifierFeatureName,
    eventTimeFeatureName: d.eventTimeFeatureName,
    featureDefinitions: d.features.map(toDefinition),
    onlineStoreConfig: { enableOnlineStore: d.online.enabled, storageType: d.online.storageType, ...(d.online.ttl ? { ttlDuration: d.online.ttl } : {}) },
    offlineStoreConfig: { enableOfflineStore: d.offline.enabled, tableFormat: d.offline.tableFormat },
    ...(d.description ? { description: d.description } : {}),
    ...(d.tags.length > 0 ? { tags: d.tags } : {}),
  };
  prefixErrors(field, () => validateCreateFeatureGroup(input));
  const featureDescriptions = d.features.flatMap((f) => (f.description ? [{ featureName: f.featureName, description: f.description }] : []));
  const changes: Change[] = [{ kind: 'createGroup', op: '+', input, featureDescriptions }, ...maintenanceChanges({}, d.maintenance)];
  return { featureGroupName: d.featureGroupName, action: 'create', changes, refusals: [], tags: d.tags };
}

function planUpdate(d: DesiredFeatureGroup, g: FeatureGroup, field: string): GroupPlan {
  const changes: Change[] = [];
  const refusals: Refusal[] = [];
  const refuse = (f: string, change: string, reason: string, instead = NEW_GROUP) => refusals.push({ field: `${field}.${f}`, change, reason, instead });

  if (d.recordIdentifierFeatureName !== g.recordIdentifierFeatureName) {
    refuse('recordIdentifier', `record identifier ${g.recordIdentifierFeatureName} -> ${d.recordIdentifierFeatureName}`,
      'the record identifier keys every online record and every offline row; it is fixed when the group is created');
  }
  if (d.eventTimeFeatureName !== g.eventTimeFeatureName) {
    refuse('eventTime', `event time ${g.eventTimeFeatureName} -> ${d.eventTimeFeatureName}`,
      'the event time orders every record online and in point-in-time joins; it is fixed when the group is created');
  }
  if (d.online.enabled !== g.onlineStoreConfig.enableOnlineStore) {
    refuse('online.enabled', `online store ${g.onlineStoreConfig.enableOnlineStore ? 'enabled' : 'disabled'} -> ${d.online.enabled ? 'enabled' : 'disabled'}`,
      'a feature group\'s stores are chosen when it is created (as in SageMaker Feature Store)');
  } else if (d.online.enabled && d.online.storageType !== g.onlineStoreConfig.storageType) {
    refuse('online.storageType', `online storage type ${g.onlineStoreConfig.storageType} -> ${d.online.storageType}`,
      'the online storage type is fixed when the group is created');
  }
  if (d.offline.enabled !== g.offlineStoreConfig.enableOfflineStore) {
    refuse('offline.enabled', `offline store ${g.offlineStoreConfig.enableOfflineStore ? 'enabled' : 'disabled'} -> ${d.offline.enabled ? 'enabled' : 'disabled'}`,
      'a feature group\'s stores are chosen when it is created (as in SageMaker Feature Store)');
  } else if (d.offline.enabled && d.offline.tableFormat !== g.offlineStoreConfig.tableFormat) {
    refuse('offline.tableFormat', `table format ${g.offlineStoreConfig.tableFormat} -> ${d.offline.tableFormat}`,
      'the offline table format is fixed when the group is created');
  }

  const wanted = new Map(d.features.map((f) => [f.featureName, f]));
  for (const f of g.features) {
    if (!wanted.has(f.featureName)) {
      refuse(`features.${f.featureName}`, `drop feature ${f.featureName}`,
        'features are never dropped: the offline history holds its values and readers of the group expect the column',
        `keep it in the definitions and stop writing it (it stays empty), or ${NEW_GROUP}`);
    }
  }
  const additions: Change[] = [];
  for (const w of d.features) {
    const f = g.features.find((x) => x.featureName === w.featureName);
    if (!f) {
      additions.push({ kind: 'addFeature', op: '+', feature: toDefinition(w), ...(w.description ? { description: w.description } : {}) });
      continue;
    }
    const before = typeText(f);
    const after = typeText(w);
    if (before !== after) {
      refuse(`features.${w.featureName}`, `retype feature ${w.featureName}: ${before} -> ${after}`,
        'a feature is never retyped: rows already written hold values of the old type, and readers would get both',
        `add a new feature (e.g. ${w.featureName}_v2) with the new type and write both for a while, or ${NEW_GROUP}`);
    }
    const descriptionChange = textChange(f.description, w.description);
    if (descriptionChange) changes.push({ kind: 'setFeatureDescription', featureName: w.featureName, ...descriptionChange });
  }
  // Checked as apply sends them: UpdateFeatureGroup takes at most LIMITS.featureAdditionsPerUpdate at a time.
  const added = additions.map((a) => (a as { feature: FeatureDefinition }).feature);
  for (let i = 0; i < added.length; i += LIMITS.featureAdditionsPerUpdate) {
    const names = [...g.features.map((f) => f.featureName), ...added.slice(0, i).map((f) => f.featureName)];
    prefixErrors(`${field}.features`, () => validateFeatureAdditions(added.slice(i, i + LIMITS.featureAdditionsPerUpdate), names));
  }
  changes.unshift(...additions);

  if (d.online.enabled && g.onlineStoreConfig.enableOnlineStore && !sameTtl(g.onlineStoreConfig.ttlDuration, d.online.ttl)) {
    const from = g.onlineStoreConfig.ttlDuration;
    const to = d.online.ttl;
    changes.push({ kind: 'setTtl', op: !from ? '+' : !to ? '-' : '~', ...(from ? { from } : {}), ...(to ? { to } : {}) });
  }
  const description = textChange(g.description, d.description);
  if (description) changes.push({ kind: 'setDescription', ...description });
  changes.push(...tagChanges(g.tags, d.tags));

  return { featureGroupName: d.featureGroupName, action: changes.length > 0 ? 'update' : 'none', changes, refusals, tags: d.tags };
}

/** `Integral`, `String List`, `Fractional Vector(3)`: what a feature's values are. */
export function typeText(f: DesiredFeature | Feature | FeatureDefinition): string {
  const dimension = 'dimension' in f ? f.dimension : 'collectionConfig' in f ? f.collectionConfig?.vectorConfig.dimension : undefined;
  return `${f.featureType}${f.collectionType ? ` ${f.collectionType}` : ''}${dimension !== undefined ? `(${dimension})` : ''}`;
}

function sameTtl(a: TtlDuration | undefined, b: TtlDuration | undefined): boolean {
  return a?.unit === b?.unit && a?.value === b?.value;
}

/** An empty description is no description. */
function textChange(from: string | undefined, to: string | undefined): { op: '+' | '~' | '-'; from?: string; to?: string } | undefined {
  const a = from || undefined;
  const b = to || undefined;
  if (a === b) return undefined;
  return { op: !a ? '+' : !b ? '-' : '~', ...(a ? { from: a } : {}), ...(b ? { to: b } : {}) };
}

/** Where the maintenance settings are kept in the table's properties (see maintenance/table-properties.ts). */
const SCHEDULE_KEY = TABLE_PROPERTY.schedule;
const RETENTION_KEY = TABLE_PROPERTY.retentionSeconds;

function maintenanceChanges(properties: Record<string, string>, desired: DesiredFeatureGroup['maintenance']): Change[] {
  const changes: Change[] = [];
  const schedule = properties[SCHEDULE_KEY];
  if (schedule !== desired.schedule) {
    changes.push({ kind: 'setSchedule', op: schedule === undefined ? '+' : desired.schedule === undefined ? '-' : '~', ...(schedule !== undefined ? { from: schedule } : {}), ...(desired.schedule !== undefined ? { to: desired.schedule } : {}) });
  }
  const retention = properties[RETENTION_KEY] === undefined ? undefined : Number(properties[RETENTION_KEY]);
  if (retention !== desired.retentionSeconds) {
    const to = desired.retentionSeconds;
    changes.push({ kind: 'setRetention', op: retention === undefined ? '+' : to === undefined ? '-' : '~', ...(retention !== undefined ? { from: retention } : {}), ...(to !== undefined ? { to } : {}) });
  }
  return changes;
}

function tagChanges(current: Tag[], desired: Tag[]): Change[] {
  const have = new Map(current.map((t) => [t.key, t.value]));
  const want = new Map(desired.map((t) => [t.key, t.value]));
  const changes: Change[] = [];
  for (const [key, to] of want) {
    const from = have.get(key);
    if (from === undefined) changes.push({ kind: 'setTag', op: '+', key, to });
    else if (from !== to) changes.push({ kind: 'setTag', op: '~', key, from, to });
  }
  for (const [key, from] of have) if (!want.has(key)) changes.push({ kind: 'setTag', op: '-', key, from });
  return changes;
}

function prefixErrors<T>(field: string, run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    throw new ValidationError(`${field}.${error.message}`, { field: error.field ? `${field}.${error.field}` : field, cause: error });
  }
}
