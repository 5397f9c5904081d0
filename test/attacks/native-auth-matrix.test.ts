import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Credentials, TestServer } from '../../src/server/testing/test-server.js';
import { startTestServer } from '../../src/server/testing/test-server.js';
import { deriveBearerToken, MAX_TOKEN_LIFETIME_SECONDS, NATIVE_ROUTES, routePath, type NativeRouteName } from '../../src/wire/index.js';
import { roleMay, type KeyRole } from '../support/auth-rules.js';
import { sendRaw, signRaw, type RawResponse } from '../support/signed-request.js';
import { storeDigest } from '../support/store-digest.js';

/** `limited`: an admin key limited to alpha (and the groups the alpha cells create and delete), so only the group limit refuses it. */
type Role = 'reader' | 'writer' | 'admin' | 'limited';
const ROLES: Role[] = ['reader', 'writer', 'admin', 'limited'];
const KEY_ROLE: Record<Role, KeyRole> = { reader: 'reader', writer: 'writer', admin: 'admin', limited: 'admin' };
const GROUPS = ['alpha', 'beta'];
const LIMITED_TO = ['alpha', 'alpha-new', 'alpha-victim'];

const definition = (name: string) => ({
  featureGroupName: name,
  recordIdentifierFeatureName: 'id',
  eventTimeFeatureName: 'ts',
  featureDefinitions: [
    { featureName: 'id', featureType: 'String' },
    { featureName: 'ts', featureType: 'Fractional' },
    { featureName: 'score', featureType: 'Integral' },
  ],
  onlineStoreConfig: { enableOnlineStore: true },
  offlineStoreConfig: { enableOfflineStore: true },
});
const TS = 1735689600;

interface Call {
  params?: Record<string, string>;
  query?: Record<string, string>;
  /** A JSON body, or a streamed one with its media type. */
  body?: unknown;
  raw?: { body: string; type: string };
}

interface Case {
  /** Where the call names its feature group: the path, the query string, the body, the SQL text, or nowhere. */
  scope: 'path' | 'query' | 'body' | 'sql' | 'none';
  /** Signed with SigV4 rather than a bearer token (a token may not mint tokens). */
  sigv4?: true;
  /** A valid request on `group` by `role`. */
  request(group: string, role: Role): Call;
  /** Run with the first-start admin key around an allowed call, so each cell finds the same state. */
  before?(t: TestServer, group: string, role: Role): Promise<void>;
  after?(t: TestServer, group: string, role: Role): Promise<void>;
}

const g = (group: string) => ({ featureGroupName: group });

