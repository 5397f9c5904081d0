import { createHash, createHmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import { tableFromIPC } from 'apache-arrow';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deriveBearerToken, NATIVE_ROUTES } from '../../wire/index.js';
import { buildApp } from '../app.js';
import { SigV4Authenticator } from '../auth/authenticator.js';
import { BearerTokens } from '../auth/bearer-tokens.js';
import { ServerMetrics } from '../metrics/metrics.js';
import { startTestServer, type Credentials, type TestServer } from '../testing/test-server.js';
import { nativeApi } from './index.js';

type Bytes = string | ArrayBuffer | ArrayBufferView;
const bytes = (data: Bytes) => (typeof data === 'string' ? data : ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(data));

/** SHA-256 on node:crypto, as the AWS SDK's Node runtime provides it. */
class NodeSha256 {
  private readonly hash;
  constructor(secret?: Bytes) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret));
  }
  update(data: Bytes) {
    this.hash.update(bytes(data));
  }
  async digest() {
    return new Uint8Array(this.hash.digest());
  }
}

const GROUP = {
  featureGroupName: 'scores',
  recordIdentifierFeatureName: 'id',
  eventTimeFeatureName: 'ts',
  featureDefinitions: [
    { featureName: 'id', featureType: 'String' },
    { featureName: 'ts', featureType: 'Fractional' },
    { featureName: 'score', featureType: 'Integral' },
  ],
};

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are read loosely, the assertions check them
type Json = Record<string, any>;

