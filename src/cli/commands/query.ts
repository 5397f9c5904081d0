import { Command } from 'commander';
import { ValidationError } from '../../domain/index.js';
import { printJson, printTable } from '../output.js';
import { withStore, type GlobalOptions } from '../store-options.js';

/** Parses --as-of: a snapshot id (digits) or a time (ISO-8601). */
function parseAsOf(text: string): bigint | string {
  if (/^\d+$/.test(text)) return BigInt(text);
  if (Number.isNaN(Date.parse(text))) throw new ValidationError(`--as-of: '${text}' is neither a snapshot id nor an ISO-8601 time`, { field: 'asOf' });
  return text;
}

export function queryCommand(globals: () => GlobalOptions): Command {
  return new Command('query')
    .description('run read-only SQL over the offline store (each feature group is a table)')
    .argument('<sql>', 'a SELECT statement, e.g. \'SELECT * FROM "users" WHERE is_deleted = false\'')
    .option('--as-of <snapshotOrTime>', 'time travel: a snapshot id or an ISO-8601 time')
    .option('--max-rows <n>', 'print at most this many rows', (v) => Number(v), 1000)
    .action(async (sql: string, opts: { asOf?: string; maxRows: number }) => {
      const result = await withStore(globals(), (store) =>
        store.query(sql, { maxRows: opts.maxRows, ...(opts.asOf ? { asOf: parseAsOf(opts.asOf) } : {}) }),
      );
      if (globals().json) return printJson(result.rows);
      printTable(result.rows, result.columns.map((c) => c.name));
    });
}

export function snapshotsCommand(globals: () => GlobalOptions): Command {
  return new Command('snapshots')
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
    });
}
