import { IcebergError, IcebergRestCatalog } from 'iceberg-js';
import { icebergRead } from 'icebird';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installFileFetch } from '../../test-support/file-fetch.js';
import { deriveBearerToken, parseWire } from '../../wire/index.js';
import { startTestServer, type Credentials, type TestServer } from '../testing/test-server.js';

const USERS = {
  featureGroupName: 'users',
  recordIdentifierFeatureName: 'user_id',
  eventTimeFeatureName: 'event_time',
  featureDefinitions: [
    { featureName: 'user_id', featureType: 'String' as const },
    { featureName: 'event_time', featureType: 'String' as const },
    { featureName: 'age', featureType: 'Integral' as const },
  ],
};

const token = (c: Credentials) => deriveBearerToken(c.accessKeyId, c.secretAccessKey, Math.floor(Date.now() / 1000) + 600);
const users = { namespace: ['default'], name: 'users' };

/** The error an iceberg-js call fails with: the catalog's own status and exception type. */
async function failure(call: Promise<unknown>): Promise<{ status: number; type: string | undefined; message: string }> {
  try {
    await call;
  } catch (error) {
    if (error instanceof IcebergError) return { status: error.status, type: error.icebergType, message: error.message };
    throw error;
  }
  throw new Error('expected the call to fail');
}

