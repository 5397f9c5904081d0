import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { ValidationError } from '../../domain/index.js';
import type { FeatureStore } from '../../sdk/index.js';
import { printJson, printTable, withExamples } from '../output.js';
import { openEmbedded, refuseEndpoint, type GlobalOptions } from '../store-options.js';

const GROUP = 'user-feature-group';

/** The seed walkthrough: nine records, three users, event times out of order (one with an offset). */
export const SEED_RECORDS = [
  { user_id: 'u1', event_time: '2025-01-01T00:00:00Z', age: 30, score: 0.5, clicks: 9007199254740993n, tags: ['a'] },
  { user_id: 'u1', event_time: '2025-01-03T00:00:00Z', age: 31, score: 0.75, clicks: -9223372036854775808n, tags: ['a', 'b'] },
  { user_id: 'u1', event_time: '2025-01-02T00:00:00Z', age: 99, score: 0.1, clicks: 1, tags: [] },
  { user_id: 'u2', event_time: '2025-02-01T00:00:00Z', age: 40, score: 1.5, clicks: 2, tags: ['x'] },
  { user_id: 'u2', event_time: '2025-02-02T00:00:00Z', age: 41, score: 2.5, clicks: 3, tags: ['x', 'y'] },
  { user_id: 'u2', event_time: '2025-01-15T00:00:00Z', age: 39, score: 0.5, clicks: 4, tags: [] },
  { user_id: 'u3', event_time: '2025-03-01T00:00:00Z', age: 50, score: 3, clicks: 5, tags: [] },
  { user_id: 'u3', event_time: '2025-03-01T12:00:00+02:00', age: 51, score: 3.5, clicks: 6, tags: ['z'] },
  { user_id: 'u3', event_time: '2025-02-28T00:00:00Z', age: 49, score: 2, clicks: 7, tags: [] },
];

/** Labelled interactions: the base of the training set. */
export const SEED_INTERACTIONS = [
  { user_id: 'u1', event_time: '2025-01-02T12:00:00Z', label: 1 },
  { user_id: 'u2', event_time: '2025-02-01T12:00:00Z', label: 0 },
  { user_id: 'u3', event_time: '2025-03-01T11:00:00Z', label: 1 },
];

const FEATURES = ['age', 'score', 'clicks', 'tags'];

/**
 * `floe demo`: the seed walkthrough end to end, printing each step's table. It runs in a new
 * temporary data directory (removed afterwards unless --keep), or in an empty one given by
 * --data-dir, so it never touches a store in use.
 */
export function demoCommand(globals: () => GlobalOptions, dataDirGiven: () => boolean): Command {
  return withExamples(
    new Command('demo')
      .description('run the seed walkthrough end to end on a fresh data directory, printing each step')
      .option('--keep', 'keep the temporary data directory to explore it afterwards')
      .action(async (opts: { keep?: boolean }) => {
        const options = globals();
        refuseEndpoint(options, 'demo');
        const dataDir = dataDirGiven() ? options.dataDir : await mkdtemp(join(tmpdir(), 'floe-demo-'));
        if (dataDirGiven() && (await readdir(dataDir).catch(() => [])).length > 0) {
          throw new ValidationError(`--data-dir: '${dataDir}' is not empty; the demo needs a fresh data directory (or none: it makes a temporary one)`, {
            field: 'dataDir',
          });
        }
        const steps: Array<{ step: string; rows: Array<Record<string, unknown>> }> = [];
        const show = (step: string, rows: Array<Record<string, unknown>>, columns: string[]) => {
          steps.push({ step, rows });
          if (options.json) return;
          console.log(`\n== ${steps.length}. ${step}\n`);
          printTable(rows, columns);
        };
        if (!options.json) console.log(`Floe demo, data in ${dataDir}`);
        const store = await openEmbedded({ ...options, dataDir });
        try {
          await run(store, show);
        } finally {
          await store.close();
          if (!dataDirGiven() && !opts.keep) await rm(dataDir, { recursive: true, force: true });
        }
        if (options.json) return printJson({ dataDir, kept: dataDirGiven() || Boolean(opts.keep), steps });
        if (dataDirGiven() || opts.keep) {
          console.log(`\nExplore it: floe --data-dir ${dataDir} query 'SELECT * FROM "${GROUP}" ORDER BY write_time'`);
        }
      }),
    'floe demo',
    'floe demo --keep',
    'floe --json demo | jq ".steps[3].rows"',
  );
}

type Show = (step: string, rows: Array<Record<string, unknown>>, columns: string[]) => void;

