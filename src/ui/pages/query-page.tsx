import { useState } from 'preact/hooks';
import type { NativeClient } from '../api/native-client.js';
import type { QueryResult } from '../api/types.js';
import { download, toCsv } from '../components/csv.js';
import { DataTable } from '../components/data-table.js';
import { ErrorMessage } from '../components/error-message.js';
import { formatDuration } from '../components/format.js';

const EXAMPLE = 'SELECT * FROM "my-feature-group" LIMIT 100';

/** Read-only SQL over the offline store (each feature group is a table), results as a table, CSV export. */
export function QueryPage({ api, initialSql }: { api: NativeClient; initialSql?: string }) {
  const [sql, setSql] = useState(initialSql ?? '');
  const [maxRows, setMaxRows] = useState(1000);
  const [result, setResult] = useState<{ sql: string; value: QueryResult; ms: number }>();
  const [error, setError] = useState<Error>();
  const [running, setRunning] = useState(false);
  const run = async () => {
    if (!sql.trim() || running) return;
    setRunning(true);
    setError(undefined);
    const started = performance.now();
    try {
      const value = await api.query(sql, maxRows);
      setResult({ sql, value, ms: performance.now() - started });
    } catch (e) {
      setResult(undefined);
      setError(e as Error);
    } finally {
      setRunning(false);
    }
  };
  const columns = result?.value.columns.map((c) => c.name) ?? [];
  return (
    <section>
      <header class="page-header">
        <h1>Query</h1>
        <p class="muted">DuckDB SQL over the current snapshot of every feature group, read-only. Ctrl+Enter runs it.</p>
      </header>
      <textarea
        class="sql"
        aria-label="SQL"
        spellcheck={false}
        placeholder={EXAMPLE}
        value={sql}
        onInput={(e) => setSql(e.currentTarget.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
            e.preventDefault();
            void run();
          }
        }}
      />
      <div class="toolbar">
        <button onClick={run} disabled={running || !sql.trim()}>
          {running ? 'Running…' : 'Run'}
        </button>
        <label class="inline-label">
          at most
          <select aria-label="Maximum rows" value={maxRows} onChange={(e) => setMaxRows(Number(e.currentTarget.value))}>
            {[100, 1000, 10_000].map((n) => (
              <option key={n} value={n}>
                {n.toLocaleString('en-US')}
              </option>
            ))}
          </select>
          rows
        </label>
        {result && (
          <>
            <span class="muted" data-testid="query-summary">
              {result.value.rows.length.toLocaleString('en-US')} rows{result.value.truncated ? ` (truncated at ${maxRows.toLocaleString('en-US')})` : ''} in {formatDuration(result.ms)}
            </span>
            <button class="secondary" onClick={() => download('floe-query.csv', toCsv(columns, result.value.rows))}>
              Export CSV
            </button>
          </>
        )}
      </div>
      <ErrorMessage error={error} />
      {result && <DataTable columns={columns} rows={result.value.rows} empty="The query returned no rows." />}
    </section>
  );
}
