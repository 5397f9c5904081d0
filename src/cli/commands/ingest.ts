import { Command } from 'commander';
import type { IngestResult } from '../../ingest/bulk-ingest.js';
import { ingestReporter } from '../ingest-progress.js';
import { printJson, withExamples } from '../output.js';
import { withStore, type GlobalOptions } from '../store-options.js';
import { parseTargetStores } from './records.js';

/** How many failed rows the summary lists (all of them are in --json, up to the ingest's own cap). */
const SHOWN_FAILURES = 10;

export function ingestCommand(globals: () => GlobalOptions): Command {
  return withExamples(
    new Command('ingest')
      .description('bulk-ingest a Parquet, CSV or JSON Lines file into a feature group (one offline commit; exit code 2 if rows were refused)')
      .argument('<group>', 'feature group name')
      .argument('<file>', 'a .parquet, .csv or .jsonl file whose columns are features of the group')
      .option('--fail-on-error', 'all or nothing: one bad row and nothing is written')
      .option('--target-stores <stores>', 'OnlineStore, OfflineStore or both, comma-separated')
      .action(async (group: string, file: string, opts: { failOnError?: boolean; targetStores?: string }) => {
        const reporter = ingestReporter();
        const started = Date.now();
        let result: IngestResult;
        try {
          result = await withStore(globals(), (store) =>
            store.featureGroup(group).ingest(file, {
              onProgress: (p) => reporter.onProgress(p),
              ...(opts.failOnError ? { failOnError: true } : {}),
              ...(opts.targetStores ? { targetStores: parseTargetStores(opts.targetStores) } : {}),
            }),
          );
        } finally {
          reporter.stop();
        }
        const seconds = (Date.now() - started) / 1000;
        if (result.rowsFailed > 0) process.exitCode = 2;
        if (globals().json) return printJson({ ...result, seconds });
        console.log(
          `ingested ${result.rowsWritten} of ${result.rowsRead} rows into ${group} in ${seconds.toFixed(1)} s` +
            `${result.snapshotId !== undefined ? ` (snapshot ${result.snapshotId})` : ''}`,
        );
        if (result.rowsFailed === 0) return;
        console.log(`${result.rowsFailed} rows refused (row numbers from 0, header excluded):`);
        for (const f of result.failedRows.slice(0, SHOWN_FAILURES)) console.log(`  row ${f.row}: ${f.reason}`);
        if (result.rowsFailed > SHOWN_FAILURES) console.log(`  ... and ${result.rowsFailed - SHOWN_FAILURES} more (--json lists them)`);
      }),
    'floe ingest users users.parquet',
    'floe ingest users events.csv --fail-on-error',
    'floe --json ingest users events.jsonl | jq .rowsFailed',
  );
}
