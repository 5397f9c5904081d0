import { ValidationError } from '../domain/index.js';
import type { DatasetPlan } from './plan.js';

/** A group's feature and the name it gets in the dataset. */
export interface OutputFeature {
  feature: string;
  name: string;
}

/**
 * Names the dataset's feature columns (the rule is in plan.ts): a feature keeps its name or takes
 * the group's prefix; a name already taken becomes `<featureGroupName>__<feature>`. Engines fold
 * case, so names collide case-insensitively.
 */
export function outputFeatures(plan: DatasetPlan, baseColumns: readonly string[]): OutputFeature[][] {
  const taken = new Set(baseColumns.map((c) => c.toLowerCase()));
  return plan.groups.map((g, i) =>
    g.includedFeatureNames.map((feature) => {
      let name = g.prefix === undefined ? feature : `${g.prefix}${feature}`;
      if (taken.has(name.toLowerCase())) name = `${g.featureGroupName}__${feature}`;
      if (taken.has(name.toLowerCase())) {
        const field = `featureGroups[${i}].includedFeatureNames`;
        throw new ValidationError(`${field}: '${feature}' of '${g.featureGroupName}' collides with column '${name}'; give the group a prefix`, { field });
      }
      taken.add(name.toLowerCase());
      return { feature, name };
    }),
  );
}
