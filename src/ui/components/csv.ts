import type { Row } from '../api/types.js';
import { formatCell } from './format.js';

/** RFC 4180 CSV: every field that holds a quote, separator or line break is quoted, quotes doubled. */
export function toCsv(columns: string[], rows: Row[]): string {
  const field = (value: unknown) => {
    const text = value === null || value === undefined ? '' : formatCell(value);
    return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  return [columns.map(field).join(','), ...rows.map((row) => columns.map((c) => field(row[c])).join(','))].join('\r\n') + '\r\n';
}

/** Hands the text to the browser as a file download. */
export function download(fileName: string, text: string, type = 'text/csv'): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
