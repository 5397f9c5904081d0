import { DuckDBInstance } from '@duckdb/node-api';
const instance = await DuckDBInstance.create(':memory:', { threads: '2' });
const duck = await instance.connect();
const S = process.env.S ?? '1000000-100000';
const B = `read_parquet('.bench-data/dataset-pit-base-${S}.parquet')`;
const F = `read_parquet('.bench-data/dataset-pit-features-${S}.parquet')`;
const et = (c: string) => `make_timestamptz(CAST(round(CAST(${c} AS DOUBLE) * 1000000) AS BIGINT))`;
const cur = (order: boolean, rowno = true) => `WITH __floe_base AS (SELECT *, ${rowno ? 'row_number() OVER ()' : '0'} AS __floe_row, ${et('event_time')} AS __floe_t FROM ${B}),
__floe_g0 AS (SELECT "user_id" AS __floe_id, "user_id" AS __floe_j, __floe_et, struct_pack(t := __floe_et, w := CAST(write_time AS TIMESTAMPTZ), a := CAST(api_invocation_time AS TIMESTAMPTZ)) AS __floe_k, is_deleted AS __floe_deleted, "clicks" AS __floe_f1, "spend" AS __floe_f2 FROM (SELECT *, ${et('event_time')} AS __floe_et FROM ${F}) WHERE __floe_et IS NOT NULL)
SELECT * EXCLUDE (__floe_row) FROM (
SELECT b."user_id", b."event_time", b."label", CASE WHEN g0.__floe_id IS NOT NULL AND NOT g0.__floe_deleted THEN g0.__floe_f1 END AS "clicks", CASE WHEN g0.__floe_id IS NOT NULL AND NOT g0.__floe_deleted THEN g0.__floe_f2 END AS "spend", b.__floe_row
FROM __floe_base b
ASOF LEFT JOIN __floe_g0 g0 ON b."user_id" = g0.__floe_j AND CASE WHEN b.__floe_t IS NULL THEN NULL ELSE struct_pack(t := b.__floe_t, w := 'infinity'::TIMESTAMPTZ, a := 'infinity'::TIMESTAMPTZ) END >= g0.__floe_k
)${order ? ' ORDER BY __floe_row' : ''}`;
// dedup first by aggregation, then scalar ASOF
const dedupAgg = `WITH b AS (SELECT *, row_number() OVER () AS __floe_row, ${et('event_time')} AS __floe_t FROM ${B}),
g AS (SELECT user_id AS id, ${et('event_time')} AS et, arg_max(struct_pack(d := is_deleted, c := clicks, s := spend), struct_pack(w := write_time, a := api_invocation_time)) AS v FROM ${F} GROUP BY ALL)
SELECT b.user_id, b.event_time, b.label, CASE WHEN NOT g.v.d THEN g.v.c END AS clicks, CASE WHEN NOT g.v.d THEN g.v.s END AS spend FROM b ASOF LEFT JOIN g ON b.user_id = g.id AND b.__floe_t >= g.et ORDER BY __floe_row`;
const dedupQualify = `WITH b AS (SELECT *, row_number() OVER () AS __floe_row, ${et('event_time')} AS __floe_t FROM ${B}),
g AS (SELECT user_id AS id, ${et('event_time')} AS et, is_deleted, clicks, spend FROM ${F} QUALIFY row_number() OVER (PARTITION BY user_id, et ORDER BY write_time DESC, api_invocation_time DESC) = 1)
SELECT b.user_id, b.event_time, b.label, CASE WHEN NOT g.is_deleted THEN g.clicks END AS clicks, CASE WHEN NOT g.is_deleted THEN g.spend END AS spend FROM b ASOF LEFT JOIN g ON b.user_id = g.id AND b.__floe_t >= g.et ORDER BY __floe_row`;
// key as one sortable scalar: HUGEINT = et_micros * 2^64 + rank within (id, et)?  Use et then tie-breaker via struct only.
const handA = `SELECT b.*, f.clicks, f.spend FROM ${B} b ASOF LEFT JOIN (SELECT user_id, to_timestamp(event_time) AS et, clicks, spend FROM ${F} QUALIFY row_number() OVER (PARTITION BY user_id, event_time ORDER BY write_time DESC, api_invocation_time DESC) = 1) f ON b.user_id = f.user_id AND to_timestamp(b.event_time) >= f.et`;
const huge = `WITH __floe_base AS (SELECT *, row_number() OVER () AS __floe_row, ${et('event_time')} AS __floe_t FROM ${B}),
__floe_g0 AS (SELECT "user_id" AS __floe_j, is_deleted AS __floe_deleted, "clicks" AS __floe_f1, "spend" AS __floe_f2, (CAST(epoch_us(__floe_et) AS HUGEINT) << 64) + epoch_us(write_time) AS __floe_k FROM (SELECT *, ${et('event_time')} AS __floe_et FROM ${F}) WHERE __floe_et IS NOT NULL)
SELECT b."user_id", b."event_time", b."label", CASE WHEN NOT g0.__floe_deleted THEN g0.__floe_f1 END AS "clicks", CASE WHEN NOT g0.__floe_deleted THEN g0.__floe_f2 END AS "spend"
FROM __floe_base b
ASOF LEFT JOIN __floe_g0 g0 ON b."user_id" = g0.__floe_j AND (CAST(epoch_us(b.__floe_t) AS HUGEINT) << 64) + 9223372036854775807 >= g0.__floe_k ORDER BY b.__floe_row`;
const variants: Record<string, string> = { huge, handA, cur: cur(true), curNoOrder: cur(false), curNoRowNo: cur(false, false), dedupAgg, dedupQualify, dedupQualifyNoOrder: dedupQualify.replace(' ORDER BY __floe_row', '') };
const pick = process.argv.slice(2);
for (const [name, sql] of Object.entries(variants)) {
  if (pick.length && !pick.includes(name)) continue;
  const times: number[] = [];
  for (let r = 0; r < Number(process.env.R ?? 3); r++) {
    const c = process.cpuUsage();
    await duck.run(`CREATE OR REPLACE TEMP TABLE o AS ${sql}`);
    const d = process.cpuUsage(c);
    times.push((d.user + d.system) / 1e6);
  }
  const n = (await duck.runAndReadAll('SELECT count(*)::INT AS n FROM o')).getRowObjectsJS()[0]!.n;
  console.log(name.padEnd(22), times.map((t) => t.toFixed(2)).join(' '), n);
}
