import { ValidationError } from '../domain/index.js';
import { storedKey, type MaintenanceService, type MaintenanceStatement } from '../maintenance/index.js';
import type { QueryResult } from '../query/index.js';

/** Runs OPTIMIZE / VACUUM / ALTER TABLE ... SET TBLPROPERTIES and answers as a query would: one row of the outcome. */
export async function runMaintenanceStatement(
  statement: MaintenanceStatement,
  service: MaintenanceService,
  options: { asOf?: unknown; maxRows?: number },
): Promise<QueryResult> {
  if (options.asOf !== undefined) throw new ValidationError(`asOf: ${statement.kind.toUpperCase()} changes the current table and cannot time-travel`, { field: 'asOf' });
  if (statement.kind === 'set-properties') {
    const all = await service.setTableProperties(statement.table, statement.properties);
    const rows = Object.keys(statement.properties).map((given) => ({ property: given, stored_as: storedKey(given), value: all[storedKey(given)] ?? '' }));
    return { columns: [{ name: 'property', type: 'VARCHAR' }, { name: 'stored_as', type: 'VARCHAR' }, { name: 'value', type: 'VARCHAR' }], rows };
  }
  const result: object =
    statement.kind === 'optimize' ? await service.optimize(statement.table, {}) : await service.vacuum(statement.table, {});
  const row = result as Record<string, unknown>;
  return { columns: Object.keys(row).map((name) => ({ name, type: typeof row[name] === 'number' ? 'BIGINT' : 'VARCHAR' })), rows: [row] };
}