/** One valid request per native route. Typed by route name, so a route added to NATIVE_ROUTES without a case here does not compile. */
const CASES: Record<NativeRouteName, Case> = {
  createToken: { scope: 'none', sigv4: true, request: () => ({ body: { expiresInSeconds: 120 } }) },
  whoami: { scope: 'none', request: () => ({}) },
  createFeatureGroup: {
    scope: 'body',
    request: (group) => ({ body: definition(`${group}-new`) }),
    after: async (t, group) => t.server.store.deleteFeatureGroup(`${group}-new`),
  },
  listFeatureGroups: { scope: 'none', request: () => ({ query: { maxResults: '100' } }) },
  describeFeatureGroup: { scope: 'path', request: (group) => ({ params: g(group) }) },
  updateFeatureGroup: { scope: 'path', request: (group, role) => ({ params: g(group), body: { description: `by ${role}` } }) },
  deleteFeatureGroup: {
    scope: 'path',
    request: (group) => ({ params: g(`${group}-victim`) }),
    after: async (t, group) => void (await t.server.store.createFeatureGroup(definition(`${group}-victim`) as never)),
  },
  describeFeatureMetadata: { scope: 'path', request: (group) => ({ params: { ...g(group), featureName: 'score' } }) },
  updateFeatureMetadata: { scope: 'path', request: (group, role) => ({ params: { ...g(group), featureName: 'score' }, body: { description: `by ${role}` } }) },
  search: { scope: 'none', request: () => ({ body: { resource: 'FeatureGroup' } }) },
  putRecord: { scope: 'path', request: (group, role) => ({ params: g(group), body: { record: { id: `put-${role}`, ts: TS, score: 1 } } }) },
  listRecords: { scope: 'path', request: (group) => ({ params: g(group) }) },
  getRecord: { scope: 'path', request: (group) => ({ params: { ...g(group), recordId: 'seed' } }) },
  updateRecord: { scope: 'path', request: (group) => ({ params: { ...g(group), recordId: 'seed' }, body: { features: { score: 2 } } }) },
  deleteRecord: {
    scope: 'path',
    request: (group, role) => ({ params: { ...g(group), recordId: `victim-${role}` }, query: { eventTime: String(TS + 100) } }),
    before: async (t, group, role) => t.server.store.featureGroup(group).putRecord({ id: `victim-${role}`, ts: TS, score: 1 }),
  },
  groupBatchGetRecord: { scope: 'path', request: (group) => ({ params: g(group), body: { recordIds: ['seed'] } }) },
  deleteRecords: {
    scope: 'path',
    request: (group, role) => ({ params: g(group), body: { records: [{ recordId: `victims-${role}`, eventTime: TS + 100 }] } }),
    before: async (t, group, role) => t.server.store.featureGroup(group).putRecord({ id: `victims-${role}`, ts: TS, score: 1 }),
  },
  flush: { scope: 'path', request: (group) => ({ params: g(group) }) },
  ingest: { scope: 'path', request: (group, role) => ({ params: g(group), raw: { body: JSON.stringify({ id: `ingested-${role}`, ts: TS, score: 3 }), type: 'application/x-ndjson' } }) },
  snapshots: { scope: 'path', request: (group) => ({ params: g(group) }) },
  batchGetRecord: { scope: 'body', request: (group) => ({ body: { identifiers: [{ featureGroupName: group, recordIdentifiers: ['seed'] }] } }) },
  batchWriteRecord: { scope: 'body', request: (group, role) => ({ body: { entries: [{ featureGroupName: group, record: { id: `batch-${role}`, ts: TS, score: 4 } }] } }) },
  query: { scope: 'sql', request: (group) => ({ body: { sql: `SELECT count(*) AS n FROM "${group}"` } }) },
  dataset: {
    scope: 'body',
    request: (group) => ({
      body: { base: { rows: [{ id: 'seed', ts: TS + 50 }] }, recordIdentifierFeatureName: 'id', eventTimeFeatureName: 'ts', featureGroups: [{ featureGroupName: group }] },
    }),
  },
  optimize: { scope: 'path', request: (group) => ({ params: g(group), body: {} }) },
  vacuum: { scope: 'path', request: (group) => ({ params: g(group), body: {} }) },
  applyRetention: { scope: 'path', request: (group) => ({ params: g(group), body: { retentionSeconds: 100 * 365 * 86_400 } }) },
  purgeRecords: { scope: 'path', request: (group) => ({ params: g(group), body: { recordIdentifiers: ['nobody'] } }) },
  tableProperties: { scope: 'path', request: (group) => ({ params: g(group) }) },
  setTableProperties: { scope: 'path', request: (group) => ({ params: g(group), body: { 'commit.retry.num-retries': '4' } }) },
  listJobs: { scope: 'query', request: (group) => ({ query: g(group) }) },
  runJob: { scope: 'body', request: (group) => ({ body: { featureGroupName: group, kind: 'vacuum' } }) },
};

const ROUTE_NAMES = Object.keys(NATIVE_ROUTES) as NativeRouteName[];
/** The groups a cell runs on: an unscoped route once. */
const groupsOf = (name: NativeRouteName) => (CASES[name].scope === 'none' ? ['alpha'] : GROUPS);
const scoped = (name: NativeRouteName) => CASES[name].scope !== 'none';
const roleAllows = (role: Role, name: NativeRouteName) => roleMay(KEY_ROLE[role], NATIVE_ROUTES[name].permission);
const allowed = (role: Role, name: NativeRouteName, group: string) => roleAllows(role, name) && (role !== 'limited' || !scoped(name) || group === 'alpha');

interface Answer extends RawResponse {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are read loosely, the assertions check them
  json: Record<string, any>;
}

