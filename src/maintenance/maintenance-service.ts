import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { NotFoundError, parseOrThrow, recordIdToString, ValidationError, type FeatureGroup } from '../domain/index.js';
import { epochInstant, isoInstant } from '../dataset/index.js';
import type { IcebergTable, OfflineStore } from '../offline/index.js';
import type { OnlineStore } from '../online/online-store.js';
import { quoteIdentifier } from '../query/index.js';
import type { JobRun, Registry } from '../registry/registry.js';
import { LeaseManager, type LeaseOptions } from './table-lease.js';
import { optimizeTable, type OptimizeHooks } from './optimize.js';
import { removeRows } from './row-removal.js';
import {
  ListJobsInputSchema,
  OptimizeInputSchema,
  PurgeInputSchema,
  RetentionInputSchema,
  RunJobInputSchema,
  TablePropertiesSchema,
  VacuumInputSchema,
  type JobInfo,
  type JobKind,
  type JobTrigger,
  type ListJobsInput,
  type OptimizeResult,
  type PurgeInput,
  type PurgeResult,
  type RowRemovalResult,
  type RunJobInput,
  type VacuumResult,
} from './schemas.js';
import { directoryStats, liveDataStats, type FileStats } from './table-stats.js';
import { normaliseProperties, numberProperty, PROPERTY, storedKey } from './table-properties.js';
import { vacuumTable } from './vacuum.js';

export interface MaintenanceDeps {
  registry: Registry;
  offline: OfflineStore;
  online: OnlineStore;
  describeGroup(name: string): Promise<FeatureGroup>;
  /** Commits every acknowledged write of the group to the offline store. */
  flush(group: string): Promise<void>;
  lease?: LeaseOptions;
}

export interface RunOptions {
  /** Recorded with the run (default 'manual'). */
  trigger?: JobTrigger;
  /** The run's id (default: a new UUID). */
  runId?: string;
}

/** Online hard deletes carry the latest possible event time, so no stored record is newer. */
const LATEST_MICROS = Number.MAX_SAFE_INTEGER;

/**
 * Table maintenance of the offline store: compaction, vacuum, retention, privacy purges and
 * table properties. Every run holds the table's lease (one run per table across every process
 * sharing the registry) and is recorded as a job run with its trigger, timing, and the table's
 * files and bytes before and after.
 */
export class MaintenanceService {
  readonly leases: LeaseManager;

  constructor(private readonly deps: MaintenanceDeps) {
    this.leases = new LeaseManager(deps.registry, deps.lease);
  }

  async optimize(group: string, input: unknown = {}, options: RunOptions & { hooks?: OptimizeHooks } = {}): Promise<OptimizeResult> {
    const parsed = parseOrThrow(OptimizeInputSchema, input ?? {});
    return this.run(
      group,
      'optimize',
      options,
      'data',
      (table, fg) => optimizeTable(this.deps.offline, table.name, parsed, options.hooks, [fg.recordIdentifierFeatureName, fg.eventTimeFeatureName]),
      parsed,
    );
  }

  async vacuum(group: string, input: unknown = {}, options: RunOptions = {}): Promise<VacuumResult> {
    const parsed = parseOrThrow(VacuumInputSchema, input ?? {});
    return this.run(group, 'vacuum', options, 'directory', (table) => vacuumTable(this.deps.offline, table.name, parsed), parsed);
  }

  /**
   * Removes rows whose event time is older than the retention period (`retentionSeconds`, else
   * the table property `offline_retention_seconds`) as one `overwrite` snapshot.
   */
  async retention(group: string, input: unknown = {}, options: RunOptions = {}): Promise<RowRemovalResult & { cutoff: string }> {
    const parsed = parseOrThrow(RetentionInputSchema, input ?? {});
    const { group: fg, table } = await this.open(group);
    const seconds = parsed.retentionSeconds ?? numberProperty(table.metadata.properties, PROPERTY.retentionSeconds);
    if (seconds === undefined) {
      throw new ValidationError(`retentionSeconds: feature group '${fg.featureGroupName}' has no retention period (set the table property offline_retention_seconds)`, {
        field: 'retentionSeconds',
      });
    }
    return this.run(group, 'retention', options, 'data', async (t) => {
      const cutoffMicros = (Date.now() - seconds * 1000) * 1000;
      await this.deps.flush(fg.featureGroupName);
      const result = await removeRows(this.deps.offline, t.name, `${eventInstant(fg)} < make_timestamptz(${cutoffMicros})`, { 'floe.maintenance': 'retention' });
      return { ...result, cutoff: new Date(cutoffMicros / 1000).toISOString() };
    }, { retentionSeconds: seconds });
  }

