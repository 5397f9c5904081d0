import { Cron } from 'croner';
import { ResourceInUseError } from '../domain/index.js';
import type { OfflineStore, Snapshot } from '../offline/index.js';
import type { Registry } from '../registry/registry.js';
import type { MaintenanceService } from './maintenance-service.js';
import type { JobTrigger } from './schemas.js';
import { DEFAULTS, normaliseProperties, numberProperty, PROPERTY } from './table-properties.js';

export interface SchedulerOptions {
  /** Cron expression (UTC) for groups without a `maintenance_schedule` property; 'off' for none. Default: every 6 hours. */
  defaultSchedule?: string;
  /** Small files that start an automatic optimize, for groups without `maintenance_small_file_threshold` (default 100; 0: off). */
  smallFileThreshold?: number;
  /** Least time between two automatic runs on one group (default 60 s). */
  autoCooldownMs?: number;
  /** How often schedules are re-read from the groups' table properties (default 30 s). */
  reconcileIntervalMs?: number;
  /** Told of failed or skipped runs (the failures are in the job history as well). */
  log?: (event: { group: string; kind: string; trigger: JobTrigger; outcome: 'succeeded' | 'failed' | 'skipped'; message?: string }) => void;
}

/**
 * Runs maintenance by itself: per group, optimize then vacuum (then retention, when the group
 * has a retention period) on the group's cron schedule, and an automatic optimize when a commit
 * leaves too many small files. The check after a commit reads the snapshot summary only (file
 * count and total size: the average tells small files from large ones), so it costs nothing.
 * Runs go through the service, so they hold the table's lease and are recorded.
 */
export class MaintenanceScheduler {
  private readonly crons = new Map<string, { pattern: string; cron: Cron }>();
  private readonly running = new Map<string, Promise<void>>();
  private readonly lastAutomatic = new Map<string, number>();
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
    this.unsubscribe = this.deps.offline.onAppend((group, snapshot, properties) => this.afterCommit(group, snapshot, properties));
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

  private afterCommit(group: string, snapshot: Snapshot, properties: Record<string, string>): void {
    if (this.stopped || this.running.has(group)) return;
    const threshold = numberProperty(properties, PROPERTY.smallFileThreshold) ?? this.options.smallFileThreshold ?? DEFAULTS.smallFileThreshold;
    if (threshold === 0) return;
    const files = Number(snapshot.summary['total-data-files'] ?? 0);
    const bytes = Number(snapshot.summary['total-files-size'] ?? 0);
    const target = numberProperty(properties, PROPERTY.targetFileSizeBytes) ?? DEFAULTS.targetFileSizeBytes;
    if (files < threshold || bytes / files >= target * 0.75) return;
    const now = Date.now();
    if (now - (this.lastAutomatic.get(group) ?? 0) < (this.options.autoCooldownMs ?? 60_000)) return;
    this.lastAutomatic.set(group, now);
    const run = this.attempt(group, 'optimize', 'automatic', () => this.service.optimize(group, {}, { trigger: 'automatic' })).finally(() => this.running.delete(group));
    this.running.set(group, run);
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