describe('native API over HTTP', () => {
  let t: TestServer;
  const token = (c: Credentials, lifetime = 600) => deriveBearerToken(c.accessKeyId, c.secretAccessKey, Math.floor(Date.now() / 1000) + lifetime);
  const call = async (method: string, path: string, options: { auth?: string | null; body?: string; type?: string; accept?: string } = {}) => {
    const headers: Record<string, string> = {};
    if (options.auth !== null) headers.authorization = options.auth ?? `Bearer ${token(t.admin)}`;
    if (options.body !== undefined) headers['content-type'] = options.type ?? 'application/json';
    if (options.accept) headers.accept = options.accept;
    const response = await fetch(`${t.server.url}${path}`, { method, headers, ...(options.body === undefined ? {} : { body: options.body }) });
    const text = response.headers.get('content-type')?.startsWith('application/json') ? await response.text() : '';
    return { status: response.status, text, json: (text ? JSON.parse(text) : {}) as Json, response };
  };
  const score = async (id: string) => (await call('GET', `/v1/feature-groups/scores/records/${id}`)).json.record?.score;

  beforeAll(async () => {
    t = await startTestServer();
    expect((await call('POST', '/v1/feature-groups', { body: JSON.stringify(GROUP) })).status).toBe(200);
    expect((await call('POST', '/v1/feature-groups', { body: JSON.stringify({ ...GROUP, featureGroupName: 'secrets' }) })).status).toBe(200);
    expect((await call('POST', '/v1/feature-groups/scores/records', { body: '{"record":{"id":"r1","ts":1735689600,"score":1}}' })).status).toBe(200);
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('serves an OpenAPI 3.1 document listing every registered native route', async () => {
    const doc = (await call('GET', '/openapi.json', { auth: null })).json;
    expect(doc.openapi).toBe('3.1.0');
    // The routes as fastify registered them, not as the table says.
    const registered: string[] = [];
    const probe = Fastify();
    probe.addHook('onRoute', (r) => {
      if (r.url.startsWith('/v1/') && !r.url.includes('*')) for (const m of [r.method].flat()) if (m !== 'HEAD') registered.push(`${m} ${r.url.replace(/:(\w+)/g, '{$1}')}`);
    });
    const store = t.server.store;
    await probe.register(nativeApi, { store, sigv4: new SigV4Authenticator({ keys: store.accessKeys }), tokens: new BearerTokens({ keys: store.accessKeys }), metrics: new ServerMetrics() });
    await probe.ready();
    await probe.close();
    const documented = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
    expect(registered.length).toBe(Object.keys(NATIVE_ROUTES).length);
    expect(documented.sort()).toEqual(registered.sort());
    const put = doc.paths['/v1/feature-groups/{featureGroupName}/records'].post;
    expect(put.requestBody.content['application/json'].schema.$ref).toBe('#/components/schemas/PutRecordRequest');
    expect(doc.components.schemas.CreateFeatureGroupRequest.properties.featureDefinitions.maxItems).toBe(2500);
    expect(doc.components.schemas.IngestResponse.properties.snapshotId).toEqual({ type: 'integer', format: 'int64' });
  });

  it('refuses missing, malformed, forged and expired tokens with 401, changing nothing', async () => {
    const put = (auth: string | null) => call('POST', '/v1/feature-groups/scores/records', { auth, body: '{"record":{"id":"r1","ts":1735689700,"score":666}}' });
    const missing = await put(null);
    expect(missing.status).toBe(401);
    expect(missing.response.headers.get('www-authenticate')).toBe('Bearer realm="floe"');
    expect(missing.json.error).toMatchObject({ code: 'Unauthenticated', field: 'Authorization' });
    expect((await put('Bearer nonsense')).json.error.message).toMatch(/malformed/);
    expect((await put(`Bearer ${token({ ...t.admin, secretAccessKey: 'guessed' })}`)).json.error.message).toMatch(/not made with this access key/);
    expect((await put(`Bearer ${token(t.admin, -10)}`)).json.error.message).toMatch(/expired/);
    expect((await put(`Bearer ${token(t.admin, 30 * 86_400)}`)).json.error.message).toMatch(/lifetime beyond 12 hours/);
    expect((await put(`Bearer ${token({ accessKeyId: 'FLOEUNKNOWN', secretAccessKey: 'x' })}`)).json.error.message).toMatch(/not known/);
    expect((await put('AWS4-HMAC-SHA256 Credential=x')).status).toBe(401);
    expect(await score('r1')).toBe(1);
  });

  it('mints tokens over SigV4 (never from a token), carrying the key role', async () => {
    const reader = await t.key('reader');
    const url = new URL(`${t.server.url}/v1/tokens`);
    const signer = new SignatureV4({ credentials: reader, region: 'us-east-1', service: 'sagemaker', sha256: NodeSha256 });
    const signed = await signer.sign({
      method: 'POST',
      protocol: 'http:',
      hostname: url.hostname,
      port: Number(url.port),
      path: url.pathname,
      headers: { host: url.host, 'content-type': 'application/json' },
      body: '{"expiresInSeconds":120}',
    });
    const response = await fetch(url, { method: 'POST', headers: signed.headers, body: signed.body as string });
    const minted = (await response.json()) as Record<string, string>;
    expect(response.status).toBe(200);
    expect(minted).toMatchObject({ tokenType: 'Bearer', accessKeyId: reader.accessKeyId, role: 'reader' });
    expect(Date.parse(minted.expiresAt!) - Date.now()).toBeLessThanOrEqual(120_000);
    expect((await call('GET', '/v1/feature-groups/scores/records/r1', { auth: `Bearer ${minted.token}` })).json.record.score).toBe(1);
    expect((await call('GET', '/v1/whoami', { auth: `Bearer ${minted.token}` })).json).toEqual({ accessKeyId: reader.accessKeyId, role: 'reader' });
    expect((await call('GET', '/v1/whoami', { auth: null })).status).toBe(401);
    const again = await call('POST', '/v1/tokens', { auth: `Bearer ${minted.token}`, body: '{}' });
    expect(again.status).toBe(403);
    expect((await call('POST', '/v1/tokens', { body: '{"expiresInSeconds":999999}' })).json.error.field).toBe('expiresInSeconds');
  });

  it('enforces roles and group limits per route: 403, nothing changed', async () => {
    const reader = `Bearer ${token(await t.key('reader'))}`;
    const writer = `Bearer ${token(await t.key('writer'))}`;
    const limited = `Bearer ${token(await t.key('admin', ['scores']))}`;
    const denied = await call('POST', '/v1/feature-groups/scores/records', { auth: reader, body: '{"record":{"id":"r1","ts":1735689800,"score":5}}' });
    expect(denied.status).toBe(403);
    expect(denied.json.error).toMatchObject({ code: 'AccessDenied' });
    expect((await call('POST', '/v1/feature-groups/scores/ingest', { auth: reader, body: '{"id":"r1","ts":1735689800,"score":5}', type: 'application/x-ndjson' })).status).toBe(403);
    expect((await call('DELETE', '/v1/feature-groups/scores', { auth: writer })).status).toBe(403);
    expect((await call('POST', '/v1/feature-groups/scores/records', { auth: writer, body: '{"record":{"id":"w1","ts":1735689800,"score":2}}' })).status).toBe(200);
    expect((await call('GET', '/v1/feature-groups/secrets', { auth: limited })).status).toBe(403);
    const batch = await call('POST', '/v1/records/batch-get', { auth: limited, body: '{"identifiers":[{"featureGroupName":"secrets","recordIdentifiers":["x"]}]}' });
    expect(batch.status).toBe(403);
    const listed = (await call('GET', '/v1/feature-groups', { auth: limited })).json.featureGroups.map((g: { featureGroupName: string }) => g.featureGroupName);
    expect(listed).toEqual(['scores']);
    // SQL sees only the key's groups; a SQL dataset base is refused outright.
    await call('POST', '/v1/feature-groups/scores/flush');
    expect((await call('POST', '/v1/query', { auth: limited, body: '{"sql":"SELECT count(*) AS n FROM scores"}' })).status).toBe(200);
    const other = await call('POST', '/v1/query', { auth: limited, body: '{"sql":"SELECT * FROM secrets"}' });
    expect(other.status).toBe(403);
    expect(other.json.error).toMatchObject({ code: 'AccessDenied', field: 'sql' });
    const sqlBase = { base: { sql: 'SELECT 1 AS id, 1.0 AS ts' }, recordIdentifierFeatureName: 'id', eventTimeFeatureName: 'ts', featureGroups: [{ featureGroupName: 'scores' }] };
    expect((await call('POST', '/v1/datasets', { auth: limited, body: JSON.stringify(sqlBase) })).status).toBe(403);
    // Maintenance statements through SQL need the admin role on the group.
    expect((await call('POST', '/v1/query', { auth: writer, body: '{"sql":"OPTIMIZE scores REWRITE DATA USING BIN_PACK"}' })).status).toBe(403);
    expect((await call('POST', '/v1/query', { auth: limited, body: '{"sql":"VACUUM secrets"}' })).status).toBe(403);
    expect((await call('POST', '/v1/feature-groups/scores/vacuum', { auth: writer, body: '{}' })).status).toBe(403);
    expect((await call('POST', '/v1/jobs', { auth: limited, body: '{"featureGroupName":"secrets","kind":"vacuum"}' })).status).toBe(403);
    const outside = await call('POST', '/v1/feature-groups', { auth: limited, body: JSON.stringify({ ...GROUP, featureGroupName: 'elsewhere' }) });
    expect(outside.status).toBe(403);
    expect(outside.json.error).toMatchObject({ code: 'AccessDenied', field: 'FeatureGroupName' });
    expect((await call('GET', '/v1/feature-groups/elsewhere')).status).toBe(404);
    expect(await score('r1')).toBe(1);
  });

  it('answers client mistakes with 4xx and the field, never 500', async () => {
    const cases: Array<[string, string, string | undefined, number, string | undefined]> = [
      ['POST', '/v1/feature-groups/scores/records', '{"record":', 400, 'body'],
      ['POST', '/v1/feature-groups/scores/records', '{"record":{"id":"r1","ts":"soon"}}', 400, 'ts'],
      ['POST', '/v1/feature-groups/scores/records', '{"record":{"id":"r1","ts":1},"colour":"red"}', 400, undefined],
      ['POST', '/v1/feature-groups/scores/records', '{"record":[]}', 400, 'record'],
      ['POST', '/v1/feature-groups', JSON.stringify({ ...GROUP, featureGroupName: 'bad--name' }), 400, 'featureGroupName'],
      ['GET', '/v1/feature-groups?maxResults=lots', undefined, 400, 'maxResults'],
      ['GET', '/v1/feature-groups/scores/records?includeSoftDeletedRecords=maybe', undefined, 400, 'includeSoftDeletedRecords'],
      ['DELETE', '/v1/feature-groups/scores/records/r1', undefined, 400, 'eventTime'],
      ['DELETE', '/v1/feature-groups/scores/records/r1?eventTime=1&deletionMode=Sideways', undefined, 400, 'deletionMode'],
      ['GET', '/v1/feature-groups/nope', undefined, 404, 'featureGroupName'],
      ['GET', '/v1/nothing-here', undefined, 404, undefined],
      ['POST', '/v1/feature-groups', JSON.stringify(GROUP), 400, undefined],
      ['POST', '/v1/query', '{"sql":"DROP TABLE scores"}', 400, undefined],
      ['POST', '/v1/query', '{"sql":1}', 400, 'sql'],
      ['POST', '/v1/datasets', '{"base":{"path":"/etc/passwd"},"recordIdentifierFeatureName":"id","eventTimeFeatureName":"ts","featureGroups":[]}', 400, 'base'],
      ['POST', '/v1/feature-groups/scores/ingest', 'id,ts\n', 400, 'Content-Type'],
    ];
    for (const [method, path, body, status, field] of cases) {
      const r = await call(method, path, body === undefined ? {} : { body, ...(path.endsWith('/ingest') ? { type: 'text/plain' } : {}) });
      expect(r.status, `${method} ${path} ${body ?? ''}: ${r.text}`).toBe(status);
      expect(typeof r.json.error.message).toBe('string');
      if (field !== undefined) expect(r.json.error.field, r.text).toBe(field);
    }
    expect(await score('r1')).toBe(1);
  });

  it('keeps int64 exact in both directions as plain JSON integers', async () => {
    await call('POST', '/v1/feature-groups', {
      body: JSON.stringify({ ...GROUP, featureGroupName: 'wide', featureDefinitions: [...GROUP.featureDefinitions, { featureName: 'many', featureType: 'Integral', collectionType: 'List' }] }),
    });
    const put = await call('POST', '/v1/feature-groups/wide/records', { body: '{"record":{"id":"big","ts":1735689600.5,"score":9223372036854775807,"many":[-9223372036854775808,9007199254740993,1]}}', type: 'application/json' });
    expect(put.status).toBe(200);
    const got = await call('GET', '/v1/feature-groups/wide/records/big');
    expect(got.text).toContain('"score":9223372036854775807');
    expect(got.text).toContain('"many":[-9223372036854775808,9007199254740993,1]');
    expect(got.text).toContain('"ts":1735689600.5');
    await call('POST', '/v1/feature-groups/wide/flush');
    const arrow = await fetch(`${t.server.url}/v1/query`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token(t.admin)}`, 'content-type': 'application/json', accept: 'application/vnd.apache.arrow.stream' },
      body: '{"sql":"SELECT score FROM wide"}',
    });
    expect(arrow.headers.get('content-type')).toBe('application/vnd.apache.arrow.stream');
    expect(tableFromIPC(new Uint8Array(await arrow.arrayBuffer())).getChild('score')!.get(0)).toBe(9223372036854775807n);
  });

  it('ingests JSON Lines with failed rows and progress lines, and refuses a bad line by number', async () => {
    const lines = ['{"id":"j1","ts":1735689600,"score":1}', '{"id":"j2","ts":"later","score":2}', '{"id":"j3","ts":1735689600,"score":9007199254740993}'].join('\n');
    const result = await call('POST', '/v1/feature-groups/wide/ingest', { body: lines, type: 'application/x-ndjson' });
    expect(result.json).toMatchObject({ rowsRead: 3, rowsWritten: 2, rowsFailed: 1, failedRows: [{ row: 1, field: 'ts' }] });
    const progress = await fetch(`${t.server.url}/v1/feature-groups/wide/ingest?chunkRows=1`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token(t.admin)}`, 'content-type': 'application/x-ndjson', accept: 'application/x-ndjson' },
      body: lines,
    });
    const messages = (await progress.text()).trim().split('\n').map((l) => JSON.parse(l) as Record<string, { rowsRead: number }>);
    expect(messages.map((m) => Object.keys(m)[0])).toEqual(['progress', 'progress', 'progress', 'result']);
    expect(messages.at(-1)!.result!.rowsRead).toBe(3);
    const bad = await call('POST', '/v1/feature-groups/wide/ingest', { body: '{"id":"j4","ts":1}\n{oops', type: 'application/x-ndjson' });
    expect(bad.status).toBe(400);
    expect(bad.json.error.message).toMatch(/line 2 is not valid JSON/);
    expect((await call('GET', '/v1/feature-groups/wide/records/j3')).text).toContain('9007199254740993');
  });

  it('refuses an ingest body over the limit with 413', async () => {
    const app = await buildApp({ store: t.server.store, authenticator: new SigV4Authenticator({ keys: t.server.store.accessKeys }), ingestBodyLimit: 64 });
    const response = await app.inject({
      method: 'POST',
      url: '/v1/feature-groups/wide/ingest',
      headers: { authorization: `Bearer ${token(t.admin)}`, 'content-type': 'application/x-ndjson' },
      payload: '{"id":"x","ts":1735689600,"score":1}\n'.repeat(10),
    });
    await app.close();
    expect(response.statusCode).toBe(413);
    expect(response.json().error).toMatchObject({ code: 'LimitExceeded', field: 'body' });
    expect((await call('GET', '/v1/feature-groups/wide/records/x')).json.record).toBeNull();
  });

  it('never logs secrets or tokens', async () => {
    const secret = token(t.admin);
    await call('GET', '/v1/feature-groups', { auth: `Bearer ${secret}` });
    const logs = t.logs.join('');
    expect(logs).not.toContain(t.admin.secretAccessKey);
    expect(logs).not.toContain(secret);
    expect(logs).not.toContain(secret.split('.').at(-1));
  });
});
