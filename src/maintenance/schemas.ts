import { z } from 'zod';

/**
 * Inputs and outputs of the maintenance operations: plain, JSON-able objects with zod schemas, so
 * the SDK, the CLI and the HTTP API validate the same way (parse with `parseOrThrow`).
 */

const positiveInt = z.number().int().positive();
const nonNegativeInt = z.number().int().nonnegative();

export const OptimizeInputSchema = z
  .object({
    /** Output files aim at this size (default: table property `write.target-file-size-bytes`, else 512 MiB). */
    targetFileSizeBytes: positiveInt.optional(),
    /**
     * Columns to sort by, rewriting every file (the table becomes sorted). Without it, each
     * compacted file's rows are ordered by the record identifier and event time; `[]`: no order.
     */
    sortBy: z.array(z.string().min(1)).optional(),
  })
  .strict();
export type OptimizeInput = z.infer<typeof OptimizeInputSchema>;

export interface OptimizeResult {
  rewrittenDataFilesCount: number;
  addedDataFilesCount: number;
  rewrittenBytesCount: number;
  addedBytesCount: number;
  rewrittenRecordsCount: number;
  manifestsBefore: number;
  manifestsAfter: number;
  /** The `replace` snapshot committed (decimal text: snapshot ids are 64-bit); absent when there was nothing to do. */
  snapshotId?: string;
  /** Commits tried (a concurrent change to the files being rewritten makes optimize plan again). */
  attempts: number;
}

export const VacuumInputSchema = z
  .object({
    /** Default: table property `history.expire.min-snapshots-to-keep` (`vacuum_min_snapshots_to_keep`), else 1. */
    minSnapshotsToKeep: positiveInt.optional(),
    /** Default: table property `history.expire.max-snapshot-age-ms` (`vacuum_max_snapshot_age_seconds`), else 5 days. */
    maxSnapshotAgeSeconds: nonNegativeInt.optional(),
    /**
     * Younger snapshots are thinned too: past 10 minutes one a minute is kept, past a day one an
     * hour (default: table property `floe.history.thin-snapshots` (`vacuum_thin_snapshots`), else true).
     */
    thinSnapshots: z.boolean().optional(),
    /** Files no snapshot references are removed once older than this (default: `vacuum_orphan_older_than_seconds`, else 3 days). */
    orphanOlderThanSeconds: nonNegativeInt.optional(),
  })
  .strict();
export type VacuumInput = z.infer<typeof VacuumInputSchema>;

export interface VacuumResult {
  expiredSnapshotsCount: number;
  keptSnapshotsCount: number;
  deletedDataFilesCount: number;
  deletedManifestsCount: number;
  deletedManifestListsCount: number;
  deletedMetadataFilesCount: number;
  deletedOrphanFilesCount: number;
  deletedBytesCount: number;
}

export const RetentionInputSchema = z
  .object({
    /** Rows whose event time is older than this many seconds are removed (default: table property `offline_retention_seconds`). */
    retentionSeconds: positiveInt.optional(),
  })
  .strict();
export type RetentionInput = z.infer<typeof RetentionInputSchema>;

export const PurgeInputSchema = z
  .object({
    recordIdentifiers: z
      .array(z.union([z.string().min(1), z.number().int(), z.bigint()]).transform((v) => String(v)))
      .min(1)
      .max(100_000),
  })
  .strict();
export type PurgeInput = z.input<typeof PurgeInputSchema>;

/** What a copy-on-write removal of rows (retention, purge) did. */
export interface RowRemovalResult {
  removedRecordsCount: number;
  /** Files rewritten without the removed rows. */
  rewrittenDataFilesCount: number;
  /** Files dropped whole (every row removed). */
  removedDataFilesCount: number;
  addedDataFilesCount: number;
  /** The `overwrite` snapshot committed; absent when no row matched. */
  snapshotId?: string;
}

export interface PurgeResult extends RowRemovalResult {
  /** Identifiers removed from the online store. */
  onlineDeletedCount: number;
}

export const TablePropertiesSchema = z.record(z.string().regex(/^[A-Za-z0-9._-]{1,128}$/, 'property names hold letters, digits, dots, hyphens and underscores (at most 128)'), z.string().max(4096));
export type TablePropertiesInput = z.infer<typeof TablePropertiesSchema>;

export const JOB_KINDS = ['optimize', 'vacuum', 'retention', 'purge'] as const;
export type JobKind = (typeof JOB_KINDS)[number];
export const JOB_TRIGGERS = ['manual', 'schedule', 'automatic'] as const;
export type JobTrigger = (typeof JOB_TRIGGERS)[number];

export const RunJobInputSchema = z
  .object({
    featureGroupName: z.string().min(1),
    kind: z.enum(['optimize', 'vacuum', 'retention']),
    optimize: OptimizeInputSchema.optional(),
    vacuum: VacuumInputSchema.optional(),
    retention: RetentionInputSchema.optional(),
  })
  .strict();
export type RunJobInput = z.infer<typeof RunJobInputSchema>;

export const ListJobsInputSchema = z
  .object({
    featureGroupName: z.string().min(1).optional(),
    kind: z.enum(JOB_KINDS).optional(),
    status: z.enum(['running', 'succeeded', 'failed']).optional(),
    limit: z.number().int().min(1).max(1000).optional(),
  })
  .strict();
export type ListJobsInput = z.infer<typeof ListJobsInputSchema>;

/** One recorded maintenance run, as the SDK and the API return it (times as ISO-8601 text). */
export interface JobInfo {
  id: string;
  kind: string;
  featureGroupName?: string;
  trigger?: string;
  status: 'running' | 'succeeded' | 'failed';
  startedAt: string;
  finishedAt?: string;
  durationMs?: number;
  /** Live data files and their bytes (optimize, retention, purge), or every file of the table directory (vacuum). */
  filesBefore?: number;
  filesAfter?: number;
  bytesBefore?: number;
  bytesAfter?: number;
  /** The operation's result (OptimizeResult, VacuumResult, ...). */
  result: Record<string, unknown>;
  error?: string;
}
