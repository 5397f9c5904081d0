import { Cron } from 'croner';
import { ResourceInUseError } from '../domain/index.js';
import type { OfflineStore, Snapshot } from '../offline/index.js';
import type { Registry } from '../registry/registry.js';
import type { MaintenanceService } from './maintenance-service.js';
import type { JobTrigger } from './schemas.js';
import { thinnedSnapshotIds } from './snapshot-thinning.js';
import { booleanProperty, DEFAULTS, normaliseProperties, numberProperty, PROPERTY } from './table-properties.js';

/** Least time between two counts of a group's expirable snapshots (the count walks them all). */
const EXPIRABLE_CHECK_INTERVAL_MS = 10_000;

export interface SchedulerOptions {
  /** Cron expression (UTC) for groups without a `maintenance_schedule` property; 'off' for none. Default: every 6 hours. */
  defaultSchedule?: string;
  /** Small files that start an automatic optimize, for groups without `maintenance_small_file_threshold` (default 100; 0: off). */
  smallFileThreshold?: number;
  /**
   * Snapshots a vacuum would expire (thinned or past the maximum age) that start an automatic
   * vacuum (default 500; 0: off). Streaming commits come several a second, and every commit
   * rewrites the metadata listing each kept snapshot: the 6-hourly vacuum alone lets it grow.
   */
  expirableSnapshotThreshold?: number;
  /** Least time between two automatic runs on one group (default 60 s). */
  autoCooldownMs?: number;
  /** How often schedules are re-read from the groups' table properties (default 30 s). */
  reconcileIntervalMs?: number;
  /** Told of failed or skipped runs (the failures are in the job history as well). */
  log?: (event: { group: string; kind: string; trigger: JobTrigger; outcome: 'succeeded' | 'failed' | 'skipped'; message?: string }) => void;
}

/**
 * Runs maintenance by itself: per group, optimize then vacuum (then retention, when the group
 * has a retention period) on the group's cron schedule, an automatic optimize when a commit
 * leaves too many small files, and an automatic vacuum when enough snapshots could be expired.
 * The small-file check reads the snapshot summary only (file count and total size: the average
 * tells small files from large ones); the snapshot count walks the in-memory list, every 10 s.
 * Runs go through the service, so they hold the table's lease and are recorded.
 */
export class MaintenanceScheduler {
  private readonly crons = new Map<string, { pattern: string; cron: Cron }>();
  private readonly running = new Map<string, Promise<void>>();
  private readonly lastAutomatic = new Map<string, number>();
  private readonly lastExpirableCheck = new Map<string, number>();
  private reconcileTimer?: NodeJS.Timeout;
  private unsubscribe?: () => void;
  private stopped = false;

  constructor(
    private readonly service: MaintenanceService,
    private readonly deps: { registry: Pick<Registry, 'allFeatureGroups'>; offline: OfflineStore },
    private readonly options: SchedulerOptions = {},
  ) {
    if (options.defaultSchedule !== undefined) normaliseProperties({ maintenance_schedule: options.defaultSchedule });
  }

  async start(): Promise<void> {
    this.unsubscribe = this.deps.offline.onAppend((group, snapshot, properties, snapshots) => this.afterCommit(group, snapshot, properties, snapshots));
    await this.reconcile();
    this.reconcileTimer = setInterval(() => void this.reconcile().catch(() => undefined), this.options.reconcileIntervalMs ?? 30_000);
    this.reconcileTimer.unref();
  }

  /** Groups and their schedules now (for status pages and tests). */
  schedules(): Array<{ featureGroupName: string; schedule: string; nextRun?: string }> {
    return [...this.crons].map(([featureGroupName, { pattern, cron }]) => {
      const next = cron.nextRun();
      return { featureGroupName, schedule: pattern, ...(next ? { nextRun: next.toISOString() } : {}) };
    });
  }

  /** Reads every group's schedule and (re)arms its cron. */
  async reconcile(): Promise<void> {
    if (this.stopped) return;
    const groups = (await this.deps.registry.allFeatureGroups()).filter((g) => g.offlineStoreConfig.enableOfflineStore && g.featureGroupStatus === 'Created');
    const seen = new Set<string>();
    for (const group of groups) {
      const name = group.featureGroupName;
      seen.add(name);
      let pattern: string;
      try {
        pattern = (await this.service.tableProperties(name))[PROPERTY.schedule] ?? this.options.defaultSchedule ?? DEFAULTS.schedule;
      } catch {
        continue; // a group being deleted or created; next time
      }
      const current = this.crons.get(name);
      if (current?.pattern === pattern) continue;
      current?.cron.stop();
      this.crons.delete(name);
      if (pattern === 'off') continue;
      const cron = new Cron(pattern, { timezone: 'UTC', protect: true }, () => this.runScheduled(name, 'schedule'));
      this.crons.set(name, { pattern, cron });
    }
    for (const [name, { cron }] of this.crons) {
      if (!seen.has(name)) {
        cron.stop();
        this.crons.delete(name);
      }
    }
  }

