/** Iceberg schemas: structs of fields with ids; lists carry an element id. */
export type PrimitiveType = 'boolean' | 'int' | 'long' | 'double' | 'string' | 'timestamptz';

export interface ListType {
  type: 'list';
  'element-id': number;
  element: PrimitiveType;
  'element-required': boolean;
}

export type IcebergType = PrimitiveType | ListType;

export interface NestedField {
  id: number;
  name: string;
  required: boolean;
  type: IcebergType;
  doc?: string;
}

export interface IcebergSchema {
  type: 'struct';
  'schema-id': number;
  fields: NestedField[];
}

/** The highest field or element id a schema uses. */
export function highestFieldId(schema: IcebergSchema): number {
  let max = 0;
  for (const f of schema.fields) {
    max = Math.max(max, f.id);
    if (typeof f.type === 'object') max = Math.max(max, f.type['element-id']);
  }
  return max;
}

/** DuckDB's type for an Iceberg type (for views over data files and casts when writing). */
export function duckdbType(type: IcebergType): string {
  if (typeof type === 'object') return `${duckdbType(type.element)}[]`;
  return { boolean: 'BOOLEAN', int: 'INTEGER', long: 'BIGINT', double: 'DOUBLE', string: 'VARCHAR', timestamptz: 'TIMESTAMPTZ' }[type];
}
