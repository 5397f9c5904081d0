import { LIMITS, ValidationError, type FeatureGroup, type UpdateFeatureGroupInput } from '../domain/index.js';
import type { CreateFeatureGroupInput, UpdateFeatureMetadataInput } from '../domain/index.js';
import { planHasRefusals, type Change, type Plan } from './plan.js';

/** What apply needs of a store: the control plane calls, in-process or over HTTP alike. */
export interface DefinitionsTarget {
  createFeatureGroup(input: CreateFeatureGroupInput): Promise<FeatureGroup>;
  updateFeatureGroup(input: UpdateFeatureGroupInput): Promise<FeatureGroup>;
  updateFeatureMetadata(input: UpdateFeatureMetadataInput): Promise<unknown>;
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
  }
}
