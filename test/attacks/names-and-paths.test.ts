import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { CreateFeatureGroupCommand } from '@aws-sdk/client-sagemaker';
import { GetRecordCommand, PutRecordCommand } from '@aws-sdk/client-sagemaker-featurestore-runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isFloeError, ValidationError } from '../../src/domain/index.js';
import { startTestServer, type TestServer } from '../../src/server/testing/test-server.js';
import { sendRaw, signRaw } from '../support/signed-request.js';

const HOSTILE_NAMES = [
  '../evil',
  '..',
  '.',
  'a/../../b',
  'a\\..\\b',
  'x\u0000y',
  "x'; DROP TABLE feature_groups; --",
  'x"; DROP VIEW users; --',
  '%2e%2e%2fetc',
  '/etc/passwd',
  'ünïcödé',
  'a'.repeat(65),
  '',
  ' users',
  'users\n',
];
const HOSTILE_IDS = [
  '../../../../etc/passwd',
  '..',
  'a/b/../../c',
  'nul\u0000byte',
  "' OR 1=1 --",
  '"; DROP VIEW users; --',
  "'); COPY (SELECT 1) TO '/tmp/pwned.csv'; --",
  '%2e%2e%2f',
  '\u202eevil',
  '💥',
  'users\u0000admin',
  '*',
];

/** Every path under `dir`, relative to it. */
async function tree(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true });
  return entries.map((e) => relative(dir, join(dir, e))).sort();
}