  /**
   * Privacy delete: every row of these identifiers leaves the offline table (copy-on-write, one
   * snapshot) and the online store. The old files stay readable by time travel until VACUUM
   * expires the snapshots that reference them; then their bytes are gone.
   */
  async purge(group: string, input: PurgeInput, options: RunOptions = {}): Promise<PurgeResult> {
    const parsed = parseOrThrow(PurgeInputSchema, input);
    return this.run(group, 'purge', options, 'data', async (table, fg) => {
      const ids = parsed.recordIdentifiers.map((id, i) => recordIdToString(fg, id, `recordIdentifiers[${i}]`));
      await this.deps.flush(fg.featureGroupName);
      const column = `CAST(${quoteIdentifier(fg.recordIdentifierFeatureName)} AS VARCHAR)`;
      const list = ids.map((id) => `'${id.replaceAll("'", "''")}'`).join(', ');
      const offline = await removeRows(this.deps.offline, table.name, `${column} IN (${list})`, { 'floe.maintenance': 'purge' });
      let onlineDeletedCount = 0;
      if (fg.onlineStoreConfig.enableOnlineStore) {
        for (const id of ids) if ((await this.deps.online.delete(fg.featureGroupName, id, LATEST_MICROS, 'HardDelete')) === 'deleted') onlineDeletedCount++;
      }
      return { ...offline, onlineDeletedCount };
    }, { recordIdentifiersCount: parsed.recordIdentifiers.length });
  }

  /** Sets table properties (Athena's names accepted, see table-properties.ts); returns every property after. */
  async setTableProperties(group: string, input: unknown): Promise<Record<string, string>> {
    const parsed = parseOrThrow(TablePropertiesSchema, input, 'properties');
    const properties = normaliseProperties(parsed);
    const { table } = await this.open(group);
    await table.setProperties(properties);
    return { ...table.metadata.properties };
  }

  /** ALTER TABLE ... UNSET TBLPROPERTIES: the names given (Athena's accepted) fall back to their defaults. */
  async unsetTableProperties(group: string, names: string[]): Promise<Record<string, string>> {
    const keys = parseOrThrow(z.array(z.string().min(1)).min(1, 'name at least one property'), names, 'properties').map(storedKey);
    const { table } = await this.open(group);
    await table.setProperties({}, keys);
    return { ...table.metadata.properties };
  }

  async tableProperties(group: string): Promise<Record<string, string>> {
    const { table } = await this.open(group);
    return { ...table.metadata.properties };
  }

  /**
   * Starts a run (by hand, or for the scheduler) and returns its record, failed runs included;
   * input the run refuses before starting (no such group, a run in progress) throws instead.
   */
  async runJob(input: RunJobInput, trigger: JobTrigger = 'manual'): Promise<JobInfo> {
    const parsed = parseOrThrow(RunJobInputSchema, input);
    const options = { trigger, runId: randomUUID() };
    const started = { value: false };
    const tracked = { ...options, onStart: () => (started.value = true) };
    try {
      if (parsed.kind === 'optimize') await this.optimize(parsed.featureGroupName, parsed.optimize ?? {}, tracked);
      else if (parsed.kind === 'vacuum') await this.vacuum(parsed.featureGroupName, parsed.vacuum ?? {}, tracked);
      else await this.retention(parsed.featureGroupName, parsed.retention ?? {}, tracked);
    } catch (error) {
      if (!started.value) throw error;
    }
    return this.job(options.runId, parsed.featureGroupName);
  }

  async listJobs(input: ListJobsInput = {}): Promise<JobInfo[]> {
    const query = parseOrThrow(ListJobsInputSchema, input ?? {});
    if (query.featureGroupName) query.featureGroupName = (await this.deps.describeGroup(query.featureGroupName)).featureGroupName;
    return (await this.deps.registry.listJobRuns(query)).map(toJobInfo);
  }

  private async job(id: string, group: string): Promise<JobInfo> {
    const name = (await this.deps.describeGroup(group)).featureGroupName;
    const run = (await this.deps.registry.listJobRuns({ featureGroupName: name, limit: 50 })).find((r) => r.id === id);
    if (!run) throw new NotFoundError(`job run ${id} was not recorded`);
    return toJobInfo(run);
  }

