import {
  CreateFeatureGroupCommand,
  DeleteFeatureGroupCommand,
  DescribeFeatureGroupCommand,
  DescribeFeatureMetadataCommand,
  ListFeatureGroupsCommand,
  SearchCommand,
  UpdateFeatureGroupCommand,
  UpdateFeatureMetadataCommand,
} from '@aws-sdk/client-sagemaker';
import {
  BatchGetRecordCommand,
  BatchWriteRecordCommand,
  DeleteRecordCommand,
  GetRecordCommand,
  ListRecordsCommand,
  PutRecordCommand,
  UpdateRecordCommand,
} from '@aws-sdk/client-sagemaker-featurestore-runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Credentials, TestServer } from '../../src/server/testing/test-server.js';
import { startTestServer } from '../../src/server/testing/test-server.js';
import { roleMay, type KeyRole, type Permission } from '../support/auth-rules.js';
import { sendRaw, signRaw } from '../support/signed-request.js';
import { storeDigest } from '../support/store-digest.js';

type Role = 'admin' | 'writer' | 'reader' | 'limited';
const ROLES: Role[] = ['reader', 'writer', 'limited', 'admin'];
const GROUPS = ['alpha', 'beta'];
/** The key role behind each test role: `limited` is a writer limited to alpha. */
const KEY_ROLE: Record<Role, KeyRole> = { admin: 'admin', writer: 'writer', limited: 'writer', reader: 'reader' };

const record = (id: string) => [
  { FeatureName: 'id', ValueAsString: id },
  { FeatureName: 'event_time', ValueAsString: '2025-01-01T00:00:00Z' },
];
const definition = (name: string) => ({
  FeatureGroupName: name,
  RecordIdentifierFeatureName: 'id',
  EventTimeFeatureName: 'event_time',
  FeatureDefinitions: [
    { FeatureName: 'id', FeatureType: 'String' as const },
    { FeatureName: 'event_time', FeatureType: 'String' as const },
  ],
  OnlineStoreConfig: { EnableOnlineStore: true },
});

interface Operation {
  name: string;
  permission: Permission;
  /** Whether the call names the group (a key limited to other groups is refused). */
  scoped: boolean;
  run(t: TestServer, credentials: Credentials, group: string, role: Role): Promise<unknown>;
}

const OPERATIONS: Operation[] = [
  { name: 'CreateFeatureGroup', permission: 'admin', scoped: true, run: (t, c, g, r) => t.sagemaker(c).send(new CreateFeatureGroupCommand(definition(`${g}-new-${r}`))) },
  { name: 'DescribeFeatureGroup', permission: 'read', scoped: true, run: (t, c, g) => t.sagemaker(c).send(new DescribeFeatureGroupCommand({ FeatureGroupName: g })) },
  { name: 'ListFeatureGroups', permission: 'read', scoped: false, run: (t, c) => t.sagemaker(c).send(new ListFeatureGroupsCommand({})) },
  {
    name: 'UpdateFeatureGroup',
    permission: 'admin',
    scoped: true,
    run: (t, c, g, r) => t.sagemaker(c).send(new UpdateFeatureGroupCommand({ FeatureGroupName: g, FeatureAdditions: [{ FeatureName: `added_${r}`, FeatureType: 'String' }] })),
  },
  { name: 'DescribeFeatureMetadata', permission: 'read', scoped: true, run: (t, c, g) => t.sagemaker(c).send(new DescribeFeatureMetadataCommand({ FeatureGroupName: g, FeatureName: 'id' })) },
  {
    name: 'UpdateFeatureMetadata',
    permission: 'admin',
    scoped: true,
    run: (t, c, g, r) => t.sagemaker(c).send(new UpdateFeatureMetadataCommand({ FeatureGroupName: g, FeatureName: 'id', Description: `by ${r}` })),
  },
  { name: 'Search', permission: 'read', scoped: false, run: (t, c) => t.sagemaker(c).send(new SearchCommand({ Resource: 'FeatureGroup' })) },
  { name: 'DeleteFeatureGroup', permission: 'admin', scoped: true, run: (t, c, g) => t.sagemaker(c).send(new DeleteFeatureGroupCommand({ FeatureGroupName: `${g}-victim` })) },
  { name: 'PutRecord', permission: 'write', scoped: true, run: (t, c, g, r) => t.runtime(c).send(new PutRecordCommand({ FeatureGroupName: g, Record: record(`by-${r}`) })) },
  { name: 'GetRecord', permission: 'read', scoped: true, run: (t, c, g) => t.runtime(c).send(new GetRecordCommand({ FeatureGroupName: g, RecordIdentifierValueAsString: 'seed' })) },
  {
    name: 'UpdateRecord',
    permission: 'write',
    scoped: true,
    run: (t, c, g) => t.runtime(c).send(new UpdateRecordCommand({ FeatureGroupName: g, RecordIdentifierValueAsString: 'seed', Features: [{ FeatureName: 'event_time', ValueAsString: '2025-01-02T00:00:00Z' }] })),
  },
  { name: 'ListRecords', permission: 'read', scoped: true, run: (t, c, g) => t.runtime(c).send(new ListRecordsCommand({ FeatureGroupName: g })) },
  {
    name: 'BatchGetRecord',
    permission: 'read',
    scoped: true,
    run: (t, c, g) => t.runtime(c).send(new BatchGetRecordCommand({ Identifiers: [{ FeatureGroupName: g, RecordIdentifiersValueAsString: ['seed'] }] })),
  },
  {
    name: 'BatchWriteRecord',
    permission: 'write',
    scoped: true,
    run: (t, c, g, r) => t.runtime(c).send(new BatchWriteRecordCommand({ Entries: [{ FeatureGroupName: g, Record: record(`batch-${r}`) }] })),
  },
  {
    name: 'DeleteRecord',
    permission: 'write',
    scoped: true,
    run: (t, c, g, r) => t.runtime(c).send(new DeleteRecordCommand({ FeatureGroupName: g, RecordIdentifierValueAsString: `victim-${r}`, EventTime: '2025-01-03T00:00:00Z' })),
  },
];

