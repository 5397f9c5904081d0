import { writeFile } from 'node:fs/promises';
import { Command } from 'commander';
import { ValidationError } from '../../domain/index.js';
import { printJson, printTable, withExamples } from '../output.js';
import { toCsv, toJson, writeParquet } from '../query-output.js';
import { withStore, type GlobalOptions } from '../store-options.js';

/** Parses --as-of: a snapshot id (digits) or a time (ISO-8601). */
function parseAsOf(text: string): bigint | string {
  if (/^\d+$/.test(text)) return BigInt(text);
  if (Number.isNaN(Date.parse(text))) throw new ValidationError(`--as-of: '${text}' is neither a snapshot id nor an ISO-8601 time`, { field: 'asOf' });
  return text;
}

const FORMATS = ['table', 'csv', 'json', 'parquet'] as const;
type Format = (typeof FORMATS)[number];
/** Printed tables stop here unless --max-rows says otherwise; files get every row. */
const TABLE_ROWS = 1000;

export function queryCommand(globals: () => GlobalOptions): Command {
  return withExamples(
    new Command('query')
      .description('run read-only SQL over the offline store (each feature group is a table)')
      .argument('<sql>', 'one SELECT statement')
      .option('--as-of <snapshotOrTime>', 'time travel: a snapshot id or an ISO-8601 time')
      .option('--format <format>', `${FORMATS.join(' | ')} (default: table, or json with --json)`)
      .option('--out <file>', 'write the result to this file (required for parquet)')
      .option('--max-rows <n>', `at most this many rows (default: ${TABLE_ROWS} for a printed table, all otherwise)`, (v) => Number(v))
      .action(async (sql: string, opts: { asOf?: string; format?: string; out?: string; maxRows?: number }) => {
        const format = (opts.format ?? (globals().json ? 'json' : 'table')) as Format;
        if (!FORMATS.includes(format)) throw new ValidationError(`--format: '${opts.format}' is not one of ${FORMATS.join(', ')}`, { field: 'format' });
        if (format === 'parquet' && !opts.out) throw new ValidationError('--out: Parquet goes to a file: give --out result.parquet', { field: 'out' });
        if (format === 'table' && opts.out) throw new ValidationError('--out: choose a file format with --format csv|json|parquet', { field: 'out' });
        if (opts.maxRows !== undefined && !(Number.isInteger(opts.maxRows) && opts.maxRows > 0)) {
          throw new ValidationError('--max-rows: must be a whole number above 0', { field: 'maxRows' });
        }
        const maxRows = opts.maxRows ?? (format === 'table' ? TABLE_ROWS : undefined);
        const result = await withStore(globals(), (store) =>
          store.query(sql, { ...(maxRows !== undefined ? { maxRows } : {}), ...(opts.asOf ? { asOf: parseAsOf(opts.asOf) } : {}) }),
        );
        if (format === 'table') {
          printTable(result.rows, result.columns.map((c) => c.name));
          if (result.truncated) console.log(`\n(first ${maxRows} rows; --max-rows for more, or --format csv --out file for all)`);
          return;
        }
        if (format === 'parquet') await writeParquet(result.rows, result.columns, opts.out!);
        else {
          const text = format === 'csv' ? toCsv(result.rows, result.columns) : toJson(result.rows);
          if (!opts.out) return void process.stdout.write(text);
          await writeFile(opts.out, text);
        }
        const summary = { rows: result.rows.length, out: opts.out, format };
        if (globals().json) printJson(summary);
        else console.log(`wrote ${result.rows.length} rows to ${opts.out}`);
      }),
    `floe query 'SELECT user_id, age FROM users WHERE NOT is_deleted ORDER BY user_id'`,
    `floe query 'SELECT * FROM users' --as-of 2025-01-04T00:00:00Z`,
    `floe query 'SELECT * FROM users' --format parquet --out users.parquet`,
    `floe query 'SELECT count(*) AS n FROM users' --format csv`,
  );
}

export function snapshotsCommand(globals: () => GlobalOptions): Command {
  return withExamples(
    new Command('snapshots')
      .description("list the offline table's snapshots of a feature group")
      .argument('<group>', 'feature group name')
      .action(async (group: string) => {
        const snapshots = await withStore(globals(), (store) => store.featureGroup(group).snapshots());
        if (globals().json) return printJson(snapshots);
        printTable(
          snapshots.map((s) => ({
            snapshot: s.snapshotId,
            time: s.timestamp,
            operation: s.operation,
            added: s.summary['added-records'] ?? '',
            total: s.summary['total-records'] ?? '',
            files: s.summary['total-data-files'] ?? '',
          })),
          ['snapshot', 'time', 'operation', 'added', 'total', 'files'],
        );
      }),
    'floe snapshots users',
  );
}
