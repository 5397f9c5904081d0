import avro from 'avsc';
import { Readable } from 'node:stream';

/** Avro longs as bigint: snapshot ids are 63-bit and must not be rounded through a double. */
const bigintLong = avro.types.LongType.__with({
  fromBuffer: (buf: Buffer) => buf.readBigInt64LE(),
  toBuffer: (n: bigint | number) => {
    const buf = Buffer.alloc(8);
    buf.writeBigInt64LE(BigInt(n));
    return buf;
  },
  fromJSON: (n: unknown) => BigInt(n as string),
  toJSON: (n: bigint) => Number(n),
  isValid: (n: unknown) => typeof n === 'bigint' || (typeof n === 'number' && Number.isInteger(n)),
  compare: (a: bigint, b: bigint) => (a === b ? 0 : a < b ? -1 : 1),
});

/** Parsed types by schema text: building one costs more than encoding a small manifest. */
const types = new Map<string, avro.Type>();

function typeOf(schema: unknown): avro.Type {
  const key = JSON.stringify(schema);
  let type = types.get(key);
  if (!type) {
    if (types.size >= 256) types.clear(); // schemas change rarely; this only bounds the cache
    type = avro.Type.forSchema(schema as avro.Schema, { registry: { long: bigintLong } } as never);
    types.set(key, type);
  }
  return type;
}

/**
 * Writes an Avro object container file. The header carries the raw schema JSON (with Iceberg's
 * field-id attributes, which avsc would drop if it re-serialised a parsed type) and the metadata.
 */
export async function writeAvroFile(schema: unknown, records: unknown[], metadata: Record<string, string>): Promise<Buffer> {
  const encoder = new avro.streams.BlockEncoder(typeOf(schema), {
    codec: 'deflate',
    metadata: Object.fromEntries(Object.entries(metadata).map(([k, v]) => [k, Buffer.from(v)])),
  } as never);
  (encoder as unknown as { _schema: unknown })._schema = schema;
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    encoder.on('data', (chunk: Buffer) => chunks.push(chunk));
    encoder.on('end', () => resolve(Buffer.concat(chunks)));
    encoder.on('error', reject);
  });
  for (const record of records) encoder.write(record);
  encoder.end();
  return done;
}

export interface AvroFile<T> {
  schema: unknown;
  metadata: Record<string, string>;
  records: T[];
}

/** Reads an Avro container file with the writer's schema from its header. */
export async function readAvroFile<T>(bytes: Buffer): Promise<AvroFile<T>> {
  const decoder = new avro.streams.BlockDecoder({ parseHook: (schema: unknown) => typeOf(schema) } as never);
  const records: T[] = [];
  let metadata: Record<string, string> = {};
  let schema: unknown;
  await new Promise<void>((resolve, reject) => {
    decoder.on('metadata', (_type: unknown, _codec: unknown, header: { meta: Record<string, Buffer> }) => {
      metadata = Object.fromEntries(Object.entries(header.meta).map(([k, v]) => [k, v.toString()]));
      schema = JSON.parse(metadata['avro.schema'] ?? 'null');
    });
    decoder.on('data', (record: T) => records.push(record));
    decoder.on('end', resolve);
    decoder.on('error', reject);
    Readable.from([bytes]).pipe(decoder);
  });
  return { schema, metadata, records };
}
