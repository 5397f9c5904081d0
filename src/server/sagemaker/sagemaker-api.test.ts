import {
  CreateFeatureGroupCommand,
  DeleteFeatureGroupCommand,
  DescribeFeatureGroupCommand,
  DescribeFeatureMetadataCommand,
  ListFeatureGroupsCommand,
  ResourceInUse,
  ResourceNotFound as ControlResourceNotFound,
  SearchCommand,
  UpdateFeatureGroupCommand,
  UpdateFeatureMetadataCommand,
  type SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import {
  BatchGetRecordCommand,
  BatchWriteRecordCommand,
  ConflictException,
  DeleteRecordCommand,
  GetRecordCommand,
  ListRecordsCommand,
  PutRecordCommand,
  ResourceNotFound,
  UpdateRecordCommand,
  ValidationError,
  type FeatureValue,
  type SageMakerFeatureStoreRuntimeClient,
} from '@aws-sdk/client-sagemaker-featurestore-runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../testing/test-server.js';

const GROUP = 'user-feature-group';

/** Feature values as a plain object, for readable assertions. */
function values(record: FeatureValue[] | undefined): Record<string, string | string[]> {
  return Object.fromEntries((record ?? []).map((f) => [f.FeatureName!, f.ValueAsStringList ?? f.ValueAsString!]));
}

function record(values: Record<string, string | string[]>): FeatureValue[] {
  return Object.entries(values).map(([FeatureName, v]) => (Array.isArray(v) ? { FeatureName, ValueAsStringList: v } : { FeatureName, ValueAsString: v }));
}

async function rejection(promise: Promise<unknown>): Promise<Error & { $metadata?: { httpStatusCode?: number; requestId?: string } }> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to fail');
}

