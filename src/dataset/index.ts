/**
 * Point-in-time correct datasets: an engine-independent plan built by `DatasetBuilder`, a DuckDB
 * compiler (and Trino and Spark SQL compilers over the same visitor), and runners (`Dataset`, `DuckDBDatasetSource`; `newDatasetBuilder` for the store).
 */
export {
  DatasetBuilder,
  type DatasetBase,
  type DatasetBuilderOptions,
  type DatasetPlan,
  type DatasetSource,
  type FeatureGroupJoinOptions,
  type GroupJoinPlan,
} from './plan.js';
export { JOIN_COMPARATORS, JOIN_TYPES, parseDuration, type JoinComparator, type JoinType } from './plan-options.js';
export { outputFeatures, type OutputFeature } from './output-columns.js';
export { DatasetSqlCompiler, type DatasetRelations } from './sql-compiler.js';
export { compileToDuckDB, DuckDBDatasetCompiler, isoInstant, epochInstant, type DuckDBRelations } from './duckdb-compiler.js';
export { compileToTrino, TrinoDatasetCompiler } from './trino-compiler.js';
export { compileToSpark, SparkDatasetCompiler } from './spark-compiler.js';
export { SQL_DIALECTS, type SqlDialect, type ToSqlOptions } from './dialects.js';
export { Dataset } from './dataset.js';
export { registerBase, type RegisteredBase } from './duckdb-bases.js';
export { DuckDBDatasetSource, type DuckDBDatasetSourceOptions } from './duckdb-dataset-source.js';
export { newDatasetBuilder, RunnerDatasetSource, type DatasetRunner } from './store-dataset.js';
