import { LIMITS, ValidationError, type FeatureGroup, type UpdateFeatureGroupInput } from '../domain/index.js';
import type { CreateFeatureGroupInput, UpdateFeatureMetadataInput } from '../domain/index.js';
import { planHasRefusals, type Change, type Plan } from './plan.js';

/** What apply needs of a store: the control plane calls, in-process or over HTTP alike. */
export interface DefinitionsTarget {
  createFeatureGroup(input: CreateFeatureGroupInput): Promise<FeatureGroup>;
  updateFeatureGroup(input: UpdateFeatureGroupInput): Promise<FeatureGroup>;
  updateFeatureMetadata(input: UpdateFeatureMetadataInput): Promise<unknown>;
  /** Table properties hold the maintenance settings; a store without them cannot apply those. */
  featureGroup(name: string): object;
}

interface TableProperties {
  setTableProperties(properties: Record<string, string>): Promise<unknown>;
  unsetTableProperties(names: string[]): Promise<unknown>;
}

/** SageMaker's limit on features added by one UpdateFeatureGroup call. */
const ADDITIONS_PER_CALL = LIMITS.featureAdditionsPerUpdate;

/**
 * Makes a plan's changes, group by group. A plan with refusals is refused whole, before
 * anything changes. Each group takes few calls: one create (or one update for its settings and
 * one per hundred new features), then one per feature description.
 */
export async function applyPlan(plan: Plan, target: DefinitionsTarget): Promise<void> {
  if (planHasRefusals(plan)) {
    const first = plan.groups.flatMap((g) => g.refusals)[0]!;
    throw new ValidationError(`${first.field}: ${first.change} is refused: ${first.reason}; ${first.instead}`, { field: first.field });
  }
  for (const g of plan.groups) {
    const name = g.featureGroupName;
    const described: Array<{ featureName: string; description: string }> = [];
    const additions: Array<Extract<Change, { kind: 'addFeature' }>> = [];
    const update: UpdateFeatureGroupInput = { featureGroupName: name };
    const setProperties: Record<string, string> = {};
    const unsetProperties: string[] = [];
    for (const c of g.changes) {
      if (c.kind === 'createGroup') {
        await target.createFeatureGroup(c.input);
        described.push(...c.featureDescriptions);
      } else if (c.kind === 'addFeature') {
        additions.push(c);
        if (c.description) described.push({ featureName: c.feature.featureName, description: c.description });
      } else if (c.kind === 'setTtl') {
        update.onlineStoreConfig = { ttlDuration: c.to ?? null };
      } else if (c.kind === 'setDescription') {
        update.description = c.to ?? '';
      } else if (c.kind === 'setTag') {
        update.tags = g.tags;
      } else if (c.kind === 'setSchedule') {
        if (c.to === undefined) unsetProperties.push('maintenance_schedule');
        else setProperties.maintenance_schedule = c.to;
      } else if (c.kind === 'setRetention') {
        if (c.to === undefined) unsetProperties.push('offline_retention_seconds');
        else setProperties.offline_retention_seconds = String(c.to);
      } else {
        described.push({ featureName: c.featureName, description: c.to ?? '' });
      }
    }
    for (let i = 0; i < Math.max(additions.length, 1); i += ADDITIONS_PER_CALL) {
      const batch = additions.slice(i, i + ADDITIONS_PER_CALL).map((a) => a.feature);
      const call: UpdateFeatureGroupInput = i === 0 ? { ...update } : { featureGroupName: name };
      if (batch.length > 0) call.featureAdditions = batch;
      if (Object.keys(call).length > 1) await target.updateFeatureGroup(call);
    }
    for (const d of described) await target.updateFeatureMetadata({ featureGroupName: name, featureName: d.featureName, description: d.description });
    const tables = target.featureGroup(name) as Partial<TableProperties>;
    if (Object.keys(setProperties).length > 0 || unsetProperties.length > 0) {
      if (!tables.setTableProperties || !tables.unsetTableProperties) {
        throw new ValidationError(`${name}: this store cannot set maintenance settings (table properties)`, { field: 'maintenance' });
      }
      if (Object.keys(setProperties).length > 0) await tables.setTableProperties(setProperties);
      if (unsetProperties.length > 0) await tables.unsetTableProperties(unsetProperties);
    }
  }
}
