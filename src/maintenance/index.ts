/**
 * Table maintenance of the offline store: bin-pack compaction (OPTIMIZE), snapshot expiry and
 * orphan removal (VACUUM), retention by event time, privacy purges, table properties, the
 * statements that run them through SQL, leases that keep runs on one table apart across
 * processes, and the scheduler `floe serve` runs.
 */
export { MaintenanceService, toJobInfo, type MaintenanceDeps, type RunOptions } from './maintenance-service.js';
export { MaintenanceScheduler, type SchedulerOptions } from './scheduler.js';
export { LeaseManager, isDeadLocalHolder, type HeldLease, type LeaseOptions, type LeaseStore } from './table-lease.js';
export { parseMaintenanceStatement, type MaintenanceStatement } from './statements.js';
export { normaliseProperties, storedKey, PROPERTY as TABLE_PROPERTY, DEFAULTS as MAINTENANCE_DEFAULTS } from './table-properties.js';
export type { OptimizeHooks, OptimizeProgress } from './optimize.js';
export * from './schemas.js';
