import {
  Bool,
  Field,
  Float64,
  Int32,
  Int64,
  List,
  makeBuilder,
  Table,
  TimestampMicrosecond,
  Utf8,
  type DataType,
  type Vector,
} from 'apache-arrow';

/** The Arrow type of a DuckDB column type; unknown types travel as text. */
export function arrowType(duckdbType: string): DataType {
  const t = duckdbType.toUpperCase();
  if (t.endsWith('[]')) return new List(new Field('element', arrowType(t.slice(0, -2)), true));
  if (t === 'BIGINT' || t === 'HUGEINT' || t === 'UBIGINT') return new Int64();
  if (t === 'INTEGER' || t === 'SMALLINT' || t === 'TINYINT') return new Int32();
  if (t === 'DOUBLE' || t === 'FLOAT' || t.startsWith('DECIMAL')) return new Float64();
  if (t === 'BOOLEAN') return new Bool();
  if (t === 'TIMESTAMP WITH TIME ZONE' || t === 'TIMESTAMPTZ') return new TimestampMicrosecond('UTC');
  if (t === 'TIMESTAMP') return new TimestampMicrosecond();
  return new Utf8();
}

function arrowValue(type: DataType, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (type instanceof Int64) return BigInt(value as bigint);
  if (type instanceof TimestampMicrosecond) return value instanceof Date ? value.getTime() : Number(value);
  if (type instanceof List) return (value as unknown[]).map((v) => arrowValue(type.children[0]!.type, v));
  if (type instanceof Utf8 && typeof value !== 'string') return String(value);
  return value;
}

/** Builds an Arrow table from rows, keeping int64 exact (BigInt64Array). */
export function toArrowTable(columns: Array<{ name: string; type: string }>, rows: Array<Record<string, unknown>>): Table {
  return columnsToArrowTable(
    columns,
    columns.map((c) => rows.map((row) => row[c.name])),
  );
}

/** Builds an Arrow table from column arrays (no row objects in between: the fast path). */
export function columnsToArrowTable(columns: Array<{ name: string; type: string }>, values: unknown[][]): Table {
  const vectors: Record<string, Vector> = {};
  columns.forEach((column, i) => {
    const type = arrowType(column.type);
    const builder = makeBuilder({ type, nullValues: [null, undefined] });
    for (const value of values[i]!) builder.append(arrowValue(type, value) as never);
    vectors[column.name] = builder.finish().toVector();
  });
  return new Table(vectors);
}
