import { DuckDBInstance } from '@duckdb/node-api';
const i = await DuckDBInstance.create(':memory:');
const c = await i.connect();
for (const sql of [
  `SELECT CAST(TIMESTAMPTZ '2025-01-01 00:00:00+00' AS TIMESTAMP(6) WITH TIME ZONE) AS x`,
  `SELECT TIMESTAMPTZ '2025-01-01 00:00:00+00' - INTERVAL '1.5' SECOND AS x`,
  `SELECT TIMESTAMPTZ '2025-01-01 00:00:00+00' - INTERVAL '604800' SECOND AS x`,
  `CREATE MACRO monotonically_increasing_id() AS row_number() OVER ()`,
  `SELECT monotonically_increasing_id() AS r, range FROM range(3)`,
  `SELECT CAST('2025-01-01T09:00:00+09:00' AS TIMESTAMP) AS x`,
]) {
  try { console.log((await c.runAndReadAll(sql)).getRowObjectsJson()); } catch (e) { console.log('ERR', sql, (e as Error).message.split('\n')[0]); }
}
