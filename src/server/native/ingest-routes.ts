import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { PassThrough, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { tableFromIPC } from 'apache-arrow';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { isFloeError, ValidationError } from '../../domain/index.js';
import type { IngestOptions } from '../../ingest/bulk-ingest.js';
import type { IngestSource } from '../../ingest/ingest-sources.js';
import type { TargetStore } from '../../records/write-entry.js';
import type { FeatureStore } from '../../sdk/index.js';
import { ARROW_STREAM, CSV, JSON_LINES, NATIVE_ROUTES as R, PARQUET, parseWire, stringifyWire } from '../../wire/index.js';
import { bodyTooLarge, toNativeError } from './native-errors.js';
import { accepts, defineRoute, SENT } from './route-kit.js';

/** Default largest ingest body; set `ingestBodyLimit` to change it. */
export const DEFAULT_INGEST_BODY_LIMIT = 1024 * 1024 * 1024;
/** Arrow IPC and JSON Lines bodies become records in memory: they stop at this size (or the body limit, if lower). */
export const IN_MEMORY_INGEST_LIMIT = 256 * 1024 * 1024;

async function* limited(stream: AsyncIterable<Buffer>, limit: number): AsyncGenerator<Buffer> {
  let bytes = 0;
  for await (const chunk of stream) {
    bytes += chunk.length;
    if (bytes > limit) throw bodyTooLarge(limit);
    yield chunk;
  }
}

/** JSON Lines read line by line (never the whole text at once); a bad line is refused with its number. */
async function readJsonLines(body: AsyncIterable<Buffer>): Promise<Array<Record<string, unknown>>> {
  const records: Array<Record<string, unknown>> = [];
  let line = 0;
  for await (const text of createInterface({ input: Readable.from(body), crlfDelay: Infinity })) {
    line++;
    if (text.trim() === '') continue;
    let value: unknown;
    try {
      value = parseWire(text);
    } catch (error) {
      throw new ValidationError(`body: line ${line} is not valid JSON (${(error as Error).message})`, { field: 'body' });
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ValidationError(`body: line ${line} is not a JSON object`, { field: 'body' });
    records.push(value as Record<string, unknown>);
  }
  return records;
}

async function readAll(body: AsyncIterable<Buffer>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk);
  return Buffer.concat(chunks);
}

function mediaType(request: FastifyRequest): string {
  return (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
}

/**
 * Bulk ingest over HTTP. The body is streamed: Arrow IPC and JSON Lines become records or a
 * table validated as in-process, Parquet and CSV are spooled to a file DuckDB checks; every
 * body is held to a size limit. Bad rows come back in failedRows.
 */
export async function ingestRoutes(app: FastifyInstance, { store, ingestBodyLimit }: { store: FeatureStore; ingestBodyLimit: number }): Promise<void> {
  // Here the body stays a stream: the other routes' buffering parser is replaced in this scope only.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
  const spoolDir = join(store.dataDir, 'tmp');

  defineRoute(app, R.ingest, async ({ params, query, request, reply }) => {
    const fg = store.featureGroup(params.featureGroupName);
    await fg.describe(); // a missing group is a 404 before any byte is read
    const type = mediaType(request);
    if (![ARROW_STREAM, JSON_LINES, PARQUET, CSV].includes(type)) {
      throw new ValidationError(`Content-Type: '${type || '(none)'}' is not one of ${[ARROW_STREAM, JSON_LINES, PARQUET, CSV].join(', ')}`, { field: 'Content-Type' });
    }
    const raw = request.body as (Readable & AsyncIterable<Buffer>) | undefined;
    if (!raw || typeof raw[Symbol.asyncIterator] !== 'function') throw new ValidationError('body: send the rows to ingest', { field: 'body' });
    const inMemory = type === ARROW_STREAM || type === JSON_LINES;
    const body = limited(raw, inMemory ? Math.min(ingestBodyLimit, IN_MEMORY_INGEST_LIMIT) : ingestBodyLimit);
    let source: IngestSource;
    let spooled: string | undefined;
    if (type === ARROW_STREAM) {
      const bytes = await readAll(body);
      try {
        source = tableFromIPC(bytes);
      } catch (error) {
        throw new ValidationError(`body: not an Arrow IPC stream (${(error as Error).message})`, { field: 'body' });
      }
    } else if (type === JSON_LINES) {
      source = await readJsonLines(body);
    } else {
      await mkdir(spoolDir, { recursive: true, mode: 0o700 });
      spooled = join(spoolDir, `ingest-${randomUUID()}${type === PARQUET ? '.parquet' : '.csv'}`);
      try {
        await pipeline(Readable.from(body), createWriteStream(spooled, { mode: 0o600 }));
      } catch (error) {
        await rm(spooled, { force: true });
        throw error;
      }
      source = spooled;
    }
    const options: IngestOptions = {
      ...(query.failOnError === undefined ? {} : { failOnError: query.failOnError }),
      ...(query.targetStores === undefined ? {} : { targetStores: query.targetStores as TargetStore[] }),
      ...(query.chunkRows === undefined ? {} : { chunkRows: query.chunkRows }),
    };
    const run = async (extra: Pick<IngestOptions, 'onProgress'> = {}) => {
      try {
        return await fg.ingest(source, { ...options, ...extra });
      } finally {
        if (spooled) await rm(spooled, { force: true });
      }
    };
    if (!accepts(request, JSON_LINES)) return run();
    // Progress as it happens: one line per chunk, then the result (or the error) as the last line.
    const out = new PassThrough();
    out.on('error', () => undefined); // a client that hung up: the ingest still completes, nobody reads its lines
    reply.type(JSON_LINES).send(out);
    void run({ onProgress: (progress) => out.write(`${stringifyWire({ progress })}\n`) }).then(
      (result) => out.end(`${stringifyWire({ result })}\n`),
      (error: unknown) => {
        const mapped = toNativeError(error);
        if (mapped.fault || !isFloeError(error)) request.log.error({ err: error, operation: request.operation, reqId: request.id }, 'ingest failed');
        out.end(`${stringifyWire(mapped.body)}\n`);
      },
    );
    return SENT;
  });
}
