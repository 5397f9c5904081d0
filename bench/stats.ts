/** Small helpers shared by the benchmarks: percentiles and a printed table. */
export function percentile(sortedNanos: Float64Array | number[], p: number): number {
  if (sortedNanos.length === 0) return Number.NaN;
  return sortedNanos[Math.min(sortedNanos.length - 1, Math.floor((p / 100) * sortedNanos.length))]!;
}

export function summarize(latenciesNanos: number[], elapsedNanos: number): { opsPerSec: number; p50us: number; p99us: number } {
  const sorted = Float64Array.from(latenciesNanos).sort();
  return {
    opsPerSec: latenciesNanos.length / (elapsedNanos / 1e9),
    p50us: percentile(sorted, 50) / 1000,
    p99us: percentile(sorted, 99) / 1000,
  };
}

export function printTable(rows: Array<Record<string, string | number>>): void {
  const columns = Object.keys(rows[0] ?? {});
  const cell = (v: string | number) => (typeof v === 'number' ? (v >= 100 ? Math.round(v).toLocaleString('en-US') : v.toFixed(1)) : v);
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => String(cell(r[c]!)).length)));
  const line = (values: string[]) => values.map((v, i) => v.padStart(widths[i]!)).join('  ');
  console.log(line(columns));
  console.log(line(widths.map((w) => '-'.repeat(w))));
  for (const r of rows) console.log(line(columns.map((c) => String(cell(r[c]!)))));
}

export const now = () => Number(process.hrtime.bigint());
