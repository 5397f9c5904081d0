import type { Feature, FeatureGroup } from '../domain/index.js';

/** Builds the SQL that checks and shapes a file's rows in DuckDB, so bulk ingest never loops in JS per row. */
const q = (name: string) => `"${name.replaceAll('"', '""')}"`;
const text = (s: string) => `'${s.replaceAll("'", "''")}'`;

/** ISO-8601 with a zone designator, as the event-time rule demands (see domain/event-time.ts). */
const ISO_WITH_ZONE = String.raw`^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}([.,]\d{1,9})?)?(Z|z|[+-]\d{2}(:?\d{2})?)$`;

function scalarType(f: Feature): string {
  return { Integral: 'BIGINT', Fractional: 'DOUBLE', String: 'VARCHAR' }[f.featureType];
}

export function targetType(f: Feature): string {
  return f.collectionType ? `${scalarType(f)}[]` : scalarType(f);
}

/**
 * Features whose file column is text but which hold collections (a CSV cell such as `[1, 2]` or
 * `["a", "b"]`): their values are read as JSON arrays.
 */
export type JsonTextColumns = ReadonlySet<string>;

/** The feature's value as read from the file: a JSON-array text column parsed as JSON. */
export function sourceValue(f: Feature, jsonText?: JsonTextColumns): string {
  return jsonText?.has(f.featureName) ? `TRY_CAST(${q(f.featureName)} AS JSON)` : q(f.featureName);
}

/** A CASE arm per problem: the first that applies is the row's reason (NULL when the value is fine). */
function problems(group: FeatureGroup, f: Feature, jsonText?: JsonTextColumns): Array<[string, string]> {
  const v = q(f.featureName);
  const out: Array<[string, string]> = [];
  const isId = f.featureName === group.recordIdentifierFeatureName;
  const isEventTime = f.featureName === group.eventTimeFeatureName;
  if (isId) out.push([`${v} IS NULL`, 'the record identifier is required']);
  if (isEventTime) out.push([`${v} IS NULL`, 'the event time is required']);
  if (f.collectionType) {
    const src = sourceValue(f, jsonText);
    const list = `TRY_CAST(${src} AS ${targetType(f)})`;
    if (jsonText?.has(f.featureName)) {
      out.push([`${v} IS NOT NULL AND json_type(${src}) IS DISTINCT FROM 'ARRAY'`, `expected a ${f.collectionType} of ${f.featureType} as a JSON array (e.g. [1, 2])`]);
    }
    out.push([`${v} IS NOT NULL AND ${list} IS NULL`, `expected a ${f.collectionType} of ${f.featureType}`]);
    out.push([`${v} IS NOT NULL AND len(list_filter(${list}, x -> x IS NULL)) > 0`, `a ${f.collectionType} may not hold null`]);
    if (f.featureType === 'Integral') {
      out.push([`${v} IS NOT NULL AND len(list_filter(TRY_CAST(${src} AS DOUBLE[]), x -> x <> floor(x))) > 0`, 'expected whole numbers (Integral)']);
    }
    if (f.collectionType === 'Vector') {
      const d = f.collectionConfig!.vectorConfig.dimension;
      out.push([`${v} IS NOT NULL AND len(${list}) <> ${d}`, `a Vector of dimension ${d} needs ${d} values`]);
    }
    if (f.collectionType === 'Set') out.push([`${v} IS NOT NULL AND len(list_distinct(${list})) <> len(${list})`, 'a Set may not hold a value twice']);
    return out;
  }
  if (f.featureType === 'Integral') {
    out.push([`${v} IS NOT NULL AND (TRY_CAST(${v} AS BIGINT) IS NULL OR TRY_CAST(${v} AS DOUBLE) <> TRY_CAST(${v} AS BIGINT))`, 'expected an Integral (whole 64-bit number)']);
  } else if (f.featureType === 'Fractional') {
    out.push([`${v} IS NOT NULL AND (TRY_CAST(${v} AS DOUBLE) IS NULL OR NOT isfinite(TRY_CAST(${v} AS DOUBLE)))`, 'expected a finite Fractional (number)']);
  }
  if (isId && f.featureType === 'String') out.push([`CAST(${v} AS VARCHAR) = ''`, 'the record identifier must not be empty']);
  if (isEventTime && f.featureType === 'String') {
    out.push([
      `NOT regexp_matches(CAST(${v} AS VARCHAR), ${text(ISO_WITH_ZONE)}) OR TRY_CAST(CAST(${v} AS VARCHAR) AS TIMESTAMPTZ) IS NULL`,
      'is not an ISO-8601 date-time with a zone (e.g. 2025-01-01T00:00:00Z)',
    ]);
  }
  return out;
}

/** `CASE WHEN ... THEN 'field: reason' ... END`: the first problem of a row, or NULL. */
export function reasonExpression(group: FeatureGroup, present: Feature[], jsonText?: JsonTextColumns): string {
  const arms = present.flatMap((f) => problems(group, f, jsonText).map(([when, why]) => `WHEN ${when} THEN ${text(`${f.featureName}: ${why}`)}`));
  return arms.length === 0 ? 'NULL' : `CASE ${arms.join(' ')} END`;
}

/** The event time as epoch microseconds, for ordering records of one identifier. */
export function eventMicrosExpression(group: FeatureGroup): string {
  const f = group.features.find((x) => x.featureName === group.eventTimeFeatureName)!;
  const v = q(f.featureName);
  return f.featureType === 'Fractional'
    ? `CAST(round(TRY_CAST(${v} AS DOUBLE) * 1000000) AS BIGINT)`
    : `epoch_us(TRY_CAST(CAST(${v} AS VARCHAR) AS TIMESTAMPTZ))`;
}

/** Each present feature cast to its target type (String features accept any scalar, as text). */
export function castColumns(present: Feature[], jsonText?: JsonTextColumns): string {
  return present.map((f) => `${castValue(f, jsonText)} AS ${q(f.featureName)}`).join(', ');
}

/** The feature's value cast to its target type. */
export function castValue(f: Feature, jsonText?: JsonTextColumns): string {
  return `CAST(${sourceValue(f, jsonText)} AS ${targetType(f)})`;
}

export { q as quoteIdentifier };