async function run(store: FeatureStore, show: Show): Promise<void> {
  const group = await store.createFeatureGroup({
    featureGroupName: GROUP,
    recordIdentifierFeatureName: 'user_id',
    eventTimeFeatureName: 'event_time',
    featureDefinitions: [
      { featureName: 'user_id', featureType: 'String' },
      { featureName: 'event_time', featureType: 'String' },
      { featureName: 'age', featureType: 'Integral' },
      { featureName: 'score', featureType: 'Fractional' },
      { featureName: 'clicks', featureType: 'Integral' },
      { featureName: 'tags', featureType: 'String', collectionType: 'List' },
    ],
    description: 'users, from floe demo',
  });
  show(
    `create feature group ${GROUP} (online and offline stores)`,
    group.features.map((f) => ({ feature: f.featureName, type: `${f.featureType}${f.collectionType ? ` ${f.collectionType}` : ''}` })),
    ['feature', 'type'],
  );

  const users = store.featureGroup(GROUP);
  // One put and one offline commit each, as a streaming pipeline writes: nine small files to compact later.
  for (const record of SEED_RECORDS) {
    await users.putRecord(record);
    await users.flush();
  }
  const history = await store.query(`SELECT user_id, event_time, age, score, clicks, tags, write_time FROM "${GROUP}" ORDER BY user_id, event_time`);
  show('ingest the nine records, one put each, in write order: the offline table keeps them all', history.rows, [
    'user_id', 'event_time', 'age', 'score', 'clicks', 'tags',
  ]);

  const latest = await users.batchGetRecord(['u1', 'u2', 'u3']);
  show('fetch them back from the online store: the newest record per user by event time, whatever the write order', latest, [
    'user_id', 'event_time', ...FEATURES,
  ]);

  const training = await store
    .createDataset(SEED_INTERACTIONS, { recordIdentifierFeatureName: 'user_id', eventTimeFeatureName: 'event_time' })
    .withFeatureGroup(GROUP)
    .pointInTimeAccurateJoin()
    .toRows();
  show('training set from three interactions: each gets the features as they were at its time, never later ones', training, [
    'user_id', 'event_time', 'label', ...FEATURES,
  ]);

  const at = '2025-01-04T00:00:00Z';
  const inference = await store
    .createDataset(['u1', 'u2', 'u3'].map((user_id) => ({ user_id, event_time: at })), { recordIdentifierFeatureName: 'user_id', eventTimeFeatureName: 'event_time' })
    .withFeatureGroup(GROUP)
    .pointInTimeAccurateJoin()
    .toRows();
  show(`batch-inference set at ${at}: u2 and u3 have no record yet at that time`, inference, ['user_id', 'event_time', ...FEATURES]);

  await users.deleteRecord('u2', '2025-02-03T00:00:00Z');
  await users.flush();
  const deleted = await store.query(`SELECT user_id, event_time, age, is_deleted FROM "${GROUP}" WHERE user_id = 'u2' ORDER BY event_time`);
  const online = await users.listRecords();
  show(
    `delete u2 (soft, at 2025-02-03): the offline table appends a row with is_deleted; online now lists ${online.recordIdentifiers.sort().join(', ')}`,
    deleted.rows,
    ['user_id', 'event_time', 'age', 'is_deleted'],
  );

  // Compaction rewrites the small files as one; vacuum then drops the snapshots before it and
  // the files only they referenced (kept 5 days by default; the demo keeps only the newest).
  const optimized = await store.runJob({ featureGroupName: GROUP, kind: 'optimize' });
  const vacuumed = await store.runJob({ featureGroupName: GROUP, kind: 'vacuum', vacuum: { minSnapshotsToKeep: 1, maxSnapshotAgeSeconds: 0, orphanOlderThanSeconds: 0 } });
  for (const job of [optimized, vacuumed]) if (job.status !== 'succeeded') throw new Error(`${job.kind} failed: ${job.error ?? 'unknown error'}`);
  const rows = await store.query(`SELECT count(*) AS n FROM "${GROUP}"`);
  show(
    `compact and vacuum: the same ${rows.rows[0]!.n} rows in fewer files`,
    [
      { run: 'optimize', counts: 'live data files', before: optimized.filesBefore, after: optimized.filesAfter },
      { run: 'vacuum', counts: 'files in the table directory', before: vacuumed.filesBefore, after: vacuumed.filesAfter },
    ],
    ['run', 'counts', 'before', 'after'],
  );
}
