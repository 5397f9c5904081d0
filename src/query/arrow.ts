import type {
  DuckDBArrayType,
  DuckDBArrayValue,
  DuckDBBlobValue,
  DuckDBDateValue,
  DuckDBDecimalValue,
  DuckDBListType,
  DuckDBListValue,
  DuckDBTimestampMillisecondsValue,
  DuckDBTimestampNanosecondsValue,
  DuckDBTimestampSecondsValue,
  DuckDBTimestampTZValue,
  DuckDBTimestampValue,
  DuckDBType,
  DuckDBValue,
} from '@duckdb/node-api';
import { DuckDBTypeId } from '@duckdb/node-api';
import {
  Binary,
  Bool,
  DateDay,
  Field,
  Float32,
  Float64,
  Int16,
  Int32,
  Int64,
  Int8,
  List,
  makeBuilder,
  makeData,
  RecordBatch,
  Schema,
  Struct,
  Table,
  TimestampMicrosecond,
  TimestampMillisecond,
  TimestampNanosecond,
  TimestampSecond,
  Uint16,
  Uint32,
  Uint64,
  Uint8,
  Utf8,
  type Data,
  type DataType,
} from 'apache-arrow';
import { ValidationError } from '../domain/index.js';

type Raw = number | bigint;
type Fixed = { kind: 'fixed'; type: DataType; array: new (length: number) => ArrayLike<Raw>; raw: (value: DuckDBValue) => Raw };
type Built = { kind: 'builder'; type: DataType; value: (value: DuckDBValue) => unknown };
type Nested = { kind: 'list'; type: DataType; child: Conversion };
type Conversion = Fixed | Built | Nested;

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

const fixed = (type: DataType, array: Fixed['array'], raw: Fixed['raw']): Fixed => ({ kind: 'fixed', type, array, raw });
const built = (type: DataType, value: Built['value']): Built => ({ kind: 'builder', type, value });
const micros = (v: DuckDBValue) => (v as DuckDBTimestampValue | DuckDBTimestampTZValue).micros;

/**
 * How a DuckDB type travels in Arrow. Integers keep their width (int64 in a BigInt64Array,
 * exact); timestamps keep DuckDB's own unit and raw count (microseconds for TIMESTAMP and
 * TIMESTAMPTZ, so nothing is rounded to a JavaScript Date); HUGEINT (what sum(BIGINT) returns)
 * becomes Int64 when its values fit and fails otherwise; DECIMAL becomes Float64; types Arrow or
 * Floe has no use for (STRUCT, MAP, INTERVAL, UUID, ...) travel as their DuckDB text.
 */
function conversion(type: DuckDBType, column: string): Conversion {
  switch (type.typeId) {
    case DuckDBTypeId.BOOLEAN:
      return built(new Bool(), (v) => v);
    case DuckDBTypeId.TINYINT:
      return fixed(new Int8(), Int8Array, Number as (v: DuckDBValue) => number);
    case DuckDBTypeId.SMALLINT:
      return fixed(new Int16(), Int16Array, Number as (v: DuckDBValue) => number);
    case DuckDBTypeId.INTEGER:
      return fixed(new Int32(), Int32Array, Number as (v: DuckDBValue) => number);
    case DuckDBTypeId.BIGINT:
      return fixed(new Int64(), BigInt64Array, (v) => v as bigint);
    case DuckDBTypeId.HUGEINT:
    case DuckDBTypeId.UHUGEINT:
      return fixed(new Int64(), BigInt64Array, (v) => {
        const big = v as bigint;
        if (big < INT64_MIN || big > INT64_MAX) {
          throw new ValidationError(`sql: column '${column}' holds ${big}, beyond a 64-bit integer; CAST it to DOUBLE or VARCHAR for Arrow`, { field: 'sql' });
        }
        return big;
      });
    case DuckDBTypeId.UTINYINT:
      return fixed(new Uint8(), Uint8Array, Number as (v: DuckDBValue) => number);
    case DuckDBTypeId.USMALLINT:
      return fixed(new Uint16(), Uint16Array, Number as (v: DuckDBValue) => number);
    case DuckDBTypeId.UINTEGER:
      return fixed(new Uint32(), Uint32Array, Number as (v: DuckDBValue) => number);
    case DuckDBTypeId.UBIGINT:
      return fixed(new Uint64(), BigUint64Array, (v) => v as bigint);
    case DuckDBTypeId.FLOAT:
      return fixed(new Float32(), Float32Array, (v) => v as number);
    case DuckDBTypeId.DOUBLE:
      return fixed(new Float64(), Float64Array, (v) => v as number);
    case DuckDBTypeId.DECIMAL:
      return fixed(new Float64(), Float64Array, (v) => (v as DuckDBDecimalValue).toDouble());
    case DuckDBTypeId.DATE:
      return fixed(new DateDay(), Int32Array, (v) => (v as DuckDBDateValue).days);
    case DuckDBTypeId.TIMESTAMP:
      return fixed(new TimestampMicrosecond(), BigInt64Array, micros);
    case DuckDBTypeId.TIMESTAMP_TZ:
      return fixed(new TimestampMicrosecond('UTC'), BigInt64Array, micros);
    case DuckDBTypeId.TIMESTAMP_S:
      return fixed(new TimestampSecond(), BigInt64Array, (v) => (v as DuckDBTimestampSecondsValue).seconds);
    case DuckDBTypeId.TIMESTAMP_MS:
      return fixed(new TimestampMillisecond(), BigInt64Array, (v) => (v as DuckDBTimestampMillisecondsValue).millis);
    case DuckDBTypeId.TIMESTAMP_NS:
      return fixed(new TimestampNanosecond(), BigInt64Array, (v) => (v as DuckDBTimestampNanosecondsValue).nanos);
    case DuckDBTypeId.BLOB:
      return built(new Binary(), (v) => (v as DuckDBBlobValue).bytes);
    case DuckDBTypeId.LIST:
    case DuckDBTypeId.ARRAY: {
      const child = conversion((type as DuckDBListType | DuckDBArrayType).valueType, column);
      return { kind: 'list', type: new List(new Field('element', child.type, true)), child };
    }
    case DuckDBTypeId.VARCHAR:
      return built(new Utf8(), (v) => v);
    default:
      return built(new Utf8(), (v) => String(v));
  }
}

