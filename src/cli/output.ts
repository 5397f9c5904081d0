import { stringify } from 'lossless-json';

/** Prints for machines (`--json`: lossless, int64 exact) or for people. */
export function printJson(value: unknown): void {
  console.log(stringify(value, (_key, v) => (v instanceof Date ? v.toISOString() : v), 2));
}

export function printTable(rows: Array<Record<string, unknown>>, columns: string[]): void {
  if (rows.length === 0) {
    console.log('(none)');
    return;
  }
  const cells = rows.map((row) => columns.map((c) => formatCell(row[c])));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i]!.length)));
  const line = (values: string[]) => values.map((v, i) => v.padEnd(widths[i]!)).join('  ').trimEnd();
  console.log(line(columns));
  console.log(line(widths.map((w) => '-'.repeat(w))));
  for (const r of cells) console.log(line(r));
}

export function formatCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return `[${value.map(formatCell).join(', ')}]`;
  if (typeof value === 'object') return stringify(value) ?? '';
  return String(value);
}

/** Colour only for a terminal, and never when NO_COLOR is set (https://no-color.org). */
export function useColour(stream: NodeJS.WriteStream = process.stdout): boolean {
  return Boolean(stream.isTTY) && !process.env.NO_COLOR;
}

/** Adds an "Examples:" section to a command's --help. */
export function withExamples<C extends { addHelpText(position: 'after', text: string): unknown }>(command: C, ...lines: string[]): C {
  command.addHelpText('after', `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`);
  return command;
}
