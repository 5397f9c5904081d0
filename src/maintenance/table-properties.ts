import { Cron } from 'croner';
import { ValidationError } from '../domain/index.js';

/**
 * Table properties that drive maintenance, stored in the Iceberg table's metadata. Athena's
 * names (`vacuum_min_snapshots_to_keep`, ...) are accepted and stored under Iceberg's own keys
 * where Iceberg has one, so other engines honour them too.
 */
export const PROPERTY = {
  minSnapshotsToKeep: 'history.expire.min-snapshots-to-keep',
  maxSnapshotAgeMs: 'history.expire.max-snapshot-age-ms',
  thinSnapshots: 'floe.history.thin-snapshots',
  targetFileSizeBytes: 'write.target-file-size-bytes',
  orphanOlderThanSeconds: 'floe.vacuum.orphan-older-than-seconds',
  retentionSeconds: 'floe.offline.retention-seconds',
  schedule: 'floe.maintenance.schedule',
  smallFileThreshold: 'floe.maintenance.small-file-threshold',
} as const;

export const DEFAULTS = {
  minSnapshotsToKeep: 1,
  maxSnapshotAgeMs: 5 * 24 * 3600 * 1000,
  /** Snapshots older than 10 minutes are kept one a minute, older than a day one an hour (see snapshot-thinning.ts). */
  thinSnapshots: true,
  targetFileSizeBytes: 512 * 1024 * 1024,
  orphanOlderThanSeconds: 3 * 24 * 3600,
  /** Optimize then vacuum every 6 hours (UTC). */
  schedule: '0 */6 * * *',
  /** Small data files that start an automatic optimize; 0 turns it off. */
  smallFileThreshold: 100,
} as const;

/** Friendly names (Athena's, and ours in the same style) and how each maps to the stored key and value. */
const ALIASES: Record<string, { key: string; value: (v: string) => string }> = {
  vacuum_min_snapshots_to_keep: { key: PROPERTY.minSnapshotsToKeep, value: (v) => v },
  vacuum_max_snapshot_age_seconds: { key: PROPERTY.maxSnapshotAgeMs, value: (v) => String(Number(v) * 1000) },
  vacuum_thin_snapshots: { key: PROPERTY.thinSnapshots, value: (v) => v.toLowerCase() },
  vacuum_orphan_older_than_seconds: { key: PROPERTY.orphanOlderThanSeconds, value: (v) => v },
  optimize_target_file_size_bytes: { key: PROPERTY.targetFileSizeBytes, value: (v) => v },
  offline_retention_seconds: { key: PROPERTY.retentionSeconds, value: (v) => v },
  maintenance_schedule: { key: PROPERTY.schedule, value: (v) => v },
  maintenance_small_file_threshold: { key: PROPERTY.smallFileThreshold, value: (v) => v },
};

/** Keys the store manages itself; setting them by hand would break reads. */
const RESERVED = new Set(['schema.name-mapping.default', 'format-version', 'current-snapshot-id']);

const wholeNumber = (min: number) => (key: string, v: string) => {
  if (!/^\d+$/.test(v) || Number(v) < min || !Number.isSafeInteger(Number(v))) {
    throw new ValidationError(`${key}: '${v}' must be a whole number of at least ${min}`, { field: key });
  }
};

const booleanText = (key: string, v: string) => {
  if (!/^(true|false)$/i.test(v)) throw new ValidationError(`${key}: '${v}' must be true or false`, { field: key });
};

const CHECKS: Record<string, (key: string, value: string) => void> = {
  vacuum_min_snapshots_to_keep: wholeNumber(1),
  vacuum_max_snapshot_age_seconds: wholeNumber(0),
  vacuum_orphan_older_than_seconds: wholeNumber(0),
  vacuum_thin_snapshots: booleanText,
  optimize_target_file_size_bytes: wholeNumber(1),
  offline_retention_seconds: wholeNumber(1),
  maintenance_small_file_threshold: wholeNumber(0),
  [PROPERTY.minSnapshotsToKeep]: wholeNumber(1),
  [PROPERTY.maxSnapshotAgeMs]: wholeNumber(0),
  [PROPERTY.orphanOlderThanSeconds]: wholeNumber(0),
  [PROPERTY.thinSnapshots]: booleanText,
  [PROPERTY.targetFileSizeBytes]: wholeNumber(1),
  [PROPERTY.retentionSeconds]: wholeNumber(1),
  [PROPERTY.smallFileThreshold]: wholeNumber(0),
  maintenance_schedule: checkSchedule,
  [PROPERTY.schedule]: checkSchedule,
};

function checkSchedule(key: string, value: string): void {
  if (value === 'off') return;
  try {
    new Cron(value, { paused: true, timezone: 'UTC' }).stop();
  } catch (error) {
    throw new ValidationError(`${key}: '${value}' is not a cron expression (e.g. '0 */6 * * *') nor 'off' (${(error as Error).message})`, { field: key });
  }
}

/** Validates properties as given and returns them under their stored keys and values. */
export function normaliseProperties(input: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [given, value] of Object.entries(input)) {
    const name = given.toLowerCase() in ALIASES ? given.toLowerCase() : given;
    if (RESERVED.has(name)) throw new ValidationError(`${given}: this property is managed by Floe and cannot be set`, { field: given });
    CHECKS[name]?.(given, value);
    const alias = ALIASES[name];
    if (alias) out[alias.key] = alias.value(value);
    else out[name] = value;
  }
  return out;
}

export function booleanProperty(properties: Record<string, string>, key: string): boolean | undefined {
  const v = properties[key]?.toLowerCase();
  return v === 'true' ? true : v === 'false' ? false : undefined;
}

export function numberProperty(properties: Record<string, string>, key: string): number | undefined {
  const v = properties[key];
  if (v === undefined || !/^\d+$/.test(v)) return undefined;
  return Number(v);
}

/** The key a property given by name is stored under (`vacuum_max_snapshot_age_seconds` -> `history.expire.max-snapshot-age-ms`). */
export function storedKey(name: string): string {
  return ALIASES[name.toLowerCase()]?.key ?? name;
}