function validity(values: readonly DuckDBValue[]): { nullBitmap: Uint8Array; nullCount: number } {
  const nullBitmap = new Uint8Array(Math.ceil(values.length / 8));
  let nullCount = 0;
  for (let i = 0; i < values.length; i++) {
    if (values[i] === null) nullCount++;
    else nullBitmap[i >> 3]! |= 1 << (i & 7);
  }
  return { nullBitmap, nullCount };
}

const encoder = new TextEncoder();

/** Utf8 offsets and bytes written directly: apache-arrow's builder costs seconds per million strings. */
function utf8Data(type: DataType, strings: ReadonlyArray<string | null>, nullBitmap: Uint8Array, nullCount: number): Data {
  const valueOffsets = new Int32Array(strings.length + 1);
  let bytes = new Uint8Array(Math.max(64, strings.length * 16));
  let end = 0;
  for (let i = 0; i < strings.length; i++) {
    const text = strings[i];
    if (text) {
      // encodeInto never writes more than 3 bytes per UTF-16 unit.
      if (bytes.length - end < text.length * 3) {
        const grown = new Uint8Array(Math.max(bytes.length * 2, end + text.length * 3));
        grown.set(bytes.subarray(0, end));
        bytes = grown;
      }
      end += encoder.encodeInto(text, bytes.subarray(end)).written;
    }
    valueOffsets[i + 1] = end;
  }
  return makeData({ type, length: strings.length, nullCount, nullBitmap, valueOffsets, data: bytes.subarray(0, end) } as never);
}

function toData(c: Conversion, values: readonly DuckDBValue[]): Data {
  const { nullBitmap, nullCount } = validity(values);
  if (c.kind === 'builder') {
    if (c.type instanceof Utf8) return utf8Data(c.type, values.map((v) => (v === null ? null : (c.value(v) as string))), nullBitmap, nullCount);
    const builder = makeBuilder({ type: c.type, nullValues: [null] });
    for (const value of values) builder.append(value === null ? null : (c.value(value) as never));
    return builder.finish().flush();
  }
  if (c.kind === 'fixed') {
    const data = new c.array(values.length) as unknown as Raw[];
    const raw = c.raw;
    for (let i = 0; i < values.length; i++) {
      const value = values[i]!;
      if (value !== null) data[i] = raw(value);
    }
    return makeData({ type: c.type, length: values.length, nullCount, nullBitmap, data } as never);
  }
  const valueOffsets = new Int32Array(values.length + 1);
  const items: DuckDBValue[] = [];
  for (let i = 0; i < values.length; i++) {
    const value = values[i]!;
    if (value !== null) for (const item of (value as DuckDBListValue | DuckDBArrayValue).items) items.push(item);
    valueOffsets[i + 1] = items.length;
  }
  return makeData({ type: c.type, length: values.length, nullCount, nullBitmap, valueOffsets, child: toData(c.child, items) } as never);
}

/**
 * An Arrow table from DuckDB result columns. `@duckdb/node-api` 1.5 has no Arrow export (the C
 * API's Arrow functions are not bound, and the arrow extension cannot be installed here), so the
 * most direct path is from DuckDB's values straight into Arrow buffers: fixed-width columns are
 * written into typed arrays with a validity bitmap, with no JavaScript row objects in between.
 */
export function duckdbColumnsToArrow(columns: ReadonlyArray<{ name: string; type: DuckDBType }>, values: ReadonlyArray<readonly DuckDBValue[]>): Table {
  const fields: Field[] = [];
  const data: Data[] = [];
  columns.forEach((column, i) => {
    const c = conversion(column.type, column.name);
    fields.push(new Field(column.name, c.type, true));
    // A result with no rows has no chunks, and so no column arrays.
    data.push(toData(c, values[i] ?? []));
  });
  const length = values[0]?.length ?? 0;
  const struct = makeData({ type: new Struct(fields), length, nullCount: 0, children: data });
  return new Table([new RecordBatch(new Schema(fields), struct)]);
}
