// The seed walkthrough with the official AWS SDK for JavaScript, unchanged SageMaker Feature Store
// code pointed at a running Floe: only the endpoint and the credentials differ.
//
//   npx floe serve                       # prints its URL and where the admin key is
//   FLOE_ENDPOINT=http://127.0.0.1:8080 AWS_ACCESS_KEY_ID=... AWS_SECRET_ACCESS_KEY=... \
//     npx tsx examples/seed-walkthrough-aws-sdk.ts
//
// `npm test` type-checks it and runs it against a server it starts.
import { CreateFeatureGroupCommand, DeleteFeatureGroupCommand, DescribeFeatureGroupCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import {
  BatchGetRecordCommand,
  DeleteRecordCommand,
  GetRecordCommand,
  ListRecordsCommand,
  PutRecordCommand,
  SageMakerFeatureStoreRuntimeClient,
  type FeatureValue,
} from '@aws-sdk/client-sagemaker-featurestore-runtime';

// The only Floe-specific lines: where the server is and its key (from `floe keys create`).
const config = {
  endpoint: process.env.FLOE_ENDPOINT ?? 'http://127.0.0.1:8080',
  region: process.env.AWS_REGION ?? 'us-east-1',
  credentials: { accessKeyId: process.env.AWS_ACCESS_KEY_ID ?? '', secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY ?? '' },
};
const sagemaker = new SageMakerClient(config);
const runtime = new SageMakerFeatureStoreRuntimeClient(config);
const GROUP = 'user-feature-group';

const record = (values: Record<string, string | string[]>): FeatureValue[] =>
  Object.entries(values).map(([FeatureName, v]) => (Array.isArray(v) ? { FeatureName, ValueAsStringList: v } : { FeatureName, ValueAsString: v }));
const plain = (r: FeatureValue[] | undefined) => Object.fromEntries((r ?? []).map((f) => [f.FeatureName, f.ValueAsStringList ?? f.ValueAsString]));

try {
  await sagemaker.send(new DescribeFeatureGroupCommand({ FeatureGroupName: GROUP }));
  await sagemaker.send(new DeleteFeatureGroupCommand({ FeatureGroupName: GROUP }));
} catch (error) {
  if ((error as Error).name !== 'ResourceNotFound') throw error;
}
await sagemaker.send(
  new CreateFeatureGroupCommand({
    FeatureGroupName: GROUP,
    RecordIdentifierFeatureName: 'user_id',
    EventTimeFeatureName: 'event_time',
    FeatureDefinitions: [
      { FeatureName: 'user_id', FeatureType: 'String' },
      { FeatureName: 'event_time', FeatureType: 'String' },
      { FeatureName: 'age', FeatureType: 'Integral' },
      { FeatureName: 'score', FeatureType: 'Fractional' },
      { FeatureName: 'clicks', FeatureType: 'Integral' },
      { FeatureName: 'tags', FeatureType: 'String', CollectionType: 'List' },
    ],
    OnlineStoreConfig: { EnableOnlineStore: true },
    OfflineStoreConfig: { S3StorageConfig: { S3Uri: 's3://features/users' }, TableFormat: 'Iceberg' },
  }),
);
// SageMaker creates groups asynchronously; wait for Created as code written for it does.
while ((await sagemaker.send(new DescribeFeatureGroupCommand({ FeatureGroupName: GROUP }))).FeatureGroupStatus === 'Creating') {
  await new Promise((resolve) => setTimeout(resolve, 200));
}

const nine = [
  { user_id: 'u1', event_time: '2025-01-01T00:00:00Z', age: '30', score: '0.5', clicks: '9007199254740993', tags: ['a'] },
  { user_id: 'u1', event_time: '2025-01-03T00:00:00Z', age: '31', score: '0.75', clicks: '-9223372036854775808', tags: ['a', 'b'] },
  { user_id: 'u1', event_time: '2025-01-02T00:00:00Z', age: '99', score: '0.1', clicks: '1', tags: [] },
  { user_id: 'u2', event_time: '2025-02-01T00:00:00Z', age: '40', score: '1.5', clicks: '2', tags: ['x'] },
  { user_id: 'u2', event_time: '2025-02-02T00:00:00Z', age: '41', score: '2.5', clicks: '3', tags: ['x', 'y'] },
  { user_id: 'u2', event_time: '2025-01-15T00:00:00Z', age: '39', score: '0.5', clicks: '4', tags: [] },
  { user_id: 'u3', event_time: '2025-03-01T00:00:00Z', age: '50', score: '3', clicks: '5', tags: [] },
  { user_id: 'u3', event_time: '2025-03-01T12:00:00+02:00', age: '51', score: '3.5', clicks: '6', tags: ['z'] },
  { user_id: 'u3', event_time: '2025-02-28T00:00:00Z', age: '49', score: '2', clicks: '7', tags: [] },
];
for (const r of nine) await runtime.send(new PutRecordCommand({ FeatureGroupName: GROUP, Record: record(r) }));
console.log(`put ${nine.length} records`);

const u1 = await runtime.send(new GetRecordCommand({ FeatureGroupName: GROUP, RecordIdentifierValueAsString: 'u1' }));
console.log('get u1', JSON.stringify(plain(u1.Record)));
const batch = await runtime.send(
  new BatchGetRecordCommand({ Identifiers: [{ FeatureGroupName: GROUP, RecordIdentifiersValueAsString: ['u1', 'u2', 'u3'], FeatureNames: ['event_time', 'age'] }] }),
);
for (const r of batch.Records ?? []) console.log('batch', r.RecordIdentifierValueAsString, JSON.stringify(plain(r.Record)));

await runtime.send(new DeleteRecordCommand({ FeatureGroupName: GROUP, RecordIdentifierValueAsString: 'u2', EventTime: '2025-02-03T00:00:00Z' }));
const gone = await runtime.send(new GetRecordCommand({ FeatureGroupName: GROUP, RecordIdentifierValueAsString: 'u2' }));
console.log('get u2 after delete', gone.Record === undefined ? 'no record' : JSON.stringify(plain(gone.Record)));
const listed = await runtime.send(new ListRecordsCommand({ FeatureGroupName: GROUP }));
console.log('records', [...(listed.RecordIdentifiers ?? [])].sort().join(','));

// Training and batch-inference sets are not part of SageMaker's API (its Python SDK builds them
// with Athena over the offline store). With Floe: `floe dataset ...` or store.createDataset(...),
// as in examples/seed-walkthrough.ts, over the same Iceberg table.
sagemaker.destroy();
runtime.destroy();
