import { ConflictError } from '../domain/index.js';
import type { DataFile, OfflineStore } from '../offline/index.js';
import { duckdbType } from '../offline/iceberg/schema.js';
import { quoteIdentifier, viewSql } from '../query/index.js';
import type { RowRemovalResult } from './schemas.js';

const ATTEMPTS = 4;
const literal = (text: string) => `'${text.replaceAll("'", "''")}'`;

/**
 * Copy-on-write removal of the rows matching `predicate` (DuckDB SQL over the table's columns):
 * files without such rows stay, files with only such rows are dropped, the others are rewritten
 * without them, all in one `overwrite` snapshot. Appends that land meanwhile are kept (their rows
 * are newer than the call); a concurrent rewrite of the same files makes it plan again.
 */
export async function removeRows(offline: OfflineStore, group: string, predicate: string, summary: Record<string, string>): Promise<RowRemovalResult> {
  const table = await offline.openTable(group);
  for (let attempt = 1; ; attempt++) {
    await table.refresh();
    const added: DataFile[] = [];
    try {
      const live = await table.liveFiles();
      const none: RowRemovalResult = { removedRecordsCount: 0, rewrittenDataFilesCount: 0, removedDataFilesCount: 0, addedDataFilesCount: 0 };
      if (live.length === 0) return none;
      const columns = table.schema().fields.map((f) => ({ name: f.name, type: duckdbType(f.type) }));
      const paths = new Map(live.map((f) => [offline.io.localPath(f.filePath)!, f]));
      // One scan counts the matching rows of every file (through the typed view, so old files read as the schema says).
      const counts = await offline.withConnection(async (c) => {
        const files = `[${[...paths.keys()].map(literal).join(', ')}]`;
        const typed = columns.map((col) => `CAST(${quoteIdentifier(col.name)} AS ${col.type}) AS ${quoteIdentifier(col.name)}`).join(', ');
        const reader = await c.runAndReadAll(
          `SELECT filename, count(*) AS total, count(*) FILTER (WHERE coalesce((${predicate}), false)) AS matching ` +
            `FROM (SELECT ${typed}, filename FROM read_parquet(${files}, union_by_name = true, hive_partitioning = false, filename = true)) GROUP BY filename`,
        );
        return reader.getRowObjectsJS() as Array<{ filename: string; total: bigint; matching: bigint }>;
      });
      const dropped: DataFile[] = [];
      const rewritten: DataFile[] = [];
      let removedRecords = 0n;
      for (const row of counts) {
        if (row.matching === 0n) continue;
        const file = paths.get(row.filename)!;
        removedRecords += row.matching;
        if (row.matching === row.total) {
          dropped.push(file);
          continue;
        }
        const written = await offline.writeDataFileFromSelect(
          group,
          `SELECT * FROM (${viewSql({ name: group, files: [row.filename], columns })}) WHERE NOT coalesce((${predicate}), false)`,
        );
        if (written) added.push(written);
        rewritten.push(file);
      }
      if (dropped.length === 0 && rewritten.length === 0) return none;
      const committed = await table.rewrite(
        { operation: 'overwrite', removeFiles: [...dropped, ...rewritten].map((f) => f.filePath), addFiles: added },
        summary,
      );
      return {
        removedRecordsCount: Number(removedRecords),
        rewrittenDataFilesCount: rewritten.length,
        removedDataFilesCount: dropped.length,
        addedDataFilesCount: added.length,
        snapshotId: committed['snapshot-id'].toString(),
      };
    } catch (error) {
      await offline.discardDataFiles(added).catch(() => undefined);
      if (!(error instanceof ConflictError) || attempt >= ATTEMPTS) throw error;
    }
  }
}
