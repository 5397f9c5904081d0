import type { NativeClient } from '../api/native-client.js';
import type { FeatureGroup, Snapshot } from '../api/types.js';
import { DataTable } from '../components/data-table.js';
import { ErrorMessage } from '../components/error-message.js';
import { formatBytes, formatCount, formatTime } from '../components/format.js';
import { SnapshotChart } from '../components/snapshot-chart.js';
import { Stat } from '../components/stat.js';
import { useAsync } from '../components/use-async.js';
import { href } from '../router.js';
import { OnlineLookup } from './online-lookup.js';

const quoted = (name: string) => `"${name.replace(/"/g, '""')}"`;
export const sampleSql = (name: string) => `SELECT * FROM ${quoted(name)} ORDER BY write_time DESC LIMIT 20`;

function typeOf(f: FeatureGroup['features'][number]): string {
  if (!f.collectionType) return f.featureType;
  const dimension = f.collectionConfig?.vectorConfig.dimension;
  return `${f.collectionType}<${f.featureType}>${dimension ? `[${dimension}]` : ''}`;
}

/** One feature group: its figures, the history of its table, its schema and settings, its rows. */
export function FeatureGroupPage({ api, name }: { api: NativeClient; name: string }) {
  const group = useAsync(() => api.describeFeatureGroup(name), [api, name]);
  const offline = group.value?.offlineStoreConfig.enableOfflineStore === true;
  const snapshots = useAsync<Snapshot[]>(() => (offline ? api.snapshots(name) : Promise.resolve([])), [api, name, offline]);
  const sample = useAsync(() => (offline ? api.query(sampleSql(name), 20) : Promise.resolve(undefined)), [api, name, offline]);
  if (group.error) return <ErrorMessage error={group.error} />;
  const g = group.value;
  if (!g) return <p class="muted">Loading…</p>;
  const latest = snapshots.value?.at(-1)?.summary ?? {};
  const special = (feature: string) => (feature === g.recordIdentifierFeatureName ? 'record identifier' : feature === g.eventTimeFeatureName ? 'event time' : '');
  return (
    <section>
      <header class="page-header">
        <div>
          <h1>
            {g.featureGroupName} <span class={`status status-${g.featureGroupStatus}`}>{g.featureGroupStatus}</span>
          </h1>
          <p class="muted arn">{g.featureGroupArn}</p>
          {g.description && <p>{g.description}</p>}
          {g.failureReason && <div class="error">{g.failureReason}</div>}
        </div>
        <nav class="actions">
          {offline && <a href={href({ page: 'query', sql: sampleSql(name) })}>Query</a>}
          <a href={href({ page: 'jobs', featureGroupName: name })}>Jobs</a>
        </nav>
      </header>

      {offline && (
        <>
          <div class="stats">
            <Stat label="offline rows" value={formatCount(latest['total-records'] ?? (snapshots.value ? '0' : undefined))} testId="stat-records" />
            <Stat label="data files" value={formatCount(latest['total-data-files'] ?? (snapshots.value ? '0' : undefined))} testId="stat-files" />
            <Stat label="snapshots" value={formatCount(snapshots.value?.length)} testId="stat-snapshots" />
            <Stat label="storage" value={latest['total-files-size'] ? formatBytes(Number(latest['total-files-size'])) : '–'} testId="stat-storage" />
            <Stat label="features" value={String(g.features.length)} />
          </div>
          <h2>Files and rows over snapshots</h2>
          <ErrorMessage error={snapshots.error} />
          {snapshots.value && <SnapshotChart snapshots={snapshots.value} />}
        </>
      )}

      <h2>Schema</h2>
      <table class="data" data-testid="schema">
        <thead>
          <tr>
            <th>Feature</th>
            <th>Type</th>
            <th>Role</th>
            <th>Description</th>
          </tr>
        </thead>
        <tbody>
          {g.features.map((f) => (
            <tr key={f.featureName}>
              <td>{f.featureName}</td>
              <td>{typeOf(f)}</td>
              <td class="muted">{special(f.featureName)}</td>
              <td class="muted">{f.description ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>

      <h2>Configuration</h2>
      <table class="data key-value" data-testid="configuration">
        <tbody>
          <tr>
            <th>Online store</th>
            <td>
              {g.onlineStoreConfig.enableOnlineStore
                ? `enabled${g.onlineStoreConfig.storageType ? `, ${g.onlineStoreConfig.storageType}` : ''}, TTL ${g.onlineStoreConfig.ttlDuration ? `${g.onlineStoreConfig.ttlDuration.value} ${g.onlineStoreConfig.ttlDuration.unit}` : 'none'}`
                : 'disabled'}
            </td>
          </tr>
          <tr>
            <th>Offline store</th>
            <td>{offline ? `${g.offlineStoreConfig.tableFormat} table at ${g.offlineStoreConfig.s3StorageConfig?.resolvedOutputS3Uri ?? '–'}` : 'disabled'}</td>
          </tr>
          <tr>
            <th>Tags</th>
            <td>{g.tags.length ? g.tags.map((t) => <span key={t.key} class="tag">{`${t.key}=${t.value}`}</span>) : <span class="muted">none</span>}</td>
          </tr>
          <tr>
            <th>Created</th>
            <td>{formatTime(g.creationTime)}</td>
          </tr>
          <tr>
            <th>Last modified</th>
            <td>{formatTime(g.lastModifiedTime)}</td>
          </tr>
        </tbody>
      </table>

      {g.onlineStoreConfig.enableOnlineStore && (
        <>
          <h2>Online lookup</h2>
          <OnlineLookup api={api} group={name} />
        </>
      )}

      {offline && (
        <>
          <h2>Latest offline rows</h2>
          <ErrorMessage error={sample.error} />
          {sample.value && <DataTable columns={sample.value.columns.map((c) => c.name)} rows={sample.value.rows} empty="No rows in the offline store yet." />}
        </>
      )}
    </section>
  );
}