  private async open(name: string): Promise<{ group: FeatureGroup; table: IcebergTable }> {
    const group = await this.deps.describeGroup(name);
    if (!group.offlineStoreConfig.enableOfflineStore) {
      throw new ValidationError(`featureGroupName: feature group '${group.featureGroupName}' has no offline store to maintain`, { field: 'featureGroupName' });
    }
    if (group.featureGroupStatus !== 'Created') {
      throw new ValidationError(`featureGroupName: feature group '${group.featureGroupName}' is ${group.featureGroupStatus}`, { field: 'featureGroupName' });
    }
    const table = await this.deps.offline.openTable(group.featureGroupName);
    await table.refresh();
    return { group, table };
  }

  private async run<T extends object>(
    name: string,
    kind: JobKind,
    options: RunOptions & { onStart?: () => void },
    stats: 'data' | 'directory',
    body: (table: IcebergTable, group: FeatureGroup) => Promise<T>,
    input?: Record<string, unknown>,
  ): Promise<T> {
    const { group, table } = await this.open(name);
    const lease = await this.leases.acquire(`maintenance:${group.featureGroupName.toLowerCase()}`);
    const measure = async (): Promise<FileStats> => {
      await table.refresh();
      return stats === 'data' ? liveDataStats(table) : directoryStats(this.deps.offline.io, table);
    };
    try {
      await this.markInterrupted(group.featureGroupName);
      const before = await measure();
      const startedAt = new Date();
      const run: JobRun = {
        id: options.runId ?? randomUUID(),
        featureGroupName: group.featureGroupName,
        kind,
        status: 'running',
        trigger: options.trigger ?? 'manual',
        startedAt,
        filesBefore: before.files,
        bytesBefore: before.bytes,
        details: input && Object.keys(input).length > 0 ? { input } : {},
      };
      await this.deps.registry.recordJobRun(run);
      options.onStart?.();
      try {
        const result = await body(table, group);
        const after = await measure();
        const finishedAt = new Date();
        await this.deps.registry.recordJobRun({
          ...run,
          status: 'succeeded',
          finishedAt,
          durationMs: finishedAt.getTime() - startedAt.getTime(),
          filesAfter: after.files,
          bytesAfter: after.bytes,
          details: { ...run.details, result },
        });
        return result;
      } catch (error) {
        const finishedAt = new Date();
        const after = await measure().catch(() => undefined);
        await this.deps.registry.recordJobRun({
          ...run,
          status: 'failed',
          finishedAt,
          durationMs: finishedAt.getTime() - startedAt.getTime(),
          ...(after ? { filesAfter: after.files, bytesAfter: after.bytes } : {}),
          error: (error as Error).message,
        });
        throw error;
      }
    } finally {
      await lease.release();
    }
  }

  /** Runs still 'running' when we hold the table's lease were cut short (their process died). */
  private async markInterrupted(group: string): Promise<void> {
    for (const run of await this.deps.registry.listJobRuns({ featureGroupName: group, status: 'running', limit: 100 })) {
      const finishedAt = new Date();
      await this.deps.registry.recordJobRun({
        ...run,
        status: 'failed',
        finishedAt,
        durationMs: finishedAt.getTime() - run.startedAt.getTime(),
        error: 'interrupted: the process running it stopped before it finished (the table is as before; VACUUM removes any files it left)',
      });
    }
  }
}

function eventInstant(group: FeatureGroup): string {
  const def = group.features.find((f) => f.featureName === group.eventTimeFeatureName);
  if (!def) throw new NotFoundError(`eventTimeFeatureName: '${group.eventTimeFeatureName}' is not a feature of '${group.featureGroupName}'`);
  const column = quoteIdentifier(group.eventTimeFeatureName);
  return def.featureType === 'Fractional' ? epochInstant(column) : isoInstant(column);
}

export function toJobInfo(run: JobRun): JobInfo {
  const info: JobInfo = {
    id: run.id,
    kind: run.kind,
    status: run.status,
    startedAt: run.startedAt.toISOString(),
    result: (run.details.result as Record<string, unknown> | undefined) ?? {},
  };
  if (run.featureGroupName !== undefined) info.featureGroupName = run.featureGroupName;
  if (run.trigger !== undefined) info.trigger = run.trigger;
  if (run.finishedAt) info.finishedAt = run.finishedAt.toISOString();
  for (const key of ['durationMs', 'filesBefore', 'filesAfter', 'bytesBefore', 'bytesAfter'] as const) if (run[key] !== undefined) info[key] = run[key];
  if (run.error !== undefined) info.error = run.error;
  return info;
}