describe('SageMaker-compatible API, driven by the official AWS SDK clients', () => {
  let t: TestServer;
  let sm: SageMakerClient;
  let rt: SageMakerFeatureStoreRuntimeClient;

  beforeAll(async () => {
    t = await startTestServer();
    sm = t.sagemaker();
    rt = t.runtime();
  });
  afterAll(async () => {
    await t?.stop();
  });

  // The seed walkthrough: nine records, three users, event times out of order.
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

  it('creates and describes user-feature-group with SageMaker shapes', async () => {
    const created = await sm.send(
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
        OfflineStoreConfig: { S3StorageConfig: { S3Uri: 's3://bucket/features' }, TableFormat: 'Iceberg' },
        Description: 'users',
        Tags: [{ Key: 'team', Value: 'growth' }],
      }),
    );
    expect(created.FeatureGroupArn).toMatch(/^arn:aws:sagemaker:[^:]+:\d{12}:feature-group\/user-feature-group$/);
    const described = await sm.send(new DescribeFeatureGroupCommand({ FeatureGroupName: GROUP }));
    expect(described.FeatureGroupStatus).toBe('Created');
    expect(described.FeatureGroupArn).toBe(created.FeatureGroupArn);
    expect(described.CreationTime).toBeInstanceOf(Date);
    expect(Math.abs(described.CreationTime!.getTime() - Date.now())).toBeLessThan(60_000);
    expect(described.FeatureDefinitions).toContainEqual({ FeatureName: 'tags', FeatureType: 'String', CollectionType: 'List' });
    expect(described.OnlineStoreConfig).toMatchObject({ EnableOnlineStore: true, StorageType: 'Standard' });
    expect(described.OfflineStoreConfig).toMatchObject({ TableFormat: 'Iceberg', S3StorageConfig: { S3Uri: 's3://bucket/features' } });
    expect(described.OfflineStoreStatus?.Status).toBe('Active');
    expect((await rejection(sm.send(new CreateFeatureGroupCommand({ ...minimal(GROUP) }))))).toBeInstanceOf(ResourceInUse);
  });

  it('puts the nine records and reads the latest per user, int64 exact, also by ARN and in batches', async () => {
    for (const r of nine) await rt.send(new PutRecordCommand({ FeatureGroupName: GROUP, Record: record(r) }));
    const u1 = await rt.send(new GetRecordCommand({ FeatureGroupName: GROUP, RecordIdentifierValueAsString: 'u1' }));
    expect(values(u1.Record)).toEqual(nine[1]);
    const arn = (await sm.send(new DescribeFeatureGroupCommand({ FeatureGroupName: GROUP }))).FeatureGroupArn!;
    const u3 = await rt.send(new GetRecordCommand({ FeatureGroupName: arn, RecordIdentifierValueAsString: 'u3', FeatureNames: ['age', 'tags'] }));
    expect(values(u3.Record)).toEqual({ age: '51', tags: ['z'] }); // 12:00+02:00 is 10:00Z, the newest of u3
    const batch = await rt.send(
      new BatchGetRecordCommand({ Identifiers: [{ FeatureGroupName: GROUP, RecordIdentifiersValueAsString: ['u1', 'u2', 'nobody'], FeatureNames: ['age'] }] }),
    );
    expect(batch.Records!.map((r) => [r.RecordIdentifierValueAsString, values(r.Record)])).toEqual([
      ['u1', { age: '31' }],
      ['u2', { age: '41' }],
    ]);
    expect(batch.Errors).toEqual([]);
    expect(batch.UnprocessedIdentifiers).toEqual([]);
    const listed = await rt.send(new ListRecordsCommand({ FeatureGroupName: GROUP }));
    expect([...listed.RecordIdentifiers!].sort()).toEqual(['u1', 'u2', 'u3']);
    // The translator wrote through the SDK: every put reaches the offline store.
    await t.server.store.featureGroup(GROUP).flush();
    const offline = await t.server.store.query(`SELECT count(*) AS n FROM "${GROUP}"`);
    expect(Number(offline.rows[0]!.n)).toBe(9);
  });

  it('deletes a record (soft), updates one, and refuses an update older than the stored record', async () => {
    await rt.send(new DeleteRecordCommand({ FeatureGroupName: GROUP, RecordIdentifierValueAsString: 'u2', EventTime: '2025-06-01T00:00:00Z' }));
    expect((await rt.send(new GetRecordCommand({ FeatureGroupName: GROUP, RecordIdentifierValueAsString: 'u2' }))).Record).toBeUndefined();
    const withDeleted = await rt.send(new ListRecordsCommand({ FeatureGroupName: GROUP, IncludeSoftDeletedRecords: true }));
    expect(withDeleted.RecordIdentifiers).toContain('u2');
    expect((await rt.send(new ListRecordsCommand({ FeatureGroupName: GROUP }))).RecordIdentifiers).not.toContain('u2');

    await rt.send(
      new UpdateRecordCommand({
        FeatureGroupName: GROUP,
        RecordIdentifierValueAsString: 'u1',
        Features: record({ event_time: '2025-04-01T00:00:00Z', age: '32' }),
      }),
    );
    const u1 = values((await rt.send(new GetRecordCommand({ FeatureGroupName: GROUP, RecordIdentifierValueAsString: 'u1' }))).Record);
    expect(u1).toMatchObject({ age: '32', score: '0.75', event_time: '2025-04-01T00:00:00Z' });
    const stale = await rejection(
      rt.send(new UpdateRecordCommand({ FeatureGroupName: GROUP, RecordIdentifierValueAsString: 'u1', Features: record({ event_time: '2024-01-01T00:00:00Z', age: '1' }) })),
    );
    expect(stale).toBeInstanceOf(ConflictException);
    expect(stale.$metadata?.httpStatusCode).toBe(409);
  });

  it('writes batches, returning invalid entries with their reasons and writing the rest', async () => {
    const result = await rt.send(
      new BatchWriteRecordCommand({
        Entries: [
          { FeatureGroupName: GROUP, Record: record({ user_id: 'u4', event_time: '2025-05-01T00:00:00Z', age: '20' }) },
          { FeatureGroupName: GROUP, Record: record({ user_id: 'u5', event_time: '2025-05-01T00:00:00Z', age: 'twenty' }) },
          { FeatureGroupName: GROUP, Record: [{ FeatureName: 'user_id', ValueAsString: 'u6', ValueAsStringList: ['x'] }] },
        ],
      }),
    );
    expect(result.Errors!.map((e) => [e.Entry!.Record![0]!.ValueAsString, e.ErrorCode])).toEqual([
      ['u6', 'ValidationError'],
      ['u5', 'ValidationError'],
    ]);
    expect(result.Errors![1]!.ErrorMessage).toMatch(/age: expected an Integral/);
    expect(values((await rt.send(new GetRecordCommand({ FeatureGroupName: GROUP, RecordIdentifierValueAsString: 'u4' }))).Record).age).toBe('20');
  });

  it('lists, searches, evolves the schema and keeps feature metadata', async () => {
    await sm.send(new CreateFeatureGroupCommand(minimal('other-group')));
    const list = await sm.send(new ListFeatureGroupsCommand({ NameContains: 'user', SortBy: 'Name', SortOrder: 'Ascending' }));
    expect(list.FeatureGroupSummaries!.map((s) => s.FeatureGroupName)).toEqual([GROUP]);
    expect(list.FeatureGroupSummaries![0]!.CreationTime).toBeInstanceOf(Date);
    const onlineOnly = await sm.send(new DescribeFeatureGroupCommand({ FeatureGroupName: 'other-group' }));
    expect(onlineOnly.OfflineStoreConfig).toBeUndefined(); // absent OfflineStoreConfig: no offline store, as SageMaker
    expect(onlineOnly.OnlineStoreConfig?.EnableOnlineStore).toBe(true);

    const found = await sm.send(new SearchCommand({ Resource: 'FeatureGroup', SearchExpression: { Filters: [{ Name: 'Tags.team', Operator: 'Equals', Value: 'growth' }] } }));
    expect(found.Results!.map((r) => r.FeatureGroup?.FeatureGroupName)).toEqual([GROUP]);
    expect(found.Results![0]!.FeatureGroup!.Tags).toEqual([{ Key: 'team', Value: 'growth' }]);

    await sm.send(new UpdateFeatureGroupCommand({ FeatureGroupName: GROUP, FeatureAdditions: [{ FeatureName: 'country', FeatureType: 'String' }] }));
    await rt.send(new PutRecordCommand({ FeatureGroupName: GROUP, Record: record({ user_id: 'u7', event_time: '2025-05-01T00:00:00Z', country: 'PT' }) }));
    expect(values((await rt.send(new GetRecordCommand({ FeatureGroupName: GROUP, RecordIdentifierValueAsString: 'u7' }))).Record).country).toBe('PT');

    await sm.send(new UpdateFeatureMetadataCommand({ FeatureGroupName: GROUP, FeatureName: 'age', Description: 'years', ParameterAdditions: [{ Key: 'unit', Value: 'y' }] }));
    const meta = await sm.send(new DescribeFeatureMetadataCommand({ FeatureGroupName: GROUP, FeatureName: 'age' }));
    expect(meta).toMatchObject({ FeatureName: 'age', FeatureType: 'Integral', Description: 'years', Parameters: [{ Key: 'unit', Value: 'y' }] });
    const byParam = await sm.send(new SearchCommand({ Resource: 'FeatureMetadata', SearchExpression: { Filters: [{ Name: 'Parameters.unit', Operator: 'Exists' }] } }));
    expect(byParam.Results!.map((r) => r.FeatureMetadata?.FeatureName)).toEqual(['age']);
  });

  it('raises the typed exceptions of each client for unknown groups, bad values and broken limits', async () => {
    const missing = await rejection(rt.send(new GetRecordCommand({ FeatureGroupName: 'nope', RecordIdentifierValueAsString: 'u1' })));
    expect(missing).toBeInstanceOf(ResourceNotFound);
    expect(missing.message).toMatch(/feature group 'nope' does not exist/);
    expect(await rejection(sm.send(new DescribeFeatureGroupCommand({ FeatureGroupName: 'nope' })))).toBeInstanceOf(ControlResourceNotFound);

    const bad = await rejection(rt.send(new PutRecordCommand({ FeatureGroupName: GROUP, Record: record({ user_id: 'u1', event_time: '2025-01-01T00:00:00Z', score: 'high' }) })));
    expect(bad).toBeInstanceOf(ValidationError);
    expect(bad.message).toMatch(/score: expected a Fractional/);
    expect(bad.$metadata?.httpStatusCode).toBe(400);
    // Request IDs as AWS's: UUIDs, one per request, in errors as in answers.
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
    const answered = await rt.send(new GetRecordCommand({ FeatureGroupName: GROUP, RecordIdentifierValueAsString: 'u1' }));
    expect(bad.$metadata?.requestId).toMatch(uuid);
    expect(answered.$metadata.requestId).toMatch(uuid);
    expect(answered.$metadata.requestId).not.toBe(bad.$metadata?.requestId);
    const badTime = await rejection(rt.send(new PutRecordCommand({ FeatureGroupName: GROUP, Record: record({ user_id: 'u1', event_time: 'soon' }) })));
    expect(badTime.message).toMatch(/event_time: 'soon' is not an ISO-8601/);

    const badName = await rejection(sm.send(new CreateFeatureGroupCommand(minimal('no_underscores'))));
    expect(badName.name).toBe('ValidationException');
    expect(badName.message).toMatch(/^FeatureGroupName: must contain only letters/);

    const tooMany = await rejection(
      rt.send(new BatchGetRecordCommand({ Identifiers: Array.from({ length: 101 }, () => ({ FeatureGroupName: GROUP, RecordIdentifiersValueAsString: ['u1'] })) })),
    );
    expect(tooMany).toBeInstanceOf(ValidationError);
    expect(tooMany.message).toMatch(/Identifiers: must hold at most 100/);
    const tooManyIds = await rejection(
      rt.send(new BatchGetRecordCommand({ Identifiers: [{ FeatureGroupName: GROUP, RecordIdentifiersValueAsString: Array.from({ length: 101 }, (_, i) => `u${i}`) }] })),
    );
    expect(tooManyIds.message).toMatch(/RecordIdentifiersValueAsString: must hold at most 100/);
    const tooManyWrites = await rejection(
      rt.send(new BatchWriteRecordCommand({ Entries: Array.from({ length: 26 }, (_, i) => ({ FeatureGroupName: GROUP, Record: record({ user_id: `b${i}`, event_time: '2025-01-01T00:00:00Z' }) })) })),
    );
    expect(tooManyWrites.message).toMatch(/Entries: must hold at most 25/);
    const huge = await rejection(
      rt.send(new PutRecordCommand({ FeatureGroupName: GROUP, Record: record({ user_id: 'big', event_time: '2025-01-01T00:00:00Z', tags: Array.from({ length: 40 }, () => 'x'.repeat(10_000)) }) })),
    );
    expect(huge).toBeInstanceOf(ValidationError);
    expect(huge.message).toMatch(/more than the limit of 358400/);
    expect((await rt.send(new GetRecordCommand({ FeatureGroupName: GROUP, RecordIdentifierValueAsString: 'big' }))).Record).toBeUndefined();
  });

  it('answers malformed JSON with a validation error, and an unknown operation as AWS does', async () => {
    const response = await fetch(`${t.server.url}/`, { method: 'POST', headers: { 'x-amz-target': 'SageMaker.ListFeatureGroups' }, body: '{' });
    expect(response.status).toBe(403); // unsigned first: nothing is parsed for strangers
    const client = t.runtime();
    client.middlewareStack.add(
      (next) => async (args) => {
        const request = args.request as { body: string; headers: Record<string, string> };
        request.body = '{"Record": [';
        request.headers['content-length'] = String(request.body.length);
        return next(args);
      },
      { step: 'build', name: 'breakBody' },
    );
    const malformed = await rejection(client.send(new PutRecordCommand({ FeatureGroupName: GROUP, Record: record({ user_id: 'u1' }) })));
    expect(malformed).toBeInstanceOf(ValidationError);
    expect(malformed.message).toMatch(/^body: not valid JSON/);

    const { CreateEndpointCommand } = await import('@aws-sdk/client-sagemaker');
    const unknown = await rejection(sm.send(new CreateEndpointCommand({ EndpointName: 'e', EndpointConfigName: 'c' })));
    expect(unknown.name).toBe('UnknownOperationException');
    expect(unknown.message).toMatch(/SageMaker.CreateEndpoint/);
  });

  it('deletes a feature group', async () => {
    await sm.send(new DeleteFeatureGroupCommand({ FeatureGroupName: 'other-group' }));
    expect(await rejection(sm.send(new DescribeFeatureGroupCommand({ FeatureGroupName: 'other-group' })))).toBeInstanceOf(ControlResourceNotFound);
  });

  it('counts requests and latencies per operation at /metrics', async () => {
    const text = await (await fetch(`${t.server.url}/metrics`)).text();
    const count = (op: string, status: number) => Number(new RegExp(`floe_requests_total\\{operation="${op}",status="${status}"\\} (\\d+)`).exec(text)?.[1] ?? 0);
    expect(count('PutRecord', 200)).toBe(10);
    expect(count('PutRecord', 400)).toBeGreaterThanOrEqual(3);
    expect(count('UnknownOperation', 400)).toBe(1);
    expect(text).toMatch(/floe_request_duration_seconds_count\{operation="GetRecord"\} \d+/);
    expect(text).toMatch(/floe_online_lookups_total\{result="miss"\} [1-9]/);
    expect((await fetch(`${t.server.url}/health`)).status).toBe(200);
  });
});

function minimal(name: string) {
  return {
    FeatureGroupName: name,
    RecordIdentifierFeatureName: 'id',
    EventTimeFeatureName: 'ts',
    FeatureDefinitions: [
      { FeatureName: 'id', FeatureType: 'String' as const },
      { FeatureName: 'ts', FeatureType: 'Fractional' as const },
    ],
    OnlineStoreConfig: { EnableOnlineStore: true },
  };
}
