import { DuckDBInstance } from '@duckdb/node-api';
import { DatasetBuilder, DuckDBDatasetSource } from '../src/dataset/index.js';
import { featureGroup } from '../src/dataset/fixtures.suite.js';
const activity = featureGroup('activity', { user_id: 'Integral', event_time: 'Fractional', clicks: 'Integral', spend: 'Fractional' });
const instance = await DuckDBInstance.create(':memory:');
const duck = await instance.connect();
const p = '.bench-data/dataset-pit-base-1000000-100000.parquet';
const source = new DuckDBDatasetSource(duck, { groups: { activity: `read_parquet('.bench-data/dataset-pit-features-1000000-100000.parquet')` } });
console.log(await new DatasetBuilder(source, { base: { path: p }, recordIdentifierFeatureName: 'user_id', eventTimeFeatureName: 'event_time' }).withFeatureGroup(activity).pointInTimeAccurateJoin().toSQL());
