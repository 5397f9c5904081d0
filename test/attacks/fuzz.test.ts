import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../src/server/testing/test-server.js';
import { deriveBearerToken, NATIVE_ROUTES } from '../../src/wire/index.js';
import { runSeed } from '../support/seeded-random.js';
import { sendRaw, signRaw, type RawRequest, type RawResponse } from '../support/signed-request.js';
import { storeDigest } from '../support/store-digest.js';

const GROUP = 'fuzzed';
const OPERATIONS = [
  'CreateFeatureGroup',
  'DescribeFeatureGroup',
  'ListFeatureGroups',
  'UpdateFeatureGroup',
  'DeleteFeatureGroup',
  'DescribeFeatureMetadata',
  'UpdateFeatureMetadata',
  'Search',
];
const RUNS = Number(process.env.FLOE_FUZZ_RUNS ?? 150);

/** Strings that break naive code: control characters, lone surrogates, right-to-left marks, huge or path-like text. */
const edgeString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('', ' ', '\u0000', '\ud800', '\udfff', '\u202e', '\ufeff', '💥'.repeat(50), '../../etc/passwd', "'; DROP TABLE feature_groups; --", '%00', 'NaN', '-0', '1e999', '9223372036854775808'),
  fc.constant('x'.repeat(70_000)),
);
/** Any JSON value, sometimes nested far deeper than any real request. */
const wildJson = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  fc.dictionary(fc.constantFrom('FeatureGroupName', 'Record', 'FeatureDefinitions', 'Identifiers', 'Entries', 'Resource', 'MaxResults', 'NextToken', 'FeatureName', 'TtlDuration', 'TargetStores'), fc.oneof(edgeString, fc.jsonValue({ maxDepth: 3 }))),
  fc.integer({ min: 100, max: 20_000 }).map((depth) => JSON.parse('['.repeat(depth) + ']'.repeat(depth)) as unknown),
);
/** A body as bytes: JSON of a wild value, or text that is not JSON at all. */
const body = fc.oneof(
  wildJson.map((v) => {
    try {
      return JSON.stringify(v) ?? 'null';
    } catch {
      return '[]'; // too deep for the test's own stringify
    }
  }),
  fc.constantFrom('', '{', '{"a":', 'null', '[]', '"', '{"FeatureGroupName":"fuzzed"', '\u0000', '{"__proto__":{"admin":true}}', '{"constructor":{"prototype":{"x":1}}}'),
  fc.integer({ min: 1000, max: 20_000 }).map((depth) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth)),
  fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b).toString('latin1')),
);
/** A path segment: sometimes percent-encoded edge text, sometimes raw traversal. */
const segment = fc.oneof(
  fc.constant(GROUP),
  edgeString.map((s) => encodeURIComponent(s.replace(/[\ud800-\udfff]/g, '?'))),
  fc.constantFrom('..', '%2e%2e', '..%2f..%2f', '%00', 'fuzzed%00', 'arn:aws:sagemaker:us-east-1:000000000000:feature-group/fuzzed', '%ZZ', '%'),
);
const queryString = fc.oneof(
  fc.constant(''),
  fc.dictionary(fc.constantFrom('RecordIdentifierValueAsString', 'FeatureName', 'EventTime', 'DeletionMode', 'ExpirationTimeResponse', 'TargetStores', 'x'), segment, { maxKeys: 4 }).map(
    (q) => '?' + Object.entries(q).map(([k, v]) => `${k}=${v}`).join('&'),
  ),
  fc.constantFrom('?RecordIdentifierValueAsString', '?&&&', '?RecordIdentifierValueAsString=1&RecordIdentifierValueAsString=2', '?a=%', '?' + 'x=1&'.repeat(2000)),
);

const controlPlane = fc.record({ target: fc.oneof(fc.constantFrom(...OPERATIONS).map((op) => `SageMaker.${op}`), fc.string({ maxLength: 30 }).filter((s) => /^[\x20-\x7e]*$/.test(s))), body }).map(
  ({ target, body }): RawRequest => ({ method: 'POST', path: '/', headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target }, body }),
);
const runtime = fc
  .record({
    route: fc.constantFrom<[string, (g: string) => string]>(
      ['PUT', (g: string) => `/FeatureGroup/${g}`],
      ['GET', (g: string) => `/FeatureGroup/${g}`],
      ['DELETE', (g: string) => `/FeatureGroup/${g}`],
      ['POST', (g: string) => `/FeatureGroup/${g}/Record`],
      ['POST', (g: string) => `/FeatureGroup/${g}/ListRecords`],
      ['POST', () => '/BatchGetRecord'],
      ['POST', () => '/BatchWriteRecord'],
      ['PATCH', (g: string) => `/FeatureGroup/${g}`],
      ['GET', (g: string) => `/${g}/../../FeatureGroup/${g}`],
    ),
    group: segment,
    query: queryString,
    body,
  })
  .map(({ route: [method, path], group, query, body }): RawRequest => ({ method, path: path(group) + query, headers: { 'content-type': 'application/json' }, body }));

