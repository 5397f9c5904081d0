import type { Row } from '../api/types.js';
import { formatCell } from './format.js';

/** Rows under their column names; nulls dimmed, numbers right-aligned. */
export function DataTable({ columns, rows, empty = 'No rows' }: { columns: string[]; rows: Row[]; empty?: string }) {
  if (rows.length === 0) return <p class="muted">{empty}</p>;
  return (
    <div class="table-scroll">
      <table class="data">
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c}>{c}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row, i) => (
            <tr key={i}>
              {columns.map((c) => {
                const value = row[c];
                const kind = value === null || value === undefined ? 'null' : typeof value === 'number' ? 'number' : undefined;
                return (
                  <td key={c} class={kind}>
                    {formatCell(value)}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
