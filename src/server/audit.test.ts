import { CreateFeatureGroupCommand, DeleteFeatureGroupCommand } from '@aws-sdk/client-sagemaker';
import { GetRecordCommand, PutRecordCommand } from '@aws-sdk/client-sagemaker-featurestore-runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deriveBearerToken } from '../wire/index.js';
import { startTestServer, type TestServer } from './testing/test-server.js';

interface AuditLine {
  msg: string;
  audit: true;
  operation: string;
  accessKeyId: string | null;
  role: string | null;
  featureGroups: string[];
  status: number;
  outcome: 'done' | 'refused';
}

const group = (name: string) =>
  new CreateFeatureGroupCommand({
    FeatureGroupName: name,
    RecordIdentifierFeatureName: 'id',
    EventTimeFeatureName: 'ts',
    FeatureDefinitions: [
      { FeatureName: 'id', FeatureType: 'String' },
      { FeatureName: 'ts', FeatureType: 'Fractional' },
    ],
    OnlineStoreConfig: { EnableOnlineStore: true },
    OfflineStoreConfig: { S3StorageConfig: { S3Uri: 's3://unused/' } },
  });

describe('the audit log', () => {
  let t: TestServer;
  // At info, as `floe serve` logs by default: the audit lines must not need debug.
  beforeAll(async () => {
    t = await startTestServer({ serve: { logLevel: 'info' } });
  });
  afterAll(async () => {
    await t?.stop();
  });
  const audits = () =>
    t.logs
      .map((l) => JSON.parse(l) as AuditLine)
      .filter((l) => l.audit === true)
      .map(({ operation, accessKeyId, role, featureGroups, status, outcome }) => ({ operation, accessKeyId, role, featureGroups, status, outcome }));

  it('names who changed which group, and how it ended, for both APIs; reads and record writes are not in it', async () => {
    await t.sagemaker().send(group('audited'));
    await t.runtime().send(new PutRecordCommand({ FeatureGroupName: 'audited', Record: [{ FeatureName: 'id', ValueAsString: 'a' }, { FeatureName: 'ts', ValueAsString: '1' }] }));
    await t.runtime().send(new GetRecordCommand({ FeatureGroupName: 'audited', RecordIdentifierValueAsString: 'a' }));
    const reader = await t.key('reader');
    await expect(t.sagemaker(reader).send(new DeleteFeatureGroupCommand({ FeatureGroupName: 'audited' }))).rejects.toThrow();
    const token = deriveBearerToken(t.admin.accessKeyId, t.admin.secretAccessKey, Math.floor(Date.now() / 1000) + 600);
    // An engine setting a table property through the Iceberg REST catalog.
    const committed = await fetch(`${t.server.url}/iceberg/v1/namespaces/default/tables/audited`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ requirements: [], updates: [{ action: 'set-properties', updates: { 'owner.team': 'ranking' } }] }),
    });
    expect(committed.status).toBe(200);
    const deleted = await fetch(`${t.server.url}/v1/feature-groups/audited`, { method: 'DELETE', headers: { authorization: `Bearer ${token}` } });
    expect(deleted.ok).toBe(true);
    const unsigned = await fetch(t.server.url, { method: 'POST', headers: { 'x-amz-target': 'SageMaker.CreateFeatureGroup', 'content-type': 'application/x-amz-json-1.1' }, body: '{}' });
    expect(unsigned.status).toBe(403);

    expect(audits()).toEqual([
      { operation: 'CreateFeatureGroup', accessKeyId: t.admin.accessKeyId, role: 'admin', featureGroups: ['audited'], status: 200, outcome: 'done' },
      { operation: 'DeleteFeatureGroup', accessKeyId: reader.accessKeyId, role: 'reader', featureGroups: ['audited'], status: 403, outcome: 'refused' },
      { operation: 'Iceberg.CommitTable', accessKeyId: t.admin.accessKeyId, role: 'admin', featureGroups: ['audited'], status: 200, outcome: 'done' },
      { operation: 'DeleteFeatureGroup', accessKeyId: t.admin.accessKeyId, role: 'admin', featureGroups: ['audited'], status: expect.any(Number), outcome: 'done' },
      { operation: 'CreateFeatureGroup', accessKeyId: null, role: null, featureGroups: [], status: 403, outcome: 'refused' },
    ]);
    for (const line of t.logs) {
      expect(line).not.toContain(t.admin.secretAccessKey);
      expect(line).not.toContain(token);
    }
  });
});
