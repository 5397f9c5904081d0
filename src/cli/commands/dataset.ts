import { Command } from 'commander';
import { ValidationError } from '../../domain/index.js';
import { printJson, withExamples } from '../output.js';
import { withStore, type GlobalOptions } from '../store-options.js';

const collect = (value: string, previous: string[]) => [...previous, value];

/** `floe dataset`: a point-in-time correct dataset from a base file and feature groups, to a file. */
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
    .requiredOption('--out <file>', 'where to write the dataset (.parquet or .csv)')
    .action(
      async (opts: { base: string; id: string; eventTime: string; featureGroup: string[]; asOf?: string; includeDeleted?: boolean; maxAge?: string; pointInTime: boolean; out: string }) => {
        if (opts.featureGroup.length === 0) throw new ValidationError('--feature-group: give at least one', { field: 'featureGroup' });
        const rows = await withStore(globals(), async (store) => {
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
          return builder.toFile(opts.out);
        });
        if (globals().json) printJson({ rows, out: opts.out });
        else console.log(`wrote ${rows} rows to ${opts.out}`);
      },
    ),
    'floe dataset --base interactions.parquet --id user_id --event-time event_time --feature-group users --out train.parquet',
    'floe dataset --base ids.csv --id uid --event-time at --feature-group users:uid --feature-group spend:uid --max-age 30d --out batch.csv',
  );
}
