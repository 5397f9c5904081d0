import duckdb from '@duckdb/node-bindings';
import { DuckDBTypeId, DuckDBVector, type DuckDBArrayType, type DuckDBDecimalType, type DuckDBEnumType, type DuckDBListType, type DuckDBType } from '@duckdb/node-api';
import {
  Binary,
  Bool,
  DateDay,
  Dictionary,
  Field,
  Float32,
  Float64,
  Int16,
  Int32,
  Int64,
  Int8,
  List,
  makeData,
  makeVector,
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

/**
 * Arrow columns built from DuckDB's own vector buffers, one data chunk at a time, with as little
 * work per value as the layouts allow. DuckDB's validity masks are little-endian 64-bit words, bit
 * i for row i: byte for byte Arrow's validity bitmap, so they are copied, not decoded. Fixed-width
 * values are copied as typed arrays. Strings are 16-byte `string_t`s (length, then the bytes
 * inline up to 12, else a pointer), written straight into Arrow's offsets and bytes without
 * becoming JavaScript strings.
 */
export interface ColumnBuilder {
  readonly type: DataType;
  /** Appends rows [start, start + count) of a DuckDB vector. */
  append(vector: duckdb.Vector, start: number, count: number): void;
  finish(): Data;
}

type TypedArray = Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array | Float32Array | Float64Array | BigInt64Array | BigUint64Array;
type TypedArrayClass = { new (length: number): TypedArray; new (buffer: ArrayBufferLike, byteOffset: number, length: number): TypedArray; BYTES_PER_ELEMENT: number };

function grown<T extends TypedArray>(array: T, needed: number): T {
  if (needed <= array.length) return array;
  const next = new (array.constructor as TypedArrayClass)(Math.max(needed, array.length * 2, 1024)) as T;
  next.set(array as never);
  return next;
}

/** A view of a vector's data as `count` elements of `Type` (DuckDB aligns its buffers). */
function view(vector: duckdb.Vector, Type: TypedArrayClass, count: number): TypedArray {
  const bytes = duckdb.vector_get_data(vector, count * Type.BYTES_PER_ELEMENT);
  return new Type(bytes.buffer, bytes.byteOffset, count);
}

/** DuckDB's validity of rows [0, end), or null when every row is valid. */
const validityOf = (vector: duckdb.Vector, end: number): Uint8Array | null => duckdb.vector_get_validity(vector, Math.ceil(end / 64) * 8);

const isValid = (mask: Uint8Array | null, row: number) => mask === null || (mask[row >> 3]! & (1 << (row & 7))) !== 0;

const POPCOUNT = Uint8Array.from({ length: 256 }, (_, b) => {
  let n = 0;
  for (let v = b; v; v >>= 1) n += v & 1;
  return n;
});

/** An Arrow validity bitmap, allocated only once a null is possible. */
class Validity {
  private bits: Uint8Array | null = null;
  length = 0;

  append(mask: Uint8Array | null, start: number, count: number): void {
    const at = this.length;
    this.length += count;
    if (mask === null && this.bits === null) return;
    if (this.bits === null) {
      this.bits = new Uint8Array(Math.max(1024, (this.length >> 3) * 2 + 1));
      this.setOnes(0, at);
    }
    this.bits = grown(this.bits, (this.length >> 3) + 1);
    if (mask === null) return this.setOnes(at, count);
    if ((at & 7) === 0 && (start & 7) === 0) {
      this.bits.set(mask.subarray(start >> 3, (start + count + 7) >> 3), at >> 3);
      // Bits past the last row belong to no row here: clear them for the next append.
      const tail = (at + count) & 7;
      if (tail) this.bits[(at + count) >> 3]! &= (1 << tail) - 1;
      return;
    }
    for (let i = 0; i < count; i++) if (isValid(mask, start + i)) this.bits[(at + i) >> 3]! |= 1 << ((at + i) & 7);
  }

  private setOnes(from: number, count: number): void {
    const bits = this.bits!;
    let i = from;
    const end = from + count;
    for (; i < end && i & 7; i++) bits[i >> 3]! |= 1 << (i & 7);
    const wholeEnd = end & ~7;
    if (i < wholeEnd) {
      bits.fill(0xff, i >> 3, wholeEnd >> 3);
      i = wholeEnd;
    }
    for (; i < end; i++) bits[i >> 3]! |= 1 << (i & 7);
  }

  finish(): { nullBitmap: Uint8Array; nullCount: number } {
    if (this.bits === null) return { nullBitmap: new Uint8Array(0), nullCount: 0 };
    const nullBitmap = this.bits.subarray(0, (this.length + 7) >> 3);
    let valid = 0;
    for (let i = 0; i < nullBitmap.length; i++) valid += POPCOUNT[nullBitmap[i]!]!;
    return { nullBitmap, nullCount: this.length - valid };
  }
}

/** Fixed-width values whose DuckDB and Arrow layouts agree: copied chunk by chunk. */
class FixedBuilder implements ColumnBuilder {
  private values: TypedArray;
  private readonly validity = new Validity();

  constructor(
    readonly type: DataType,
    Out: TypedArrayClass,
    /** DuckDB's layout, when it differs from Arrow's only in width (set() converts). */
    private readonly In: TypedArrayClass = Out,
  ) {
    this.values = new Out(0);
  }

  append(vector: duckdb.Vector, start: number, count: number): void {
    const at = this.validity.length;
    this.values = grown(this.values, at + count);
    this.values.set(view(vector, this.In, start + count).subarray(start, start + count) as never, at);
    this.validity.append(validityOf(vector, start + count), start, count);
  }

  finish(): Data {
    const length = this.validity.length;
    return makeData({ type: this.type, length, ...this.validity.finish(), data: this.values.subarray(0, length) } as never);
  }
}

/** Values converted one by one from DuckDB's layout (booleans, HUGEINT, DECIMAL). */
class ConvertedBuilder implements ColumnBuilder {
  private values: TypedArray;
  private readonly validity = new Validity();

  constructor(
    readonly type: DataType,
    private readonly Out: TypedArrayClass,
    private readonly convert: (vector: duckdb.Vector, end: number) => (row: number) => number | bigint,
    private readonly bitPacked = false,
  ) {
    this.values = new Out(0);
  }

  append(vector: duckdb.Vector, start: number, count: number): void {
    const at = this.validity.length;
    const mask = validityOf(vector, start + count);
    const read = this.convert(vector, start + count);
    if (this.bitPacked) {
      this.values = grown(this.values, ((at + count) >> 3) + 1);
      for (let i = 0; i < count; i++) if (isValid(mask, start + i) && read(start + i)) this.values[(at + i) >> 3] = (this.values[(at + i) >> 3] as number) | (1 << ((at + i) & 7));
    } else {
      this.values = grown(this.values, at + count);
      const values = this.values as unknown as Array<number | bigint>;
      for (let i = 0; i < count; i++) if (isValid(mask, start + i)) values[at + i] = read(start + i);
    }
    this.validity.append(mask, start, count);
  }

  finish(): Data {
    const length = this.validity.length;
    const data = this.values.subarray(0, this.bitPacked ? (length + 7) >> 3 : length);
    return makeData({ type: this.type, length, ...this.validity.finish(), data } as never);
  }
}

/** VARCHAR and BLOB: `string_t`s into offsets and bytes. */
class BytesBuilder implements ColumnBuilder {
  private offsets = new Int32Array(1024);
  private bytes = new Uint8Array(1 << 16);
  private readonly validity = new Validity();

  constructor(readonly type: Utf8 | Binary) {}

  append(vector: duckdb.Vector, start: number, count: number): void {
    const at = this.validity.length;
    const end = start + count;
    const raw = duckdb.vector_get_data(vector, end * 16);
    const words = new Uint32Array(raw.buffer, raw.byteOffset, end * 4);
    const mask = validityOf(vector, end);
    this.offsets = grown(this.offsets, at + count + 1);
    let used = this.offsets[at]!;
    for (let row = start; row < end; row++) {
      if (isValid(mask, row)) {
        const length = words[row * 4]!;
        if (this.bytes.length - used < length) this.bytes = grown(this.bytes, used + length);
        if (length <= 12) this.bytes.set(raw.subarray(row * 16 + 4, row * 16 + 4 + length), used);
        else this.bytes.set(duckdb.get_data_from_pointer(raw.buffer as ArrayBuffer, raw.byteOffset + row * 16 + 8, length), used);
        used += length;
      }
      this.offsets[at + row - start + 1] = used;
    }
    this.validity.append(mask, start, count);
  }

  finish(): Data {
    const length = this.validity.length;
    const valueOffsets = this.offsets.subarray(0, length + 1);
    return makeData({ type: this.type, length, ...this.validity.finish(), valueOffsets, data: this.bytes.subarray(0, valueOffsets[length]!) } as never);
  }
}

/** ENUM: a dictionary of its values; DuckDB's unsigned indices widened to Int32 (Arrow prefers signed ones). */
class EnumBuilder implements ColumnBuilder {
  readonly type = new Dictionary(new Utf8(), new Int32());
  private readonly indices: FixedBuilder;

  constructor(private readonly enumType: DuckDBEnumType) {
    const internal = enumType.internalTypeId;
    this.indices = new FixedBuilder(new Int32(), Int32Array, internal === DuckDBTypeId.UTINYINT ? Uint8Array : internal === DuckDBTypeId.USMALLINT ? Uint16Array : Uint32Array);
  }

  append(vector: duckdb.Vector, start: number, count: number): void {
    this.indices.append(vector, start, count);
  }

  finish(): Data {
    const indices = this.indices.finish();
    const dictionary = makeVector(utf8Data(this.enumType.values, new Uint8Array(0), 0));
    return makeData({ type: this.type, length: indices.length, nullCount: indices.nullCount, nullBitmap: indices.nullBitmap, data: indices.values, dictionary } as never);
  }
}

/** LIST and ARRAY: offsets, and the child's rows appended in runs. */
class ListBuilder implements ColumnBuilder {
  readonly type: List;
  private offsets = new Int32Array(1024);
  private readonly validity = new Validity();

  constructor(
    private readonly child: ColumnBuilder,
    /** Each row's (offset, length) in the child vector, and the child vector. */
    private readonly entries: (vector: duckdb.Vector, end: number) => { child: duckdb.Vector; offset: (row: number) => number; length: (row: number) => number },
  ) {
    this.type = new List(new Field('element', child.type, true));
  }

  append(vector: duckdb.Vector, start: number, count: number): void {
    const at = this.validity.length;
    const end = start + count;
    const mask = validityOf(vector, end);
    const { child, offset, length } = this.entries(vector, end);
    this.offsets = grown(this.offsets, at + count + 1);
    let used = this.offsets[at]!;
    let runStart = 0;
    let runLength = 0;
    for (let row = start; row < end; row++) {
      if (isValid(mask, row)) {
        const o = offset(row);
        const n = length(row);
        if (runLength > 0 && o !== runStart + runLength) {
          this.child.append(child, runStart, runLength);
          runLength = 0;
        }
        if (runLength === 0) runStart = o;
        runLength += n;
        used += n;
      }
      this.offsets[at + row - start + 1] = used;
    }
    if (runLength > 0) this.child.append(child, runStart, runLength);
    this.validity.append(mask, start, count);
  }

  finish(): Data {
    const length = this.validity.length;
    return makeData({ type: this.type, length, ...this.validity.finish(), valueOffsets: this.offsets.subarray(0, length + 1), child: this.child.finish() } as never);
  }
}

/** Types Arrow or Floe has no use for (STRUCT, MAP, INTERVAL, UUID, TIME, ...) travel as DuckDB's text. */
class TextBuilder implements ColumnBuilder {
  readonly type = new Utf8();
  private readonly texts: Array<string | null> = [];

  constructor(private readonly duckdbType: DuckDBType) {}

  append(vector: duckdb.Vector, start: number, count: number): void {
    const values = DuckDBVector.create(vector, start + count, this.duckdbType);
    for (let row = start; row < start + count; row++) {
      const value = values.getItem(row);
      this.texts.push(value === null ? null : String(value));
    }
  }

  finish(): Data {
    const { nullBitmap, nullCount } = nullsOf(this.texts);
    return utf8Data(this.texts, nullBitmap, nullCount);
  }
}

function nullsOf(values: ReadonlyArray<unknown>): { nullBitmap: Uint8Array; nullCount: number } {
  const nullBitmap = new Uint8Array(Math.ceil(values.length / 8));
  let nullCount = 0;
  for (let i = 0; i < values.length; i++) {
    if (values[i] === null) nullCount++;
    else nullBitmap[i >> 3]! |= 1 << (i & 7);
  }
  return { nullBitmap, nullCount };
}

const encoder = new TextEncoder();

/** JavaScript strings to Utf8 offsets and bytes (apache-arrow's builder costs seconds per million strings). */
function utf8Data(strings: ReadonlyArray<string | null>, nullBitmap: Uint8Array, nullCount: number): Data<Utf8> {
  const valueOffsets = new Int32Array(strings.length + 1);
  let bytes = new Uint8Array(Math.max(64, strings.length * 16));
  let end = 0;
  for (let i = 0; i < strings.length; i++) {
    const text = strings[i];
    if (text) {
      // encodeInto never writes more than 3 bytes per UTF-16 unit.
      bytes = grown(bytes, end + text.length * 3);
      end += encoder.encodeInto(text, bytes.subarray(end)).written;
    }
    valueOffsets[i + 1] = end;
  }
  return makeData({ type: new Utf8(), length: strings.length, nullCount, nullBitmap, valueOffsets, data: bytes.subarray(0, end) });
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

function hugeInt(column: string, unsigned: boolean) {
  return (vector: duckdb.Vector, end: number) => {
    const words = view(vector, BigUint64Array, end * 2) as BigUint64Array;
    return (row: number) => {
      const upper = unsigned ? words[row * 2 + 1]! : BigInt.asIntN(64, words[row * 2 + 1]!);
      const value = (upper << 64n) | words[row * 2]!;
      if (value < INT64_MIN || value > INT64_MAX) {
        throw new ValidationError(`sql: column '${column}' holds ${value}, beyond a 64-bit integer; CAST it to DOUBLE or VARCHAR for Arrow`, { field: 'sql' });
      }
      return value;
    };
  };
}

function decimal(type: DuckDBDecimalType) {
  const scale = 10 ** type.scale;
  const Internal: TypedArrayClass = type.width <= 4 ? Int16Array : type.width <= 9 ? Int32Array : type.width <= 18 ? BigInt64Array : BigUint64Array;
  return (vector: duckdb.Vector, end: number) => {
    if (Internal === BigUint64Array) {
      const words = view(vector, BigUint64Array, end * 2) as BigUint64Array;
      return (row: number) => Number((BigInt.asIntN(64, words[row * 2 + 1]!) << 64n) | words[row * 2]!) / scale;
    }
    const values = view(vector, Internal, end);
    return (row: number) => Number(values[row]!) / scale;
  };
}

/**
 * The builder for a DuckDB type. Integers keep their width (int64 in a BigInt64Array, exact);
 * timestamps keep DuckDB's unit and raw count (microseconds for TIMESTAMP and TIMESTAMPTZ, nothing
 * rounded to a JavaScript Date); HUGEINT (what sum(BIGINT) returns) becomes Int64 when its values
 * fit and fails otherwise; DECIMAL becomes Float64; ENUM a dictionary; ARRAY (fixed-size vectors)
 * a List like LIST.
 */
export function columnBuilder(type: DuckDBType, column: string): ColumnBuilder {
  switch (type.typeId) {
    case DuckDBTypeId.BOOLEAN:
      return new ConvertedBuilder(new Bool(), Uint8Array, (vector, end) => {
        const bytes = view(vector, Uint8Array, end);
        return (row) => bytes[row]!;
      }, true);
    case DuckDBTypeId.TINYINT:
      return new FixedBuilder(new Int8(), Int8Array);
    case DuckDBTypeId.SMALLINT:
      return new FixedBuilder(new Int16(), Int16Array);
    case DuckDBTypeId.INTEGER:
      return new FixedBuilder(new Int32(), Int32Array);
    case DuckDBTypeId.BIGINT:
      return new FixedBuilder(new Int64(), BigInt64Array);
    case DuckDBTypeId.UTINYINT:
      return new FixedBuilder(new Uint8(), Uint8Array);
    case DuckDBTypeId.USMALLINT:
      return new FixedBuilder(new Uint16(), Uint16Array);
    case DuckDBTypeId.UINTEGER:
      return new FixedBuilder(new Uint32(), Uint32Array);
    case DuckDBTypeId.UBIGINT:
      return new FixedBuilder(new Uint64(), BigUint64Array);
    case DuckDBTypeId.HUGEINT:
    case DuckDBTypeId.UHUGEINT:
      return new ConvertedBuilder(new Int64(), BigInt64Array, hugeInt(column, type.typeId === DuckDBTypeId.UHUGEINT));
    case DuckDBTypeId.FLOAT:
      return new FixedBuilder(new Float32(), Float32Array);
    case DuckDBTypeId.DOUBLE:
      return new FixedBuilder(new Float64(), Float64Array);
    case DuckDBTypeId.DECIMAL:
      return new ConvertedBuilder(new Float64(), Float64Array, decimal(type as DuckDBDecimalType));
    case DuckDBTypeId.DATE:
      return new FixedBuilder(new DateDay(), Int32Array);
    case DuckDBTypeId.TIMESTAMP:
      return new FixedBuilder(new TimestampMicrosecond(), BigInt64Array);
    case DuckDBTypeId.TIMESTAMP_TZ:
      return new FixedBuilder(new TimestampMicrosecond('UTC'), BigInt64Array);
    case DuckDBTypeId.TIMESTAMP_S:
      return new FixedBuilder(new TimestampSecond(), BigInt64Array);
    case DuckDBTypeId.TIMESTAMP_MS:
      return new FixedBuilder(new TimestampMillisecond(), BigInt64Array);
    case DuckDBTypeId.TIMESTAMP_NS:
      return new FixedBuilder(new TimestampNanosecond(), BigInt64Array);
    case DuckDBTypeId.VARCHAR:
      return new BytesBuilder(new Utf8());
    case DuckDBTypeId.BLOB:
      return new BytesBuilder(new Binary());
    case DuckDBTypeId.ENUM:
      return new EnumBuilder(type as DuckDBEnumType);
    case DuckDBTypeId.LIST:
      return new ListBuilder(columnBuilder((type as DuckDBListType).valueType, column), (vector, end) => {
        const entries = view(vector, BigUint64Array, end * 2) as BigUint64Array;
        return { child: duckdb.list_vector_get_child(vector), offset: (row) => Number(entries[row * 2]!), length: (row) => Number(entries[row * 2 + 1]!) };
      });
    case DuckDBTypeId.ARRAY: {
      const size = (type as DuckDBArrayType).length;
      return new ListBuilder(columnBuilder((type as DuckDBArrayType).valueType, column), (vector) => ({
        child: duckdb.array_vector_get_child(vector),
        offset: (row) => row * size,
        length: () => size,
      }));
    }
    default:
      return new TextBuilder(type);
  }
}