const allowed = (role: Role, op: Operation, group: string) => roleMay(KEY_ROLE[role], op.permission) && (role !== 'limited' || !op.scoped || group === 'alpha');

describe('authentication matrix: each role against each operation', () => {
  let t: TestServer;
  const keys = {} as Record<Role, Credentials>;

  beforeAll(async () => {
    t = await startTestServer();
    keys.admin = await t.key('admin');
    keys.writer = await t.key('writer');
    keys.reader = await t.key('reader');
    keys.limited = await t.key('writer', ['alpha']);
    for (const g of GROUPS) {
      for (const name of [g, `${g}-victim`]) await t.sagemaker().send(new CreateFeatureGroupCommand(definition(name)));
      await t.runtime().send(new PutRecordCommand({ FeatureGroupName: g, Record: record('seed') }));
    }
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('refuses every call a role may not make with 403, and all of them together change nothing', async () => {
    const before = await storeDigest(t.server.store);
    let refused = 0;
    for (const role of ROLES) {
      for (const op of OPERATIONS) {
        for (const group of GROUPS) {
          if (allowed(role, op, group)) continue;
          const error = (await op.run(t, keys[role], group, role).then(
            () => undefined,
            (e: unknown) => e,
          )) as (Error & { $metadata?: { httpStatusCode?: number } }) | undefined;
          const cell = `${role} ${op.name} ${group}`;
          expect(error, `${cell} must be refused`).toBeDefined();
          expect(error!.$metadata?.httpStatusCode, `${cell}: ${error}`).toBe(403);
          expect(error!.name, cell).toMatch(/^(AccessForbidden|AccessDeniedException)$/);
          const byRole = !roleMay(KEY_ROLE[role], op.permission);
          expect(error!.message, cell).toMatch(byRole ? new RegExp(`has role ${role === 'limited' ? 'writer' : role}, which may not call ${op.name}`) : /is limited to feature groups alpha, not 'beta'/);
          refused++;
        }
      }
    }
    expect(refused).toBeGreaterThan(30);
    expect(await storeDigest(t.server.store)).toBe(before);
  });

  it('lets every role make the calls it may, and hides other groups from a limited key', async () => {
    for (const role of ROLES) {
      for (const op of OPERATIONS) {
        for (const group of GROUPS) {
          if (!allowed(role, op, group)) continue;
          if (op.name === 'DeleteRecord') await t.runtime().send(new PutRecordCommand({ FeatureGroupName: group, Record: record(`victim-${role}`) }));
          await expect(op.run(t, keys[role], group, role), `${role} ${op.name} ${group}`).resolves.toBeDefined();
          if (op.name === 'DeleteFeatureGroup') await t.sagemaker().send(new CreateFeatureGroupCommand(definition(`${group}-victim`)));
        }
      }
    }
    const listed = await t.sagemaker(keys.limited).send(new ListFeatureGroupsCommand({}));
    expect(listed.FeatureGroupSummaries!.map((g) => g.FeatureGroupName)).toContain('alpha');
    expect(listed.FeatureGroupSummaries!.every((g) => g.FeatureGroupName!.startsWith('alpha'))).toBe(true);
    const found = await t.sagemaker(keys.limited).send(new SearchCommand({ Resource: 'FeatureGroup' }));
    expect(found.Results!.every((r) => r.FeatureGroup?.FeatureGroupName?.startsWith('alpha'))).toBe(true);
  });

  it('refuses wrong secrets, unknown keys, expired signatures and requests replayed outside the skew window', async () => {
    const before = await storeDigest(t.server.store);
    const put = { method: 'PUT', path: '/FeatureGroup/alpha', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ Record: record('replayed') }) };
    const service = { service: 'sagemaker' };
    const cases: Array<[string, ReturnType<typeof signRaw>, RegExp]> = [
      ['wrong secret', signRaw(t.server.url, put, { ...keys.writer, secretAccessKey: keys.writer.secretAccessKey + 'x', ...service }), /signature does not match/],
      ['unknown key', signRaw(t.server.url, put, { accessKeyId: 'FLOEUNKNOWNKEY000000', secretAccessKey: 'x', ...service }), /FLOEUNKNOWNKEY000000/],
      ['signed 16 minutes ago', signRaw(t.server.url, put, { ...keys.writer, date: new Date(Date.now() - 16 * 60_000), ...service }), /more than 15 minutes/],
      ['signed 16 minutes ahead', signRaw(t.server.url, put, { ...keys.writer, date: new Date(Date.now() + 16 * 60_000), ...service }), /more than 15 minutes/],
      ['signed yesterday', signRaw(t.server.url, put, { ...keys.writer, date: new Date(Date.now() - 86_400_000), ...service }), /more than 15 minutes/],
    ];
    // A request captured and replayed with another body or path no longer matches its signature.
    const captured = signRaw(t.server.url, put, { ...keys.writer, ...service });
    cases.push(['replayed with another body', { ...captured, body: JSON.stringify({ Record: record('tampered') }) }, /payload hash does not match|signature does not match/]);
    cases.push(['replayed on another group', { ...captured, path: '/FeatureGroup/beta' }, /signature does not match/]);
    for (const [what, request, message] of cases) {
      const response = await sendRaw(t.server.url, request);
      expect(response.status, what).toBe(403);
      expect(response.body, what).toMatch(message);
    }
    expect(await storeDigest(t.server.store)).toBe(before);
  });
});
