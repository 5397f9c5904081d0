/** Declarative feature group definitions: parse them, plan the changes against the store, apply them. */
export { defineFeatureGroups, parseDefinitions, parseTtl, type FeatureDefinitionsDocument, type FeatureGroupSpec, type FeatureSpec, type DesiredFeatureGroup } from './definition.js';
export { planChanges, planHasChanges, planHasRefusals, type Change, type GroupPlan, type Plan, type Refusal } from './plan.js';
export { renderPlan, ansi, plain, type Palette } from './render.js';
export { applyPlan, type DefinitionsTarget } from './apply.js';
export { loadDefinitions } from './load.js';
