import { Command } from 'commander';
import { SQL_DIALECTS, type SqlDialect } from '../../dataset/index.js';
import { ValidationError } from '../../domain/index.js';
import { printJson, withExamples } from '../output.js';
import { withStore, type GlobalOptions } from '../store-options.js';

const collect = (value: string, previous: string[]) => [...previous, value];

/**
 * `floe dataset`: a point-in-time correct dataset from a base file and feature groups, to a file;
 * or, with --sql-dialect, the statement that builds it (for DuckDB, Trino or Spark), printed.
 */
export function datasetCommand(globals: () => GlobalOptions): Command {
  return withExamples(new Command('dataset')
    .description('build a point-in-time correct dataset from a base file (Parquet, CSV, JSON Lines) and feature groups')
    .requiredOption('--base <file>', 'the base (entity) rows')
    .requiredOption('--id <column>', "the base column holding record identifiers")
    .requiredOption('--event-time <column>', "the base column holding each row's event time")
    .option('--feature-group <name[:baseColumn]>', 'a feature group to join (repeatable); :baseColumn when the identifier column differs', collect, [])
    .option('--as-of <time>', 'only records written at or before this time (ISO-8601)')
    .option('--include-deleted', 'ignore delete markers')
    .option('--max-age <duration>', "features older than this at the row's time count as missing (e.g. 30d, 12h)")
    .option('--no-point-in-time', 'join the newest record overall instead of the newest at or before each row')
    .option('--out <file>', 'where to write the dataset (.parquet or .csv)')
    .option('--sql-dialect <dialect>', `print the SQL statement instead of writing the dataset: ${SQL_DIALECTS.join(', ')}`)
    .option('--base-relation <table>', 'with --sql-dialect trino or spark: the table holding the base rows on the cluster')
    .option('--table <group=table>', 'with --sql-dialect trino or spark: the cluster table of a feature group (repeatable; default its name)', collect, [])
    .action(async (opts: DatasetOptions) => {
      if (opts.featureGroup.length === 0) throw new ValidationError('--feature-group: give at least one', { field: 'featureGroup' });
      if (opts.out === undefined && opts.sqlDialect === undefined) throw new ValidationError('--out: give the file to write (or --sql-dialect to print the SQL)', { field: 'out' });
      const result = await withStore(globals(), async (store) => {
        let builder = store.createDataset({ path: opts.base }, { recordIdentifierFeatureName: opts.id, eventTimeFeatureName: opts.eventTime });
        for (const spec of opts.featureGroup) {
          const [name, baseColumn] = spec.split(':') as [string, string | undefined];
          builder = builder.withFeatureGroup(name, {
            ...(baseColumn ? { targetFeatureNameInBase: baseColumn } : {}),
            ...(opts.maxAge ? { maxAge: opts.maxAge } : {}),
          });
        }
        if (opts.pointInTime) builder = builder.pointInTimeAccurateJoin();
        if (opts.includeDeleted) builder = builder.includeDeletedRecords();
        if (opts.asOf) builder = builder.asOf(opts.asOf);
        if (opts.sqlDialect !== undefined) {
          const tables = Object.fromEntries(opts.table.map(tableOption));
          return { sql: await builder.toSQL({ dialect: opts.sqlDialect as SqlDialect, tables, ...(opts.baseRelation ? { baseRelation: opts.baseRelation } : {}) }) };
        }
        return { rows: await builder.toFile(opts.out!) };
      });
      if ('sql' in result) {
        if (globals().json) printJson({ dialect: opts.sqlDialect, sql: result.sql });
        else console.log(result.sql);
      } else if (globals().json) printJson({ rows: result.rows, out: opts.out });
      else console.log(`wrote ${result.rows} rows to ${opts.out}`);
    }),
    'floe dataset --base interactions.parquet --id user_id --event-time event_time --feature-group users --out train.parquet',
    'floe dataset --base ids.csv --id uid --event-time at --feature-group users:uid --feature-group spend:uid --max-age 30d --out batch.csv',
    'floe dataset --base interactions.parquet --id user_id --event-time event_time --feature-group users --sql-dialect trino --base-relation hive.ml.interactions',
  );
}

interface DatasetOptions {
  base: string;
  id: string;
  eventTime: string;
  featureGroup: string[];
  asOf?: string;
  includeDeleted?: boolean;
  maxAge?: string;
  pointInTime: boolean;
  out?: string;
  sqlDialect?: string;
  baseRelation?: string;
  table: string[];
}

function tableOption(spec: string): [string, string] {
  const at = spec.indexOf('=');
  if (at <= 0 || at === spec.length - 1) throw new ValidationError(`--table: '${spec}' must be group=table`, { field: 'table' });
  return [spec.slice(0, at), spec.slice(at + 1)];
}
