import type { FeatureDefinition, FeatureGroup } from '../domain/index.js';
import type { IcebergSchema, IcebergType, NestedField, PrimitiveType } from './iceberg/schema.js';

/** The columns every offline row carries after the features, as SageMaker's offline store has them. */
export const SYSTEM_COLUMNS: Array<{ name: string; type: PrimitiveType }> = [
  { name: 'write_time', type: 'timestamptz' },
  { name: 'api_invocation_time', type: 'timestamptz' },
  { name: 'is_deleted', type: 'boolean' },
];

export function icebergTypeOf(feature: FeatureDefinition): IcebergType {
  const element: PrimitiveType = { Integral: 'long', Fractional: 'double', String: 'string' }[feature.featureType] as PrimitiveType;
  if (!feature.collectionType) return element;
  return { type: 'list', 'element-id': 0, element, 'element-required': false };
}

/** The table schema of a new feature group; ids numbered from 1, list elements after their field. */
export function initialSchema(group: FeatureGroup): IcebergSchema {
  let id = 0;
  const field = (name: string, type: IcebergType, doc?: string): NestedField => {
    const fieldId = ++id;
    const t = typeof type === 'object' ? { ...type, 'element-id': ++id } : type;
    return { id: fieldId, name, required: false, type: t, ...(doc ? { doc } : {}) };
  };
  const fields = [...group.features.map((f) => field(f.featureName, icebergTypeOf(f))), ...SYSTEM_COLUMNS.map((c) => field(c.name, c.type))];
  return { type: 'struct', 'schema-id': 0, fields };
}

/** Features of the group not yet in the table (schema evolution adds them). */
export function missingFeatures(group: FeatureGroup, schema: IcebergSchema): Array<Omit<NestedField, 'id'>> {
  const present = new Set(schema.fields.map((f) => f.name.toLowerCase()));
  return group.features
    .filter((f) => !present.has(f.featureName.toLowerCase()))
    .map((f) => ({ name: f.featureName, type: icebergTypeOf(f), required: false }));
}

/** Iceberg's name mapping (`schema.name-mapping.default`): lets readers map files without ids. */
export function nameMapping(schema: IcebergSchema): string {
  return JSON.stringify(
    schema.fields.map((f) =>
      typeof f.type === 'object'
        ? { 'field-id': f.id, names: [f.name], fields: [{ 'field-id': f.type['element-id'], names: ['element'] }] }
        : { 'field-id': f.id, names: [f.name] },
    ),
  );
}