describe('names and paths that try to escape their table', () => {
  let t: TestServer;
  let outside: string;
  let outsideBefore: string[];

  beforeAll(async () => {
    outside = await mkdtemp(join(tmpdir(), 'floe-outside-'));
    await writeFile(join(outside, 'keep.txt'), 'untouched');
    outsideBefore = await tree(outside);
    t = await startTestServer();
    await t.server.store.createFeatureGroup({
      featureGroupName: 'users',
      recordIdentifierFeatureName: 'id',
      eventTimeFeatureName: 'event_time',
      featureDefinitions: [
        { featureName: 'id', featureType: 'String' },
        { featureName: 'event_time', featureType: 'String' },
        { featureName: 'note', featureType: 'String' },
      ],
    });
    await t.server.store.createFeatureGroup({
      featureGroupName: 'other',
      recordIdentifierFeatureName: 'id',
      eventTimeFeatureName: 'event_time',
      featureDefinitions: [
        { featureName: 'id', featureType: 'String' },
        { featureName: 'event_time', featureType: 'String' },
      ],
    });
    await t.server.store.featureGroup('other').putRecord({ id: 'admin', event_time: '2025-01-01T00:00:00Z' });
    await t.server.store.featureGroup('other').flush();
  });
  afterAll(async () => {
    await t?.stop();
    await rm(outside, { recursive: true, force: true });
  });

  it('refuses hostile feature group names with a ValidationError naming FeatureGroupName, creating nothing', async () => {
    const before = await tree(t.dataDir);
    for (const name of HOSTILE_NAMES) {
      const error = await t.server.store
        .createFeatureGroup({
          featureGroupName: name,
          recordIdentifierFeatureName: 'id',
          eventTimeFeatureName: 'event_time',
          featureDefinitions: [
            { featureName: 'id', featureType: 'String' },
            { featureName: 'event_time', featureType: 'String' },
          ],
        })
        .then(() => undefined, (e: unknown) => e);
      expect(error, JSON.stringify(name)).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).message, JSON.stringify(name)).toMatch(/^featureGroupName: /);
      // Over the wire too, where the name travels in a path.
      const wire = await t.sagemaker().send(new CreateFeatureGroupCommand({
        FeatureGroupName: name,
        RecordIdentifierFeatureName: 'id',
        EventTimeFeatureName: 'event_time',
        FeatureDefinitions: [{ FeatureName: 'id', FeatureType: 'String' }, { FeatureName: 'event_time', FeatureType: 'String' }],
      })).then(() => undefined, (e: unknown) => e as Error & { $metadata: { httpStatusCode?: number } });
      expect(wire?.$metadata.httpStatusCode, JSON.stringify(name)).toBe(400);
      expect(wire?.message, JSON.stringify(name)).toMatch(/FeatureGroupName/);
    }
    const after = await tree(t.dataDir);
    expect(after.filter((p) => !before.includes(p)), 'created').toEqual([]);
    expect(before.filter((p) => !after.includes(p)), 'removed').toEqual([]);
    expect((await t.server.store.listFeatureGroups()).featureGroups.map((g) => g.featureGroupName).sort()).toEqual(['other', 'users']);
  });

  it('stores hostile record identifiers as plain values of their own table, and reads them back exactly', async () => {
    const fg = t.server.store.featureGroup('users');
    const dataBefore = (await tree(join(t.dataDir, 'warehouse'))).filter((p) => !p.startsWith('users/'));
    for (const [i, id] of HOSTILE_IDS.entries()) {
      await fg.putRecord({ id, event_time: '2025-01-01T00:00:00Z', note: `n${i}` });
      expect((await fg.getRecord(id))?.note, JSON.stringify(id)).toBe(`n${i}`);
      // And through the REST path, where the identifier is a query parameter.
      const got = await t.runtime().send(new GetRecordCommand({ FeatureGroupName: 'users', RecordIdentifierValueAsString: id }));
      expect(got.Record?.find((f) => f.FeatureName === 'note')?.ValueAsString, JSON.stringify(id)).toBe(`n${i}`);
    }
    await t.runtime().send(new PutRecordCommand({ FeatureGroupName: 'users', Record: [{ FeatureName: 'id', ValueAsString: '../other/admin' }, { FeatureName: 'event_time', ValueAsString: '2025-01-02T00:00:00Z' }] }));
    await fg.flush();
    const rows = (await t.server.store.query('SELECT id FROM users ORDER BY id')).rows.map((r) => r.id);
    expect(rows.sort()).toEqual([...HOSTILE_IDS, '../other/admin'].sort());
    // Nothing of it reached another table, another group's online records, or any file outside the table.
    expect((await t.server.store.query('SELECT count(*) AS n FROM other')).rows).toEqual([{ n: 1 }]);
    expect((await t.server.store.featureGroup('other').listRecords()).recordIdentifiers).toEqual(['admin']);
    const dataAfter = (await tree(join(t.dataDir, 'warehouse'))).filter((p) => !p.startsWith('users/'));
    expect(dataAfter.filter((p) => !dataBefore.includes(p)), 'created outside the table').toEqual([]);
    expect(await tree(outside)).toEqual(outsideBefore);
  });

  it('answers hostile group names in REST paths with a named 4xx that touches nothing', async () => {
    const paths = ['..%2F..%2Fetc%2Fpasswd', '%2e%2e', 'users%00', 'users%2F..%2Fother', "users'%3B--", 'arn:aws:sagemaker:us-east-1:0:feature-group/..%2Fother', '..', 'users/../other'];
    for (const path of paths) {
      const request = signRaw(t.server.url, { method: 'GET', path: `/FeatureGroup/${path}?RecordIdentifierValueAsString=admin` }, t.admin);
      const response = await sendRaw(t.server.url, request);
      expect(response.status, `${path}: ${response.body}`).toBeGreaterThanOrEqual(400);
      expect(response.status, `${path}: ${response.body}`).toBeLessThan(500);
      expect(response.body, path).not.toMatch(/"admin"/); // never another group's record
    }
  });

  it('ingests from a file whose path holds quotes and SQL, or refuses it by name', async () => {
    const dir = await mkdtemp(join(tmpdir(), "floe-it's'; DROP--"));
    try {
      const file = join(dir, "rows'); COPY (SELECT 1) TO 'x.csv'; --.csv");
      await writeFile(file, 'id,event_time,note\nf1,2025-01-01T00:00:00Z,from-file\n');
      const result = await t.server.store.featureGroup('users').ingest(file).catch((e: unknown) => e);
      if (isFloeError(result)) expect(result.message).toMatch(/^source: /);
      else expect(result).toMatchObject({ rowsWritten: 1 });
      expect(await tree(outside)).toEqual(outsideBefore);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
