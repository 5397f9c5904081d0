import type { Table } from 'apache-arrow';
import type { FeatureGroup } from '../domain/index.js';
import { compileToDuckDB, quoteIdentifier } from './duckdb-compiler.js';
import { checkSqlOptions, compileForCluster, type ToSqlOptions } from './dialects.js';
import { DatasetBuilder, type DatasetBase, type DatasetPlan, type DatasetSource } from './plan.js';

/**
 * What the store offers to run datasets in its sandboxed engine, where each feature group is a
 * view of its own name.
 */
export interface DatasetRunner {
  featureGroup(name: string): Promise<FeatureGroup>;
  /** Makes the base selectable; returns its relation SQL, columns and event-time kind. */
  prepareBase(base: DatasetBase, eventTimeFeatureName: string): Promise<{ relation: string; columns: string[]; eventTimeKind: 'number' | 'text' | 'timestamp' }>;
  rows(sql: string): Promise<Array<Record<string, unknown>>>;
  arrow(sql: string): Promise<Table>;
  /** Writes the statement's result to a Parquet or CSV file (by extension) without reading it into JavaScript; returns the rows written. */
  toFile(sql: string, path: string): Promise<number>;
}

const EVENT_TIME_TYPE = { number: 'DOUBLE', text: 'VARCHAR', timestamp: 'TIMESTAMPTZ' } as const;

/** A DatasetSource over a store's DatasetRunner. */
export class RunnerDatasetSource implements DatasetSource {
  constructor(private readonly runner: DatasetRunner) {}

  featureGroup(name: string): Promise<FeatureGroup> {
    return this.runner.featureGroup(name);
  }

  async sql(plan: DatasetPlan, options: ToSqlOptions = {}): Promise<string> {
    const dialect = checkSqlOptions(options);
    const base = await this.runner.prepareBase(plan.base, plan.eventTimeFeatureName);
    // Only the event time's type matters to the compiler; the others are passed through.
    const columns = base.columns.map((name) => ({ name, type: name === plan.eventTimeFeatureName ? EVENT_TIME_TYPE[base.eventTimeKind] : 'ANY' }));
    if (dialect !== 'duckdb') return compileForCluster(plan, dialect, columns, options);
    const groups = Object.fromEntries(plan.groups.map((g) => [g.featureGroupName, quoteIdentifier(g.featureGroupName)]));
    return compileToDuckDB(plan, { base: { from: base.relation, columns }, groups });
  }

  async rows(plan: DatasetPlan): Promise<Array<Record<string, unknown>>> {
    return this.runner.rows(await this.sql(plan));
  }

  async arrow(plan: DatasetPlan): Promise<Table> {
    return this.runner.arrow(await this.sql(plan));
  }

  async toFile(plan: DatasetPlan, path: string): Promise<number> {
    return this.runner.toFile(await this.sql(plan), path);
  }
}

/** The store's entry: `store.createDataset(base, options)`. */
export function newDatasetBuilder(runner: DatasetRunner, base: DatasetBase, options: { recordIdentifierFeatureName: string; eventTimeFeatureName: string }): DatasetBuilder {
  return new DatasetBuilder(new RunnerDatasetSource(runner), { base, ...options });
}
