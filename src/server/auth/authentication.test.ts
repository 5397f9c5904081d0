import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { CreateFeatureGroupCommand, ListFeatureGroupsCommand, SearchCommand } from '@aws-sdk/client-sagemaker';
import {
  AccessForbidden,
  BatchGetRecordCommand,
  GetRecordCommand,
  PutRecordCommand,
  type FeatureValue,
} from '@aws-sdk/client-sagemaker-featurestore-runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../testing/test-server.js';

const record = (id: string, score: string): FeatureValue[] => [
  { FeatureName: 'id', ValueAsString: id },
  { FeatureName: 'ts', ValueAsString: '1735689600' },
  { FeatureName: 'score', ValueAsString: score },
];

async function rejection(promise: Promise<unknown>): Promise<Error & { $metadata?: { httpStatusCode?: number } }> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to fail');
}

describe('authentication and authorization', () => {
  let t: TestServer;

  const group = (FeatureGroupName: string) =>
    new CreateFeatureGroupCommand({
      FeatureGroupName,
      RecordIdentifierFeatureName: 'id',
      EventTimeFeatureName: 'ts',
      FeatureDefinitions: [
        { FeatureName: 'id', FeatureType: 'String' },
        { FeatureName: 'ts', FeatureType: 'Fractional' },
        { FeatureName: 'score', FeatureType: 'Fractional' },
      ],
      OnlineStoreConfig: { EnableOnlineStore: true },
    });
  const score = async (id: string) =>
    (await t.runtime().send(new GetRecordCommand({ FeatureGroupName: 'scores', RecordIdentifierValueAsString: id }))).Record?.find((f) => f.FeatureName === 'score')
      ?.ValueAsString;

  beforeAll(async () => {
    t = await startTestServer();
    await t.sagemaker().send(group('scores'));
    await t.sagemaker().send(group('secrets'));
    await t.runtime().send(new PutRecordCommand({ FeatureGroupName: 'scores', Record: record('r1', '1') }));
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('writes the first-start admin key to a credentials file only its owner can read', async () => {
    expect((await stat(join(t.dataDir, 'credentials'))).mode & 0o777).toBe(0o600);
    expect(t.server.credentials.createdFile).toBe(join(t.dataDir, 'credentials'));
    expect(t.server.credentials.description).not.toContain(t.admin.secretAccessKey);
  });

  it('refuses unsigned requests, wrong secrets, unknown keys and stale clocks with 403, changing nothing', async () => {
    const unsigned = await fetch(`${t.server.url}/FeatureGroup/scores`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ Record: record('r1', '666') }),
    });
    expect(unsigned.status).toBe(403);
    expect(unsigned.headers.get('x-amzn-errortype')).toBe('AccessForbidden');

    const wrongSecret = await rejection(
      t.runtime({ ...t.admin, secretAccessKey: `${t.admin.secretAccessKey}x` }).send(new PutRecordCommand({ FeatureGroupName: 'scores', Record: record('r1', '666') })),
    );
    expect(wrongSecret).toBeInstanceOf(AccessForbidden);
    expect(wrongSecret.$metadata?.httpStatusCode).toBe(403);
    expect(wrongSecret.message).toMatch(/signature does not match/);

    const unknownKey = await rejection(
      t.runtime({ accessKeyId: 'FLOEUNKNOWNKEY000000', secretAccessKey: 'x' }).send(new GetRecordCommand({ FeatureGroupName: 'scores', RecordIdentifierValueAsString: 'r1' })),
    );
    expect(unknownKey).toBeInstanceOf(AccessForbidden);
    expect(unknownKey.message).toMatch(/'FLOEUNKNOWNKEY000000' is not known/);

    const stale = await rejection(
      t.runtime(t.admin, { systemClockOffset: -20 * 60_000 }).send(new PutRecordCommand({ FeatureGroupName: 'scores', Record: record('r1', '666') })),
    );
    expect(stale).toBeInstanceOf(AccessForbidden);
    expect(stale.message).toMatch(/^X-Amz-Date: .*more than 15 minutes/);

    const control = await rejection(t.sagemaker({ ...t.admin, secretAccessKey: 'wrong' }).send(group('sneaky')));
    expect(control.name).toBe('AccessDeniedException');
    expect(control.$metadata?.httpStatusCode).toBe(403);

    expect(await score('r1')).toBe('1');
    expect((await t.sagemaker().send(new ListFeatureGroupsCommand({}))).FeatureGroupSummaries!.map((s) => s.FeatureGroupName)).not.toContain('sneaky');
  });

  it('refuses a request whose body changed after signing', async () => {
    const client = t.runtime();
    client.middlewareStack.add(
      (next) => async (args) => {
        const request = args.request as { body: string };
        request.body = request.body.replace('"ValueAsString":"2"', '"ValueAsString":"9"'); // same length: only the signature can tell
        return next(args);
      },
      { step: 'deserialize', name: 'tamperAfterSigning' },
    );
    const tampered = await rejection(client.send(new PutRecordCommand({ FeatureGroupName: 'scores', Record: record('r1', '2') })));
    expect(tampered).toBeInstanceOf(AccessForbidden);
    expect(await score('r1')).toBe('1');
  });

  it('lets readers read but not write, writers write but not administer, and limits keys to their feature groups', async () => {
    const reader = await t.key('reader');
    expect(await t.runtime(reader).send(new GetRecordCommand({ FeatureGroupName: 'scores', RecordIdentifierValueAsString: 'r1' }))).toHaveProperty('Record');
    const readerWrite = await rejection(t.runtime(reader).send(new PutRecordCommand({ FeatureGroupName: 'scores', Record: record('r1', '5') })));
    expect(readerWrite).toBeInstanceOf(AccessForbidden);
    expect(readerWrite.message).toMatch(/role reader, which may not call PutRecord/);

    const writer = await t.key('writer');
    await t.runtime(writer).send(new PutRecordCommand({ FeatureGroupName: 'scores', Record: record('r2', '2') }));
    expect(await score('r2')).toBe('2');
    const writerAdmin = await rejection(t.sagemaker(writer).send(group('writers-group')));
    expect(writerAdmin.name).toBe('AccessDeniedException');

    const limited = await t.key('reader', ['scores']);
    const limitedClient = t.runtime(limited);
    expect(await limitedClient.send(new GetRecordCommand({ FeatureGroupName: 'scores', RecordIdentifierValueAsString: 'r1' }))).toHaveProperty('Record');
    const elsewhere = await rejection(limitedClient.send(new GetRecordCommand({ FeatureGroupName: 'secrets', RecordIdentifierValueAsString: 'r1' })));
    expect(elsewhere).toBeInstanceOf(AccessForbidden);
    const mixedBatch = await rejection(
      limitedClient.send(
        new BatchGetRecordCommand({
          Identifiers: [
            { FeatureGroupName: 'scores', RecordIdentifiersValueAsString: ['r1'] },
            { FeatureGroupName: 'arn:aws:sagemaker:local:000000000000:feature-group/secrets', RecordIdentifiersValueAsString: ['r1'] },
          ],
        }),
      ),
    );
    expect(mixedBatch).toBeInstanceOf(AccessForbidden);
    const listed = await t.sagemaker(limited).send(new ListFeatureGroupsCommand({}));
    expect(listed.FeatureGroupSummaries!.map((s) => s.FeatureGroupName)).toEqual(['scores']);
    const searched = await t.sagemaker(limited).send(new SearchCommand({ Resource: 'FeatureMetadata' }));
    expect(new Set(searched.Results!.map((r) => r.FeatureMetadata!.FeatureGroupName))).toEqual(new Set(['scores']));
  });

  it('sees a deleted key refused once its cache entry expires, and never logs secrets or signatures', async () => {
    const key = await t.key('reader');
    await t.runtime(key).send(new GetRecordCommand({ FeatureGroupName: 'scores', RecordIdentifierValueAsString: 'r1' }));
    await t.server.store.accessKeys.deleteAccessKey(key.accessKeyId);
    // A restart-free check of deletion: a fresh authenticator (as after the cache's few seconds) refuses it.
    const { SigV4Authenticator } = await import('./authenticator.js');
    const fresh = new SigV4Authenticator({ keys: t.server.store.accessKeys });
    await expect(fresh.authenticate({ method: 'GET', url: '/', rawHeaders: ['Authorization', `AWS4-HMAC-SHA256 Credential=${key.accessKeyId}/20250101/us-east-1/sagemaker/aws4_request, SignedHeaders=host;x-amz-date, Signature=${'0'.repeat(64)}`], body: undefined })).rejects.toThrow(/is not known/);

    const log = t.logs.join('');
    expect(log).toMatch(/"operation":"GetRecord".*"status":200.*"msg":"request"/);
    expect(log).not.toContain(t.admin.secretAccessKey);
    expect(log).not.toContain(key.secretAccessKey);
    expect(log).not.toMatch(/Signature=[0-9a-f]{64}/);
  });
});
