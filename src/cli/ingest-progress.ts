import cliProgress from 'cli-progress';
import type { IngestProgress } from '../ingest/bulk-ingest.js';

const number = new Intl.NumberFormat('en-US');
const STAGES = { checking: 'checking rows', writing: 'writing Parquet', online: 'updating online store' } as const;

export interface IngestReporter {
  onProgress(progress: IngestProgress): void;
  stop(): void;
}

/**
 * Progress of an ingest on stderr (stdout stays for the summary or --json): a bar with rows,
 * rows/s and ETA on a terminal; plain lines, at most one a second and one per stage, otherwise.
 */
export function ingestReporter(stream: NodeJS.WriteStream = process.stderr): IngestReporter {
  const started = Date.now();
  const rate = (rows: number) => number.format(Math.round(rows / Math.max((Date.now() - started) / 1000, 0.001)));
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        stream,
        format: '{stage} |{bar}| {percentage}% | {value}/{total} rows | {rate} rows/s | ETA {eta_formatted}',
        formatValue: (v, _o, type) => (type === 'value' || type === 'total' ? number.format(v) : String(v)),
        hideCursor: true,
        etaBuffer: 20,
      },
      cliProgress.Presets.shades_classic,
    );
    let started_ = false;
    return {
      onProgress(p) {
        const total = Math.max(p.totalRows ?? p.rowsRead, p.rowsRead, 1);
        const payload = { stage: STAGES[p.stage ?? 'checking'], rate: rate(p.rowsRead) };
        if (!started_) {
          bar.start(total, p.rowsRead, payload);
          started_ = true;
        } else {
          if (p.stage !== 'checking') bar.setTotal(Math.max(p.rowsRead, 1));
          bar.update(p.rowsRead, payload);
        }
      },
      stop: () => started_ && bar.stop(),
    };
  }
  let last = 0;
  let lastStage: string | undefined;
  return {
    onProgress(p) {
      const now = Date.now();
      if (p.stage === lastStage && now - last < 1000) return;
      last = now;
      lastStage = p.stage;
      const of = p.totalRows ? ` of ~${number.format(p.totalRows)}` : '';
      stream.write(`ingest: ${STAGES[p.stage ?? 'checking']}: ${number.format(p.rowsRead)}${of} rows read, ${rate(p.rowsRead)} rows/s\n`);
    },
    stop() {},
  };
}