describe('Iceberg REST catalog, driven by the iceberg-js client', () => {
  let t: TestServer;
  let restoreFetch: () => void;
  let catalog: IcebergRestCatalog;
  const client = (credentials: Credentials) =>
    new IcebergRestCatalog({ baseUrl: `${t.server.url}/iceberg`, auth: { type: 'bearer', token: token(credentials) } });

  beforeAll(async () => {
    restoreFetch = installFileFetch();
    t = await startTestServer();
    const store = t.server.store;
    await store.createFeatureGroup(USERS);
    await store.createFeatureGroup({ ...USERS, featureGroupName: 'sessions' });
    await store.createFeatureGroup({ ...USERS, featureGroupName: 'online-only', offlineStoreConfig: { enableOfflineStore: false } });
    const fg = store.featureGroup('users');
    await fg.putRecord({ user_id: 'u1', event_time: '2025-01-01T00:00:00Z', age: 31 });
    await fg.putRecord({ user_id: 'u2', event_time: '2025-01-02T00:00:00Z', age: 9007199254740993n }, { wait: 'offline' });
    catalog = client(t.admin);
  });
  afterAll(async () => {
    await t?.stop();
    restoreFetch?.();
  });

  it('lists the one namespace and the tables of groups with an offline store', async () => {
    expect((await catalog.listNamespaces()).namespaces).toEqual([{ namespace: ['default'] }]);
    expect((await catalog.listNamespaces({ parent: { namespace: ['default'] } })).namespaces).toEqual([]);
    expect((await catalog.loadNamespaceMetadata({ namespace: ['default'] })).properties).toEqual({});
    expect((await catalog.listTables({ namespace: ['default'] })).identifiers.map((i) => i.name)).toEqual(['sessions', 'users']);
    const first = await catalog.listTables({ namespace: ['default'] }, { pageSize: 1 });
    expect(first.identifiers.map((i) => i.name)).toEqual(['sessions']);
    const second = await catalog.listTables({ namespace: ['default'] }, { pageSize: 1, pageToken: first.nextPageToken! });
    expect(second.identifiers.map((i) => i.name)).toEqual(['users']);
    expect(second.nextPageToken).toBeUndefined();
    expect(await failure(catalog.listTables({ namespace: ['other'] }))).toMatchObject({ status: 404, type: 'NoSuchNamespaceException' });
  });

  it('loads a table whose metadata an independent reader follows to every row', async () => {
    const result = (await catalog.loadTableResult(users))!;
    const metadata = result.metadata;
    expect(metadata['format-version']).toBe(2);
    expect(result['metadata-location']).toMatch(/^file:\/\/.*\/users\/metadata\/\d{5}-.*\.metadata\.json$/);
    const schema = metadata.schemas.find((s) => s['schema-id'] === metadata['current-schema-id'])!;
    expect(schema.fields.map((f) => f.name)).toEqual(expect.arrayContaining(['user_id', 'event_time', 'age', 'write_time', 'api_invocation_time', 'is_deleted']));
    // icebird reads the data files through the metadata the catalog handed out, nothing else.
    const rows = await icebergRead({ tableUrl: metadata.location!, metadata: metadata as never });
    expect(rows.map((r) => [r.user_id, r.age]).sort()).toEqual([
      ['u1', 31n],
      ['u2', 9007199254740993n],
    ]);
    expect(await catalog.tableExists(users)).toBe(true);
    expect(await catalog.tableExists({ namespace: ['default'], name: 'online-only' })).toBe(false);
  });

  it('keeps 64-bit snapshot ids exact on the wire', async () => {
    const response = await fetch(`${t.server.url}/iceberg/v1/namespaces/default/tables/users`, { headers: { authorization: `Bearer ${token(t.admin)}` } });
    expect(response.status).toBe(200);
    const body = parseWire(await response.text()) as { metadata: { 'current-snapshot-id': bigint | number; snapshots: Array<{ 'snapshot-id': bigint | number }> } };
    const snapshots = await t.server.store.featureGroup('users').snapshots();
    expect(body.metadata.snapshots.map((s) => BigInt(s['snapshot-id']))).toEqual(snapshots.map((s) => s.snapshotId));
    expect(BigInt(body.metadata['current-snapshot-id'])).toBe(snapshots.at(-1)!.snapshotId);
  });

  it('commits table properties when the requirements hold, and nothing when one fails', async () => {
    const before = await catalog.loadTable(users);
    const updated = await catalog.updateTable(users, {
      requirements: [{ type: 'assert-table-uuid', uuid: before['table-uuid'] }],
      updates: [{ action: 'set-properties', updates: { 'owner.team': 'ranking' } }],
    });
    expect(updated.metadata.properties['owner.team']).toBe('ranking');
    expect((await catalog.loadTable(users)).properties['owner.team']).toBe('ranking');

    const stale = await failure(
      catalog.updateTable(users, {
        requirements: [{ type: 'assert-ref-snapshot-id', ref: 'main', 'snapshot-id': null }],
        updates: [{ action: 'set-properties', updates: { 'owner.team': 'search' } }],
      }),
    );
    expect(stale).toMatchObject({ status: 409, type: 'CommitFailedException' });
    expect(stale.message).toContain("ref 'main'");
    const removed = await catalog.updateTable(users, { requirements: [], updates: [{ action: 'remove-properties', removals: ['owner.team'] }] });
    expect(removed.metadata.properties['owner.team']).toBeUndefined();
  });

  it('refuses what a feature group owns, with the reason, and changes nothing', async () => {
    const before = (await catalog.loadTableResult(users))!;
    const snapshot = await failure(
      catalog.updateTable(users, { requirements: [], updates: [{ action: 'remove-snapshots', 'snapshot-ids': [1] } as never] }),
    );
    expect(snapshot).toMatchObject({ status: 400, type: 'BadRequestException' });
    expect(snapshot.message).toContain("updates[0].action: 'remove-snapshots' is not accepted");
    const create = await failure(catalog.createTable({ namespace: ['default'] }, { name: 'new_table', schema: { type: 'struct', fields: [], 'schema-id': 0 } }));
    expect(create).toMatchObject({ status: 406, type: 'UnsupportedOperationException' });
    expect(create.message).toContain('creating a feature group');
    expect(await failure(catalog.dropTable(users))).toMatchObject({ status: 406 });
    expect(await failure(catalog.loadTable({ namespace: ['default'], name: 'missing' }))).toMatchObject({ status: 404, type: 'NoSuchTableException' });
    expect((await catalog.loadTableResult(users))!['metadata-location']).toBe(before['metadata-location']);
  });

  it('authenticates every call and applies roles and group limits', async () => {
    const anonymous = new IcebergRestCatalog({ baseUrl: `${t.server.url}/iceberg` });
    expect(await failure(anonymous.listNamespaces())).toMatchObject({ status: 401, type: 'NotAuthorizedException' });
    const forged = new IcebergRestCatalog({ baseUrl: `${t.server.url}/iceberg`, auth: { type: 'bearer', token: token({ ...t.admin, secretAccessKey: 'wrong' }) } });
    expect(await failure(forged.listNamespaces())).toMatchObject({ status: 401 });

    const sessionsReader = client(await t.key('reader', ['sessions']));
    expect((await sessionsReader.listTables({ namespace: ['default'] })).identifiers.map((i) => i.name)).toEqual(['sessions']);
    expect(await failure(sessionsReader.loadTable(users))).toMatchObject({ status: 403, type: 'ForbiddenException' });
    const reader = client(await t.key('reader'));
    expect((await reader.loadTable(users))['format-version']).toBe(2);
    const commit = reader.updateTable(users, { requirements: [], updates: [{ action: 'set-properties', updates: { x: 'y' } }] });
    expect(await failure(commit)).toMatchObject({ status: 403 });
    expect((await catalog.loadTable(users)).properties.x).toBeUndefined();
  });

  it('mints tokens for catalog clients by the OAuth2 client-credentials exchange', async () => {
    const writer = await t.key('reader');
    const exchange = (secret: string, grant = 'client_credentials') =>
      fetch(`${t.server.url}/iceberg/v1/oauth/tokens`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: grant, client_id: writer.accessKeyId, client_secret: secret }).toString(),
      });
    const granted = await exchange(writer.secretAccessKey);
    expect(granted.status).toBe(200);
    const body = (await granted.json()) as { access_token: string; token_type: string; expires_in: number };
    expect(body).toMatchObject({ token_type: 'bearer', expires_in: 3600 });
    const viaOAuth = new IcebergRestCatalog({ baseUrl: `${t.server.url}/iceberg`, auth: { type: 'bearer', token: body.access_token } });
    expect((await viaOAuth.listTables({ namespace: ['default'] })).identifiers).toHaveLength(2);

    const wrong = await exchange('not-the-secret');
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ error: 'invalid_client' });
    expect((await exchange(writer.secretAccessKey, 'password')).status).toBe(400);
  });
});
