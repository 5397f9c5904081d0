/** Point-in-time correct datasets: a plan, a DuckDB compiler, and the builder users drive. */
export type { DatasetPlan, GroupJoin } from './plan.js';
export { compileToDuckDB } from './duckdb-compiler.js';
export { DatasetBuilder, newDatasetBuilder, type DatasetBase, type DatasetRunner, type FeatureGroupJoinOptions } from './dataset-builder.js';