describe('native API authentication matrix: each role against each route of NATIVE_ROUTES', () => {
  let t: TestServer;
  const keys = {} as Record<Role, Credentials>;
  const token = (c: Credentials, lifetime = 600) => deriveBearerToken(c.accessKeyId, c.secretAccessKey, Math.floor(Date.now() / 1000) + lifetime);

  const send = async (name: NativeRouteName, call: Call, auth: { credentials: Credentials; sigv4?: boolean } | { authorization: string }): Promise<Answer> => {
    const route = NATIVE_ROUTES[name];
    const query = call.query ? `?${new URLSearchParams(call.query).toString()}` : '';
    const path = `${routePath(route.path, call.params ?? {})}${query}`;
    const headers: Record<string, string> = {};
    let body: string | undefined;
    if (call.raw) [body, headers['content-type']] = [call.raw.body, call.raw.type];
    else if (call.body !== undefined) [body, headers['content-type']] = [JSON.stringify(call.body), 'application/json'];
    let request = { method: route.method, path, headers, ...(body === undefined ? {} : { body }) };
    if ('authorization' in auth) headers.authorization = auth.authorization;
    else if (auth.sigv4) request = signRaw(t.server.url, request, auth.credentials) as typeof request;
    else headers.authorization = `Bearer ${token(auth.credentials)}`;
    const response = await sendRaw(t.server.url, request);
    let json = {};
    try {
      json = JSON.parse(response.body) as object;
    } catch {
      // not JSON: the assertions say so
    }
    return { ...response, json };
  };
  const run = (name: NativeRouteName, role: Role, group: string) => send(name, CASES[name].request(group, role), { credentials: keys[role], sigv4: CASES[name].sigv4 === true });

  /** storeDigest, and what it leaves out that the native API can change: table properties and maintenance runs. */
  const digest = async () => {
    const store = t.server.store;
    const properties = [];
    for (const { featureGroupName } of (await store.listFeatureGroups({ maxResults: 100 })).featureGroups.sort((a, b) => a.featureGroupName.localeCompare(b.featureGroupName))) {
      properties.push([featureGroupName, await store.featureGroup(featureGroupName).tableProperties()]);
    }
    const jobs = (await store.listJobs({})).map((j) => [j.id, j.kind, j.featureGroupName, j.status]);
    return JSON.stringify([await storeDigest(store), properties, jobs]);
  };

  beforeAll(async () => {
    t = await startTestServer();
    keys.reader = await t.key('reader');
    keys.writer = await t.key('writer');
    keys.admin = await t.key('admin');
    keys.limited = await t.key('admin', LIMITED_TO);
    for (const group of GROUPS) {
      for (const name of [group, `${group}-victim`]) await t.server.store.createFeatureGroup(definition(name) as never);
      await t.server.store.featureGroup(group).putRecord({ id: 'seed', ts: TS, score: 1 });
      await t.server.store.featureGroup(group).flush();
      await t.server.store.featureGroup(group).vacuum({});
    }
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('has a case for every route of NATIVE_ROUTES, and a cell for every role on each', () => {
    expect(Object.keys(CASES).sort()).toEqual([...ROUTE_NAMES].sort());
    expect(ROUTE_NAMES.length).toBeGreaterThanOrEqual(32);
    // A route needing more than read is refused to the reader; a route naming a group, to the key limited to alpha on beta.
    for (const name of ROUTE_NAMES) {
      const { permission } = NATIVE_ROUTES[name];
      if (permission === 'write' || permission === 'admin') expect(allowed('reader', name, 'alpha'), name).toBe(false);
      if (scoped(name)) expect(allowed('limited', name, 'beta'), name).toBe(false);
    }
  });

  it('refuses every call a role or a group limit forbids with 403 AccessDenied, and all of them together change nothing', async () => {
    const before = await digest();
    let refused = 0;
    for (const role of ROLES) {
      for (const name of ROUTE_NAMES) {
        for (const group of groupsOf(name)) {
          if (allowed(role, name, group) || (role === 'limited' && CASES[name].scope === 'sql')) continue; // the SQL cell: below
          const cell = `${role} ${name} ${group}`;
          const answer = await run(name, role, group);
          expect(answer.status, `${cell}: ${answer.body}`).toBe(403);
          expect(answer.json.error?.code, cell).toBe('AccessDenied');
          expect(answer.json.error.message, cell).toMatch(
            !roleAllows(role, name)
              ? new RegExp(`has role ${KEY_ROLE[role]}, which may not call ${NATIVE_ROUTES[name].operation}`)
              : new RegExp(`is limited to feature groups ${LIMITED_TO.join(', ')}, not '${group}`),
          );
          refused++;
        }
      }
    }
    // With 32 routes: 81 of the 240 cells (reader: write and admin routes; writer: admin routes; limited: every scoped route on beta but the SQL one).
    expect(refused).toBeGreaterThan(60);
    expect(await digest()).toBe(before);
  });

  it('answers every call a role may make with 200', async () => {
    let made = 0;
    for (const role of ROLES) {
      for (const name of ROUTE_NAMES) {
        for (const group of groupsOf(name)) {
          if (!allowed(role, name, group)) continue;
          const c = CASES[name];
          await c.before?.(t, group, role);
          const answer = await run(name, role, group);
          expect(answer.status, `${role} ${name} ${group}: ${answer.body}`).toBe(200);
          await c.after?.(t, group, role);
          made++;
        }
      }
    }
    expect(made).toBeGreaterThan(100); // 158 with 32 routes
    // The writes went where they were sent.
    const alpha = t.server.store.featureGroup('alpha');
    for (const role of ROLES.filter((r) => roleMay(KEY_ROLE[r], 'write'))) {
      expect(await alpha.getRecord(`put-${role}`), role).toMatchObject({ id: `put-${role}` });
      expect(await alpha.getRecord(`victim-${role}`), role).toBeUndefined();
    }
    expect(await alpha.getRecord('put-reader')).toBeUndefined();
    expect(await t.server.store.featureGroup('beta').getRecord('put-limited')).toBeUndefined();
  });

  it('keeps a key limited to alpha off beta: 403 on every scoped route (as for a group that does not exist), beta hidden from lists and SQL', async () => {
    const before = await digest();
    const limited = { credentials: keys.limited };
    for (const name of ROUTE_NAMES) {
      const c = CASES[name];
      if (c.scope === 'none' || c.scope === 'sql' || c.sigv4) continue;
      // No oracle: a group that exists and one that does not get the same refusal.
      const onBeta = await send(name, c.request('beta', 'limited'), limited);
      const onNothing = await send(name, c.request('gamma', 'limited'), limited);
      expect([onBeta.status, onNothing.status], name).toEqual([403, 403]);
      expect(onNothing.json.error.message.replaceAll('gamma', 'beta'), name).toBe(onBeta.json.error.message);
    }

    // SQL: beta is not bound for this key, and its SQL may name only tables it has: 403, exactly as for a table that does not exist.
    const query = (sql: string) => send('query', { body: { sql } }, limited);
    const onBeta = await query('SELECT count(*) AS n FROM "beta"');
    const onNothing = await query('SELECT count(*) AS n FROM "gamma"');
    expect(onBeta.status, onBeta.body).toBe(403);
    expect(onBeta.json.error).toMatchObject({ code: 'AccessDenied', field: 'sql' });
    expect(onNothing.status).toBe(403);
    expect(onNothing.json.error.message.replaceAll('gamma', 'beta')).toBe(onBeta.json.error.message);
    for (const sql of ['SELECT * FROM alpha JOIN beta USING (id)', 'SELECT * FROM alpha UNION ALL SELECT * FROM beta', 'SELECT (SELECT count(*) FROM "BETA") AS n']) {
      const answer = await query(sql);
      expect(answer.status, `${sql}: ${answer.body}`).toBe(403);
      expect(answer.body, sql).not.toMatch(/seed/);
    }
    // Nor through the files: the sandbox lets SQL read the whole warehouse, beta's files among them,
    // so a limited key's SQL may read only its bound tables (this read beta's rows before the fix).
    const beta = `${t.dataDir}/warehouse/beta`;
    for (const sql of [
      `SELECT * FROM read_parquet('${beta}/data/*.parquet')`,
      `SELECT * FROM alpha, read_parquet('${t.dataDir}/warehouse/*/data/*.parquet')`,
      `SELECT * FROM alpha WHERE id IN (SELECT id FROM read_parquet('${beta}/**/*.parquet'))`,
      `SELECT * FROM alpha, LATERAL (SELECT * FROM read_text('${beta}/metadata/v1.metadata.json'))`,
      `SELECT * FROM glob('${beta}/**')`,
      `SELECT * FROM '${beta}/data/*.parquet'`,
      `SELECT * FROM "${beta}/data/*.parquet"`,
      `WITH alpha AS (SELECT 1) SELECT * FROM '${beta}/data/*.parquet'`,
      `SELECT * FROM query('SELECT * FROM read_parquet(''${beta}/data/*.parquet'')')`,
      `SELECT * FROM parquet_metadata('${beta}/data/*.parquet')`,
      `DESCRIBE '${beta}/data/*.parquet'`,
      `SUMMARIZE SELECT * FROM read_parquet('${beta}/data/*.parquet')`,
      `PRAGMA table_info('${beta}/data/*.parquet')`,
      `SELECT * FROM memory.main.alpha`,
    ]) {
      const answer = await query(sql);
      expect(answer.status, `${sql}: ${answer.body}`).toBe(403);
      expect(answer.json.error, sql).toMatchObject({ code: 'AccessDenied', field: 'sql' });
      expect(answer.body, sql).not.toMatch(/seed|"score"/);
    }
    const arrow = await sendRaw(t.server.url, {
      method: 'POST',
      path: '/v1/query',
      headers: { authorization: `Bearer ${token(keys.limited)}`, 'content-type': 'application/json', accept: 'application/vnd.apache.arrow.stream' },
      body: JSON.stringify({ sql: `SELECT * FROM read_parquet('${beta}/data/*.parquet')` }),
    });
    expect(arrow.status).toBe(403);
    // Its own tables it still reads however it likes.
    for (const sql of ['WITH x AS (SELECT * FROM alpha) SELECT count(*) AS n FROM x JOIN "ALPHA" USING (id)', 'SELECT * FROM (FROM temp.alpha) WHERE id = (SELECT max(id) FROM main.alpha)', 'DESCRIBE alpha']) {
      const answer = await query(sql);
      expect(answer.status, `${sql}: ${answer.body}`).toBe(200);
    }
    // A key without limits is not held to its tables (it may read every group anyway).
    const unlimited = await send('query', { body: { sql: `SELECT id FROM read_parquet('${beta}/data/*.parquet')` } }, { credentials: keys.reader });
    expect(unlimited.status, unlimited.body).toBe(200);

    // Maintenance through SQL needs the group too; a SQL dataset base is refused outright.
    for (const sql of ['OPTIMIZE beta REWRITE DATA USING BIN_PACK', 'VACUUM beta', "ALTER TABLE beta SET TBLPROPERTIES ('commit.retry.num-retries'='9')"]) {
      const answer = await query(sql);
      expect(answer.status, `${sql}: ${answer.body}`).toBe(403);
      expect(answer.json.error.code).toBe('AccessDenied');
    }
    const sqlBase = await send('dataset', { body: { base: { sql: 'SELECT * FROM beta' }, recordIdentifierFeatureName: 'id', eventTimeFeatureName: 'ts', featureGroups: [g('alpha')] } }, limited);
    expect(sqlBase.status).toBe(403);
    expect(sqlBase.json.error.field).toBe('base.sql');
    const datasetBase = await send('dataset', { body: { base: g('beta'), recordIdentifierFeatureName: 'id', eventTimeFeatureName: 'ts', featureGroups: [g('alpha')] } }, limited);
    expect(datasetBase.status).toBe(403);
    // Several groups in one body: one outside the limit refuses the whole call.
    const mixed = await send('batchGetRecord', { body: { identifiers: [{ ...g('alpha'), recordIdentifiers: ['seed'] }, { ...g('beta'), recordIdentifiers: ['seed'] }] } }, limited);
    expect(mixed.status).toBe(403);
    expect(mixed.body).not.toMatch(/"score"/);

    // Lists hide beta (its name and its jobs) rather than refusing.
    const names = (answer: Answer, pick: (x: Record<string, string>) => string | undefined) => (answer.json[Object.keys(answer.json).find((k) => Array.isArray(answer.json[k]))!] as Array<Record<string, string>>).map(pick);
    const listed = names(await send('listFeatureGroups', {}, limited), (x) => x.featureGroupName);
    expect(listed.sort()).toEqual(['alpha', 'alpha-victim']);
    for (const resource of ['FeatureGroup', 'FeatureMetadata']) {
      const found = (await send('search', { body: { resource } }, limited)).json.results as Array<Record<string, Record<string, string>>>;
      const groups = found.map((r) => (r.featureGroup ?? r.featureMetadata)!.featureGroupName);
      expect(groups.length, resource).toBeGreaterThan(0);
      expect(groups.every((n) => n!.startsWith('alpha')), `${resource}: ${groups.join(', ')}`).toBe(true);
    }
    const jobs = names(await send('listJobs', {}, limited), (x) => x.featureGroupName);
    expect(jobs).toContain('alpha');
    expect(jobs.every((n) => n === 'alpha' || n?.startsWith('alpha-')), jobs.join(', ')).toBe(true);
    expect(names(await send('listJobs', {}, { credentials: keys.admin }), (x) => x.featureGroupName)).toContain('beta');
    expect(await digest()).toBe(before);
  });

  it('refuses expired, over-long, forged, unknown and revoked tokens with 401, and a limited token off its groups with 403', async () => {
    const before = await digest();
    const putBeta = (authorization: string) => send('putRecord', CASES.putRecord.request('beta', 'writer'), { authorization });
    const now = Math.floor(Date.now() / 1000);
    const writer = keys.writer;
    const gone = await t.key('writer');
    expect(await t.server.store.accessKeys.deleteAccessKey(gone.accessKeyId)).toBe(true);
    const cases: Array<[string, string, RegExp]> = [
      ['expired', deriveBearerToken(writer.accessKeyId, writer.secretAccessKey, now - 10), /expired/],
      ['lifetime over 12 hours', deriveBearerToken(writer.accessKeyId, writer.secretAccessKey, now + 13 * 3600), /lifetime beyond 12 hours/],
      ['wrong secret', deriveBearerToken(writer.accessKeyId, `${writer.secretAccessKey}x`, now + 600), /not made with this access key/],
      ['unknown key', deriveBearerToken('FLOEUNKNOWNKEY000000', 'x', now + 600), /not known/],
      ['deleted key', token(gone), /not known/],
      ['malformed', 'floe1.nonsense', /malformed/],
    ];
    for (const [what, bearer, message] of cases) {
      const answer = await putBeta(`Bearer ${bearer}`);
      expect(answer.status, what).toBe(401);
      expect(answer.json.error, what).toMatchObject({ code: 'Unauthenticated', field: 'Authorization' });
      expect(answer.json.error.message, what).toMatch(message);
      expect(answer.headers['www-authenticate'], what).toBe('Bearer realm="floe"');
    }
    // A limited key's token carries its limit; a token cannot mint another.
    const limitedToken = `Bearer ${token(keys.limited)}`;
    const offLimits = await putBeta(limitedToken);
    expect(offLimits.status).toBe(403);
    expect(offLimits.json.error).toMatchObject({ code: 'AccessDenied', field: 'FeatureGroupName' });
    const mint = await send('createToken', { body: {} }, { authorization: limitedToken });
    expect(mint.status).toBe(403);
    expect(mint.json.error.code).toBe('AccessDenied');
    expect(await digest()).toBe(before);

    // The longest lifetime is accepted; the same limited token works on alpha.
    expect((await putBeta(`Bearer ${deriveBearerToken(writer.accessKeyId, writer.secretAccessKey, now + MAX_TOKEN_LIFETIME_SECONDS)}`)).status).toBe(200);
    expect((await send('getRecord', CASES.getRecord.request('alpha', 'limited'), { authorization: limitedToken })).status).toBe(200);

    // Deleting a key revokes the tokens made from it once the server's key cache (5 s) lets go of it.
    const revoked = await t.key('writer');
    const bearer = `Bearer ${token(revoked)}`;
    expect((await putBeta(bearer)).status).toBe(200);
    await t.server.store.accessKeys.deleteAccessKey(revoked.accessKeyId);
    const deletedAt = Date.now();
    let status = 200;
    while (status === 200 && Date.now() - deletedAt < 8_000) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      status = (await putBeta(bearer)).status;
    }
    expect(status).toBe(401);
    expect(Date.now() - deletedAt).toBeLessThan(6_500);
  });
});
