import type { DatasetPlan, GroupJoin } from './plan.js';

const q = (name: string) => `"${name.replaceAll('"', '""')}"`;

function instant(expression: string, kind: 'number' | 'text' | 'timestamp'): string {
  if (kind === 'number') return `to_timestamp(CAST(${expression} AS DOUBLE))`;
  if (kind === 'text') return `CAST(${expression} AS TIMESTAMPTZ)`;
  return `CAST(${expression} AS TIMESTAMPTZ)`;
}

const micros = (value: number) => `make_timestamptz(${Math.trunc(value)})`;

/** The candidate records of one group, as a CTE body. */
function candidates(plan: DatasetPlan, g: GroupJoin): string {
  const et = instant(q(g.eventTimeFeatureName), g.eventTimeType === 'Fractional' ? 'number' : 'text');
  const where: string[] = [];
  if (plan.asOfMicros !== undefined) where.push(`write_time <= ${micros(plan.asOfMicros)}`);
  if (plan.eventTimeRange) where.push(`${et} BETWEEN ${micros(plan.eventTimeRange.startMicros)} AND ${micros(plan.eventTimeRange.endMicros)}`);
  if (plan.includeDeletedRecords) where.push('NOT is_deleted');
  const qualify: string[] = [];
  if (!plan.includeDuplicatedRecords) {
    qualify.push(`row_number() OVER (PARTITION BY ${q(g.recordIdentifierFeatureName)}, ${et} ORDER BY write_time DESC, api_invocation_time DESC) = 1`);
  }
  const features = g.includedFeatureNames.map((f) => `${q(f)} AS ${q(`__f_${f}`)}`).join(', ');
  let body =
    `SELECT ${q(g.recordIdentifierFeatureName)} AS __id, ${et} AS __et, is_deleted AS __deleted${features ? `, ${features}` : ''} ` +
    `FROM ${q(g.featureGroupName)}${where.length ? ` WHERE ${where.join(' AND ')}` : ''}${qualify.length ? ` QUALIFY ${qualify.join(' AND ')}` : ''}`;
  if (!plan.pointInTime) {
    // The newest record per identifier overall.
    body = `SELECT * FROM (${body}) QUALIFY row_number() OVER (PARTITION BY __id ORDER BY __et DESC) = 1`;
  }
  return body;
}

/**
 * Compiles a plan to one DuckDB statement: an ASOF LEFT JOIN per group (newest at or before the
 * row's time), delete markers and maxAge turned into NULLs, base order kept by row number.
 */
export function compileToDuckDB(plan: DatasetPlan): string {
  const ctes = [
    `__base AS (SELECT *, row_number() OVER () AS __row, ${instant(q(plan.eventTimeFeatureName), plan.baseEventTimeKind)} AS __t FROM ${plan.baseRelation})`,
    ...plan.groups.map((g, i) => `__g${i} AS (${candidates(plan, g)})`),
  ];
  const taken = new Set(plan.baseColumns.map((c) => c.toLowerCase()));
  const select = plan.baseColumns.map((c) => `b.${q(c)}`);
  const joins: string[] = [];
  const filters: string[] = [];
  const recent = plan.recentRecordsPerIdentifier;
  plan.groups.forEach((g, i) => {
    const alias = `g${i}`;
    const on = plan.pointInTime
      ? `b.${q(g.targetFeatureNameInBase)} = ${alias}.__id AND b.__t >= ${alias}.__et`
      : `b.${q(g.targetFeatureNameInBase)} = ${alias}.__id`;
    // One candidate per row: ASOF picks the newest at or before the row's time. N candidates: a
    // plain join ranked by a window function (the shape SageMaker generates), kept to the top N.
    joins.push(`${plan.pointInTime && recent === undefined ? 'ASOF LEFT JOIN' : 'LEFT JOIN'} __g${i} ${alias} ON ${on}`);
    if (recent !== undefined) {
      filters.push(`${alias}.__id IS NULL OR row_number() OVER (PARTITION BY b.__row ORDER BY ${alias}.__et DESC) <= ${recent}`);
    }
    const missing = [`${alias}.__deleted`];
    if (g.maxAgeSeconds !== undefined) missing.push(`${alias}.__et < b.__t - to_microseconds(${Math.round(g.maxAgeSeconds * 1e6)})`);
    for (const f of g.includedFeatureNames) {
      let name = g.prefix ? `${g.prefix}${f}` : f;
      if (taken.has(name.toLowerCase())) name = `${g.featureGroupName}__${f}`;
      taken.add(name.toLowerCase());
      select.push(`CASE WHEN ${missing.join(' OR ')} THEN NULL ELSE ${alias}.${q(`__f_${f}`)} END AS ${q(name)}`);
    }
    if (g.joinType === 'inner') filters.push(`${alias}.__id IS NOT NULL AND NOT (${missing.join(' OR ')})`);
  });
  const where = filters.filter((f) => !f.includes('OVER'));
  const qualify = filters.filter((f) => f.includes('OVER'));
  const order = recent === undefined ? 'b.__row' : `b.__row, ${plan.groups.map((_, i) => `g${i}.__et DESC`).join(', ')}`;
  return (
    `WITH ${ctes.join(',\n')}\n` +
    `SELECT ${select.join(', ')}\nFROM __base b\n${joins.join('\n')}\n` +
    `${where.length ? `WHERE ${where.map((f) => `(${f})`).join(' AND ')}\n` : ''}` +
    `${qualify.length ? `QUALIFY ${qualify.map((f) => `(${f})`).join(' AND ')}\n` : ''}` +
    `ORDER BY ${order}${plan.limit === undefined ? '' : `\nLIMIT ${plan.limit}`}`
  );
}
