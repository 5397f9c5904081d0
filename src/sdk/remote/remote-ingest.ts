import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { tableToIPC, type Table } from 'apache-arrow';
import { ValidationError } from '../../domain/index.js';
import type { IngestOptions, IngestResult } from '../../ingest/bulk-ingest.js';
import type { IngestSource } from '../../ingest/ingest-sources.js';
import { ARROW_STREAM, CSV, fromWireError, JSON_LINES, NATIVE_ROUTES as R, PARQUET, parseWire, stringifyWire } from '../../wire/index.js';
import type { RemoteHttp } from './remote-http.js';

type Body = { body: NonNullable<RequestInit['body']>; type: string };

/** The body for a source: records as JSON Lines, an Arrow table as an IPC stream, a local file streamed as it is. */
async function ingestBody(source: IngestSource): Promise<Body> {
  if (Array.isArray(source)) return { body: source.map((r) => stringifyWire(r)).join('\n'), type: JSON_LINES };
  if (typeof source === 'string') {
    const full = resolve(source);
    const ext = extname(full).toLowerCase();
    const type = ext === '.parquet' ? PARQUET : ext === '.csv' ? CSV : ext === '.jsonl' || ext === '.ndjson' || ext === '.json' ? JSON_LINES : undefined;
    try {
      await stat(full);
    } catch {
      throw new ValidationError(`source: cannot read '${source}'`, { field: 'source' });
    }
    if (!type) throw new ValidationError(`source: '${source}' is not a .parquet, .csv or .jsonl file`, { field: 'source' });
    return { body: Readable.toWeb(createReadStream(full)) as unknown as NonNullable<RequestInit['body']>, type };
  }
  const table = source as Table;
  if (typeof table?.numRows !== 'number' || !table.schema) {
    throw new ValidationError('source: expected an array of records, an Arrow table, or a file path', { field: 'source' });
  }
  return { body: tableToIPC(table, 'stream'), type: ARROW_STREAM };
}

function reviveResult(result: Record<string, unknown>): IngestResult {
  return { ...result, ...(result.snapshotId === undefined ? {} : { snapshotId: BigInt(result.snapshotId as number) }) } as IngestResult;
}

/** Bulk ingest through `POST .../ingest`; with onProgress, the server streams progress lines before the result. */
export async function remoteIngest(http: RemoteHttp, featureGroupName: string, source: IngestSource, options: IngestOptions = {}): Promise<IngestResult> {
  const raw = await ingestBody(source);
  const query = {
    failOnError: options.failOnError === undefined ? undefined : String(options.failOnError),
    targetStores: options.targetStores?.join(','),
    chunkRows: options.chunkRows === undefined ? undefined : String(options.chunkRows),
  };
  const onProgress = options.onProgress;
  if (!onProgress) return reviveResult(await http.json(R.ingest, { params: { featureGroupName }, query, raw }));
  const response = await http.send(R.ingest, { params: { featureGroupName }, query, raw, accept: JSON_LINES });
  let buffered = '';
  const decoder = new TextDecoder();
  const handle = (line: string): IngestResult | undefined => {
    if (line.trim() === '') return undefined;
    const message = parseWire(line) as { progress?: IngestResult; result?: Record<string, unknown>; error?: unknown };
    if (message.progress) onProgress(message.progress);
    if (message.error) throw fromWireError(message, 200);
    return message.result ? reviveResult(message.result) : undefined;
  };
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    buffered += decoder.decode(chunk, { stream: true });
    let newline: number;
    while ((newline = buffered.indexOf('\n')) >= 0) {
      const done = handle(buffered.slice(0, newline));
      buffered = buffered.slice(newline + 1);
      if (done) return done;
    }
  }
  const done = handle(buffered);
  if (done) return done;
  throw fromWireError(undefined, response.status);
}
