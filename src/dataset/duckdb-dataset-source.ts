import type { DuckDBConnection } from '@duckdb/node-api';
import type { Table } from 'apache-arrow';
import { NotFoundError, type FeatureGroup } from '../domain/index.js';
import { Dataset } from './dataset.js';
import { registerBase } from './duckdb-bases.js';
import { compileToDuckDB } from './duckdb-compiler.js';
import { checkSqlOptions, compileForCluster, type ToSqlOptions } from './dialects.js';
import type { DatasetPlan, DatasetSource } from './plan.js';

export interface DuckDBDatasetSourceOptions {
  /** Each feature group's offline rows, by name, as a FROM expression (a view, `read_parquet([...])`). */
  groups: Readonly<Record<string, string>>;
  /** Describes groups given to `withFeatureGroup` by name. */
  featureGroups?: ReadonlyArray<FeatureGroup> | ((name: string) => Promise<FeatureGroup>);
}

/**
 * Runs dataset plans on a DuckDB connection: registers the base, compiles the plan against the
 * given group relations and runs it. A base given as rows or Arrow lives in a temporary table
 * for the duration of one call.
 */
export class DuckDBDatasetSource implements DatasetSource {
  constructor(
    private readonly connection: DuckDBConnection,
    private readonly options: DuckDBDatasetSourceOptions,
  ) {}

  async featureGroup(name: string): Promise<FeatureGroup> {
    const known = this.options.featureGroups;
    if (typeof known === 'function') return known(name);
    const found = known?.find((g) => g.featureGroupName === name);
    if (!found) throw new NotFoundError(`featureGroupName: feature group '${name}' is not known to this dataset source`, { field: 'featureGroupName' });
    return found;
  }

  async sql(plan: DatasetPlan, options: ToSqlOptions = {}): Promise<string> {
    const dialect = checkSqlOptions(options);
    if (dialect === 'duckdb') return this.with(plan, async (dataset) => dataset.toSQL());
    const base = await registerBase(this.connection, plan.base, this.options.groups);
    try {
      return compileForCluster(plan, dialect, base.columns, options);
    } finally {
      await base.release();
    }
  }

  rows(plan: DatasetPlan): Promise<Array<Record<string, unknown>>> {
    return this.with(plan, (dataset) => dataset.rows());
  }

  arrow(plan: DatasetPlan): Promise<Table> {
    return this.with(plan, (dataset) => dataset.arrow());
  }

  toFile(plan: DatasetPlan, path: string): Promise<number> {
    return this.with(plan, (dataset) => dataset.toFile(path));
  }

  private async with<T>(plan: DatasetPlan, body: (dataset: Dataset) => Promise<T>): Promise<T> {
    const base = await registerBase(this.connection, plan.base, this.options.groups);
    try {
      const sql = compileToDuckDB(plan, { base, groups: this.options.groups });
      return await body(new Dataset(this.connection, sql));
    } finally {
      await base.release();
    }
  }
}
