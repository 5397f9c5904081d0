import { Command } from 'commander';
import { ValidationError } from '../../domain/index.js';
import type { JobInfo } from '../../maintenance/index.js';
import { printJson, printTable } from '../output.js';
import { withStore, type GlobalOptions } from '../store-options.js';

const wholeNumber = (flag: string) => (text: string) => {
  if (!/^\d+$/.test(text)) throw new ValidationError(`${flag}: '${text}' is not a whole number`, { field: flag });
  return Number(text);
};

function printResult(result: object, json: boolean | undefined): void {
  if (json) return printJson(result);
  printTable(Object.entries(result).map(([key, value]) => ({ key, value })), ['key', 'value']);
}

export function optimizeCommand(globals: () => GlobalOptions): Command {
  return new Command('optimize')
    .description("compact a group's offline table: small files rewritten into few (bin-pack), one replace snapshot, manifests merged")
    .argument('<group>', 'feature group name')
    .option('--target-file-size-bytes <n>', 'aim output files at this size (default: the table property, else 512 MiB)', wholeNumber('--target-file-size-bytes'))
    .option('--sort-by <columns>', 'sort rewritten files by these comma-separated columns, e.g. user_id,event_time')
    .action(async (group: string, opts: { targetFileSizeBytes?: number; sortBy?: string }) => {
      const result = await withStore(globals(), (store) =>
        store.featureGroup(group).optimize({
          ...(opts.targetFileSizeBytes === undefined ? {} : { targetFileSizeBytes: opts.targetFileSizeBytes }),
          ...(opts.sortBy ? { sortBy: opts.sortBy.split(',').map((c) => c.trim()) } : {}),
        }),
      );
      printResult(result, globals().json);
    });
}

export function vacuumCommand(globals: () => GlobalOptions): Command {
  return new Command('vacuum')
    .description("expire old snapshots of a group's offline table and delete the files nothing references")
    .argument('<group>', 'feature group name')
    .option('--min-snapshots-to-keep <n>', 'default: vacuum_min_snapshots_to_keep, else 1', wholeNumber('--min-snapshots-to-keep'))
    .option('--max-snapshot-age-seconds <n>', 'default: vacuum_max_snapshot_age_seconds, else 5 days', wholeNumber('--max-snapshot-age-seconds'))
    .option('--orphan-older-than-seconds <n>', 'remove unreferenced files older than this (default 3 days)', wholeNumber('--orphan-older-than-seconds'))
    .option('--keep-every-snapshot', 'expire by age only: no thinning to one snapshot a minute past 10 minutes, an hour past a day (default: vacuum_thin_snapshots)')
    .action(async (group: string, opts: { minSnapshotsToKeep?: number; maxSnapshotAgeSeconds?: number; orphanOlderThanSeconds?: number; keepEverySnapshot?: boolean }) => {
      const { keepEverySnapshot, ...input } = opts;
      const result = await withStore(globals(), (store) => store.featureGroup(group).vacuum({ ...input, ...(keepEverySnapshot ? { thinSnapshots: false } : {}) }));
      printResult(result, globals().json);
    });
}

export function jobsCommand(globals: () => GlobalOptions): Command {
  return new Command('jobs')
    .description('list maintenance runs (newest first), or start one with --run')
    .option('--group <name>', 'only this feature group (required with --run)')
    .option('--kind <kind>', 'only runs of this kind: optimize, vacuum, retention, purge')
    .option('--status <status>', 'only runs with this status: running, succeeded, failed')
    .option('--limit <n>', 'at most this many runs', wholeNumber('--limit'), 20)
    .option('--run <kind>', 'run optimize, vacuum or retention on --group now and print its record')
    .action(async (opts: { group?: string; kind?: string; status?: string; limit: number; run?: string }) => {
      if (opts.run !== undefined) {
        if (!opts.group) throw new ValidationError('--group: which feature group to run on', { field: 'group' });
        const job = await withStore(globals(), (store) => store.runJob({ featureGroupName: opts.group!, kind: opts.run as 'optimize' }));
        if (globals().json) printJson(job);
        else printJobs([job]);
        if (job.status === 'failed') process.exitCode = 1;
        return;
      }
      const jobs = await withStore(globals(), (store) =>
        store.listJobs({
          limit: opts.limit,
          ...(opts.group ? { featureGroupName: opts.group } : {}),
          ...(opts.kind ? { kind: opts.kind as 'optimize' } : {}),
          ...(opts.status ? { status: opts.status as 'running' } : {}),
        }),
      );
      if (globals().json) return printJson(jobs);
      printJobs(jobs);
    });
}

function printJobs(jobs: JobInfo[]): void {
  printTable(
    jobs.map((j) => ({
      id: j.id,
      kind: j.kind,
      group: j.featureGroupName ?? '',
      trigger: j.trigger ?? '',
      status: j.status,
      started: j.startedAt,
      ms: j.durationMs ?? '',
      files: j.filesBefore === undefined ? '' : `${j.filesBefore} -> ${j.filesAfter ?? '?'}`,
      bytes: j.bytesBefore === undefined ? '' : `${j.bytesBefore} -> ${j.bytesAfter ?? '?'}`,
      error: j.error ?? '',
    })),
    ['id', 'kind', 'group', 'trigger', 'status', 'started', 'ms', 'files', 'bytes', 'error'],
  );
}
