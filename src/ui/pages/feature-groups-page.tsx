import { useEffect, useState } from 'preact/hooks';
import type { NativeClient } from '../api/native-client.js';
import type { FeatureGroup } from '../api/types.js';
import { ErrorMessage } from '../components/error-message.js';
import { formatTime } from '../components/format.js';
import { useAsync } from '../components/use-async.js';
import { href } from '../router.js';

const STATUSES = ['Created', 'Creating', 'CreateFailed', 'Deleting', 'DeleteFailed'];

/** Every feature group the key may see, searchable by name and filtered by status, 50 at a time. */
export function FeatureGroupsPage({ api }: { api: NativeClient }) {
  const [search, setSearch] = useState('');
  const [nameContains, setNameContains] = useState('');
  const [status, setStatus] = useState('');
  const [more, setMore] = useState<{ groups: FeatureGroup[]; nextToken?: string }>({ groups: [] });
  useEffect(() => {
    const timer = setTimeout(() => setNameContains(search.trim()), 200); // one request per pause in typing
    return () => clearTimeout(timer);
  }, [search]);
  const page = useAsync(() => api.listFeatureGroups({ nameContains, status }), [api, nameContains, status]);
  useEffect(() => setMore({ groups: [], ...(page.value?.nextToken ? { nextToken: page.value.nextToken } : {}) }), [page.value]);
  const loadMore = async () => {
    if (!more.nextToken) return;
    const next = await api.listFeatureGroups({ nameContains, status, nextToken: more.nextToken });
    setMore({ groups: [...more.groups, ...next.featureGroups], ...(next.nextToken ? { nextToken: next.nextToken } : {}) });
  };
  const groups = [...(page.value?.featureGroups ?? []), ...more.groups];
  return (
    <section>
      <header class="page-header">
        <h1>Feature groups</h1>
        <div class="filters">
          <input type="search" placeholder="Search by name" aria-label="Search by name" value={search} onInput={(e) => setSearch(e.currentTarget.value)} />
          <select aria-label="Status" value={status} onChange={(e) => setStatus(e.currentTarget.value)}>
            <option value="">Any status</option>
            {STATUSES.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </div>
      </header>
      <ErrorMessage error={page.error} />
      {page.loading && groups.length === 0 ? (
        <p class="muted">Loading…</p>
      ) : groups.length === 0 ? (
        <p class="muted">No feature groups{nameContains || status ? ' match' : ' yet: create one with `floe apply -f features.yaml` or the SDK'}.</p>
      ) : (
        <table class="data" data-testid="feature-groups">
          <thead>
            <tr>
              <th>Name</th>
              <th>Status</th>
              <th>Stores</th>
              <th>Features</th>
              <th>Created</th>
              <th>Description</th>
            </tr>
          </thead>
          <tbody>
            {groups.map((g) => (
              <tr key={g.featureGroupName}>
                <td>
                  <a href={href({ page: 'group', name: g.featureGroupName })}>{g.featureGroupName}</a>
                </td>
                <td>
                  <span class={`status status-${g.featureGroupStatus}`}>{g.featureGroupStatus}</span>
                </td>
                <td>{[g.onlineStoreConfig.enableOnlineStore && 'online', g.offlineStoreConfig.enableOfflineStore && 'offline'].filter(Boolean).join(' + ')}</td>
                <td class="number">{g.features.length}</td>
                <td>{formatTime(g.creationTime)}</td>
                <td class="muted">{g.description ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {more.nextToken && (
        <button class="secondary" onClick={loadMore}>
          Load more
        </button>
      )}
    </section>
  );
}