  /** Optimize, vacuum, then retention when the group has a period; one sequence per group at a time. */
  runScheduled(group: string, trigger: JobTrigger): Promise<void> {
    const existing = this.running.get(group);
    if (existing) {
      this.options.log?.({ group, kind: 'maintenance', trigger, outcome: 'skipped', message: 'a run is in progress' });
      return existing;
    }
    const run = (async () => {
      await this.attempt(group, 'optimize', trigger, () => this.service.optimize(group, {}, { trigger }));
      await this.attempt(group, 'vacuum', trigger, () => this.service.vacuum(group, {}, { trigger }));
      const properties = await this.service.tableProperties(group).catch(() => ({}) as Record<string, string>);
      if (properties[PROPERTY.retentionSeconds] !== undefined) await this.attempt(group, 'retention', trigger, () => this.service.retention(group, {}, { trigger }));
    })().finally(() => this.running.delete(group));
    this.running.set(group, run);
    return run;
  }

  private async attempt(group: string, kind: string, trigger: JobTrigger, body: () => Promise<unknown>): Promise<void> {
    if (this.stopped) return;
    try {
      await body();
      this.options.log?.({ group, kind, trigger, outcome: 'succeeded' });
    } catch (error) {
      const skipped = error instanceof ResourceInUseError;
      this.options.log?.({ group, kind, trigger, outcome: skipped ? 'skipped' : 'failed', message: (error as Error).message });
    }
  }

  /**
   * After a commit: an automatic optimize when the table holds too many small files (read from the
   * snapshot summary), then an automatic vacuum when enough snapshots could be expired.
   */
  private afterCommit(group: string, snapshot: Snapshot, properties: Record<string, string>, snapshots: readonly Snapshot[]): void {
    if (this.stopped || this.running.has(group)) return;
    const now = Date.now();
    if (now - (this.lastAutomatic.get(group) ?? 0) < (this.options.autoCooldownMs ?? 60_000)) return;
    const optimize = this.tooManySmallFiles(snapshot, properties);
    const vacuum = this.enoughToExpire(group, properties, snapshots, now);
    if (!optimize && !vacuum) return;
    this.lastAutomatic.set(group, now);
    const run = (async () => {
      if (optimize) await this.attempt(group, 'optimize', 'automatic', () => this.service.optimize(group, {}, { trigger: 'automatic' }));
      if (vacuum) await this.attempt(group, 'vacuum', 'automatic', () => this.service.vacuum(group, {}, { trigger: 'automatic' }));
    })().finally(() => this.running.delete(group));
    this.running.set(group, run);
  }

  private tooManySmallFiles(snapshot: Snapshot, properties: Record<string, string>): boolean {
    const threshold = numberProperty(properties, PROPERTY.smallFileThreshold) ?? this.options.smallFileThreshold ?? DEFAULTS.smallFileThreshold;
    if (threshold === 0) return false;
    const files = Number(snapshot.summary['total-data-files'] ?? 0);
    const bytes = Number(snapshot.summary['total-files-size'] ?? 0);
    const target = numberProperty(properties, PROPERTY.targetFileSizeBytes) ?? DEFAULTS.targetFileSizeBytes;
    return files >= threshold && bytes / files < target * 0.75;
  }

  /** Counted as vacuum would choose, less its protections (current snapshot, minimum count, refs): a threshold needs no more. */
  private enoughToExpire(group: string, properties: Record<string, string>, snapshots: readonly Snapshot[], now: number): boolean {
    const threshold = this.options.expirableSnapshotThreshold ?? 500;
    if (threshold === 0 || snapshots.length <= threshold) return false;
    if (now - (this.lastExpirableCheck.get(group) ?? 0) < EXPIRABLE_CHECK_INTERVAL_MS) return false;
    this.lastExpirableCheck.set(group, now);
    const maxAgeMs = numberProperty(properties, PROPERTY.maxSnapshotAgeMs) ?? DEFAULTS.maxSnapshotAgeMs;
    const thin = booleanProperty(properties, PROPERTY.thinSnapshots) ?? DEFAULTS.thinSnapshots;
    const thinned = thin ? thinnedSnapshotIds(snapshots, now) : new Set<bigint>();
    const expirable = snapshots.filter((s) => s['timestamp-ms'] < now - maxAgeMs || thinned.has(s['snapshot-id'])).length;
    return expirable >= threshold;
  }

  /** Stops every schedule and waits for runs in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    if (this.reconcileTimer) clearInterval(this.reconcileTimer);
    for (const { cron } of this.crons.values()) cron.stop();
    this.crons.clear();
    await Promise.allSettled([...this.running.values()]);
  }
}