/**
 * Every native route, its path parameters filled from `segment`; the group is never the real one
 * for PATCH and DELETE, whose valid forms need no body and would really change it.
 */
const native = fc
  .record({ route: fc.constantFrom(...Object.values(NATIVE_ROUTES)), group: segment, other: segment, query: queryString, body })
  .map(({ route, group, other, query, body }): RawRequest => {
    const g = (route.method === 'PATCH' || route.method === 'DELETE') && group === GROUP ? 'no-such-group' : group;
    const path = route.path.replace('{featureGroupName}', g).replace(/\{[A-Za-z]+\}/g, other);
    return { method: route.method, path: path + query, headers: { 'content-type': 'application/json' }, body };
  });

/** The problem is named: a JSON error body with a non-empty message. */
function namesTheProblem(response: RawResponse): boolean {
  try {
    const parsed = JSON.parse(response.body) as { message?: unknown; Message?: unknown; error?: { message?: unknown } };
    const message = parsed.message ?? parsed.Message ?? parsed.error?.message;
    return typeof message === 'string' && message.length > 0;
  } catch {
    return false;
  }
}

describe('fuzzing the SageMaker API and its protocol parsers', () => {
  let t: TestServer;
  let before: string;
  const seed = runSeed(20_241_201);
  const statuses = new Map<number, number>();

  beforeAll(async () => {
    t = await startTestServer();
    await t.server.store.createFeatureGroup({
      featureGroupName: GROUP,
      recordIdentifierFeatureName: 'id',
      eventTimeFeatureName: 'event_time',
      featureDefinitions: [
        { featureName: 'id', featureType: 'String' },
        { featureName: 'event_time', featureType: 'String' },
        { featureName: 'score', featureType: 'Fractional' },
        { featureName: 'tags', featureType: 'String', collectionType: 'List' },
      ],
    });
    const fg = t.server.store.featureGroup(GROUP);
    for (let i = 0; i < 5; i++) await fg.putRecord({ id: `u${i}`, event_time: '2025-01-01T00:00:00Z', score: i / 3, tags: ['a', 'b'] });
    await fg.flush();
    before = await storeDigest(t.server.store);
  });
  afterAll(async () => {
    await t?.stop();
  });

  async function check(req: RawRequest, signed: boolean): Promise<void> {
    let toSend = req;
    try {
      if (signed) toSend = signRaw(t.server.url, req, t.admin);
    } catch {
      // Not even signable (a malformed percent-encoding): sent unsigned, it must still be a named 4xx.
    }
    const response = await sendRaw(t.server.url, toSend);
    statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
    const what = `${req.method} ${req.path.slice(0, 200)} ${String(req.body ?? '').slice(0, 200)} -> ${response.status} ${response.body.slice(0, 300)}`;
    expect(response.status, what).toBeGreaterThanOrEqual(200);
    expect(response.status, what).toBeLessThan(500);
    if (response.status >= 400) expect(namesTheProblem(response), what).toBe(true);
  }

  it('answers every malformed, oversized, deeply nested, wrong-typed or unicode-edge request with a named 4xx, and changes nothing', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(controlPlane, runtime), async (req) => check(req, true)),
      { seed, numRuns: RUNS, endOnFailure: true },
    );
    expect(await storeDigest(t.server.store)).toBe(before);
  }, 120_000);

  it('answers the same of every native API route, called with a bearer token', async () => {
    const token = deriveBearerToken(t.admin.accessKeyId, t.admin.secretAccessKey, Math.floor(Date.now() / 1000) + 3600);
    await fc.assert(
      fc.asyncProperty(native, async (req) => check({ ...req, headers: { ...req.headers, authorization: `Bearer ${token}` } }, false)),
      { seed, numRuns: RUNS, endOnFailure: true },
    );
    expect(await storeDigest(t.server.store)).toBe(before);
  }, 120_000);

  it('refuses malformed bearer tokens with a named 401', async () => {
    const token = deriveBearerToken(t.admin.accessKeyId, t.admin.secretAccessKey, Math.floor(Date.now() / 1000) + 3600);
    const printable = fc.string({ maxLength: 200 }).map((x) => x.replace(/[^\x20-\x7e]/g, ''));
    const mutated = fc.oneof(
      printable.map((x) => `Bearer ${x}`),
      printable,
      fc.tuple(fc.nat(token.length), fc.integer({ min: 1, max: 10 }), printable).map(([at, cut, insert]) => `Bearer ${token.slice(0, at)}${insert}${token.slice(at + cut)}`),
      fc.constantFrom('Bearer', 'Bearer ', `Bearer ${token} ${token}`, `bearer ${token}x`, `Basic ${Buffer.from('a:b').toString('base64')}`, 'Bearer floe1....', 'Bearer floe1.A.99999999999.AAAA'),
    );
    await fc.assert(
      fc.asyncProperty(mutated, async (authorization) => {
        if (authorization === `Bearer ${token}`) return;
        const response = await sendRaw(t.server.url, { method: 'GET', path: '/v1/feature-groups', headers: { authorization } });
        const what = `${authorization} -> ${response.status} ${response.body}`;
        expect([400, 401, 403], what).toContain(response.status);
        expect(namesTheProblem(response), what).toBe(true);
      }),
      { seed, numRuns: RUNS, endOnFailure: true },
    );
  }, 120_000);

  it('refuses malformed SigV4 headers and dates with a named 403, never a crash', async () => {
    const valid = signRaw(t.server.url, { method: 'POST', path: '/', headers: { 'x-amz-target': 'SageMaker.ListFeatureGroups' }, body: '{}' }, t.admin);
    const auth = valid.headers!.authorization!;
    const printable = fc.string({ maxLength: 300 }).map((s) => s.replace(/[^\x20-\x7e]/g, ''));
    const mutated = fc.oneof(
      printable,
      fc.constantFrom('', 'AWS4-HMAC-SHA256', 'AWS4-HMAC-SHA256 ', 'AWS4-HMAC-SHA256 Credential=', 'AWS4-HMAC-SHA256 Credential=a/b/c/d/e, SignedHeaders=, Signature=zz', 'Bearer x', 'AWS4-HMAC-SHA256 ,,,,,===,'),
      fc.tuple(fc.nat(auth.length), fc.nat(20), printable).map(([at, cut, insert]) => auth.slice(0, at) + insert + auth.slice(at + cut)),
      fc.constantFrom(auth.replace(/Signature=[0-9a-f]+/, 'Signature=' + '0'.repeat(64)), auth.replace(/SignedHeaders=[^,]+/, 'SignedHeaders=host'), auth + ', Signature=00'),
    );
    const date = fc.oneof(fc.constant(valid.headers!['x-amz-date']!), printable, fc.constantFrom('20250101T000000Z', '99999999T999999Z', '20251301T000000Z', '0'));
    await fc.assert(
      fc.asyncProperty(mutated, date, async (authorization, amzDate) => {
        if (authorization === auth && amzDate === valid.headers!['x-amz-date']) return; // the genuine request
        const response = await sendRaw(t.server.url, { ...valid, headers: { ...valid.headers, authorization, 'x-amz-date': amzDate } });
        const what = `${authorization} / ${amzDate} -> ${response.status} ${response.body}`;
        expect([400, 403], what).toContain(response.status);
        expect(namesTheProblem(response), what).toBe(true);
      }),
      { seed, numRuns: RUNS, endOnFailure: true },
    );
  }, 120_000);

  it('refuses bodies beyond the limit and unknown targets by name', async () => {
    const huge = signRaw(t.server.url, { method: 'POST', path: '/', headers: { 'x-amz-target': 'SageMaker.Search', 'content-type': 'application/x-amz-json-1.1' }, body: 'x'.repeat(11 * 1024 * 1024) }, t.admin);
    const tooLarge = await sendRaw(t.server.url, huge);
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body).toMatch(/larger than the server accepts/);
    const unknown = await sendRaw(t.server.url, signRaw(t.server.url, { method: 'POST', path: '/', headers: { 'x-amz-target': 'SageMaker.DeleteEverything' }, body: '{}' }, t.admin));
    expect(unknown.status).toBe(400);
    expect(unknown.body).toMatch(/X-Amz-Target: 'SageMaker.DeleteEverything' is not an operation/);
    expect(await storeDigest(t.server.store)).toBe(before);
    console.log(`fuzz: seed ${seed}, responses by status: ${JSON.stringify(Object.fromEntries(statuses))}`);
  });
});
