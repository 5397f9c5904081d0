import { useState } from 'preact/hooks';
import type { NativeClient } from '../api/native-client.js';
import type { Job, JobKind } from '../api/types.js';
import { ErrorMessage } from '../components/error-message.js';
import { formatDuration, formatTime } from '../components/format.js';
import { useAsync } from '../components/use-async.js';
import { href } from '../router.js';

const KINDS: JobKind[] = ['optimize', 'vacuum', 'retention'];

/** The figures a run reported, as `name=value` (nested objects left out: see the API for them). */
function resultText(job: Job): string {
  if (job.error) return job.error;
  return Object.entries(job.result)
    .filter(([, v]) => typeof v !== 'object' || v === null)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(' ');
}

/** Maintenance run history, newest first, and (for admins) a run started by hand. */
export function JobsPage({ api, canRun, featureGroupName }: { api: NativeClient; canRun: boolean; featureGroupName?: string }) {
  const jobs = useAsync(() => api.listJobs(featureGroupName ? { featureGroupName } : {}), [api, featureGroupName]);
  const groups = useAsync(() => (canRun ? api.listFeatureGroups({ status: 'Created' }) : Promise.resolve(undefined)), [api, canRun]);
  const offlineGroups = (groups.value?.featureGroups ?? []).filter((g) => g.offlineStoreConfig.enableOfflineStore).map((g) => g.featureGroupName);
  const [group, setGroup] = useState(featureGroupName ?? '');
  const [kind, setKind] = useState<JobKind>('optimize');
  const [running, setRunning] = useState(false);
  const [error, setError] = useState<Error>();
  const start = async (event: Event) => {
    event.preventDefault();
    const target = group || offlineGroups[0];
    if (!target) return;
    setRunning(true);
    setError(undefined);
    try {
      await api.runJob(target, kind); // a failed run is a job with status failed, listed below
      jobs.reload();
    } catch (e) {
      setError(e as Error);
    } finally {
      setRunning(false);
    }
  };
  return (
    <section>
      <header class="page-header">
        <div>
          <h1>Jobs{featureGroupName ? `: ${featureGroupName}` : ''}</h1>
          {featureGroupName && <a href={href({ page: 'jobs' })}>All feature groups</a>}
        </div>
        <button class="secondary" onClick={jobs.reload}>
          Refresh
        </button>
      </header>
      {canRun && (
        <form class="inline card" onSubmit={start}>
          <strong>Run maintenance</strong>
          <select aria-label="Feature group" value={group || offlineGroups[0] || ''} onChange={(e) => setGroup(e.currentTarget.value)}>
            {offlineGroups.map((g) => (
              <option key={g}>{g}</option>
            ))}
          </select>
          <select aria-label="Kind" value={kind} onChange={(e) => setKind(e.currentTarget.value as JobKind)}>
            {KINDS.map((k) => (
              <option key={k}>{k}</option>
            ))}
          </select>
          <button type="submit" disabled={running || offlineGroups.length === 0}>
            {running ? 'Running…' : 'Run now'}
          </button>
        </form>
      )}
      <ErrorMessage error={error ?? jobs.error} />
      {jobs.value && jobs.value.length === 0 && <p class="muted">No maintenance runs yet.</p>}
      {jobs.value && jobs.value.length > 0 && (
        <table class="data" data-testid="jobs">
          <thead>
            <tr>
              <th>Started</th>
              <th>Kind</th>
              <th>Feature group</th>
              <th>Trigger</th>
              <th>Status</th>
              <th>Duration</th>
              <th>Result</th>
            </tr>
          </thead>
          <tbody>
            {jobs.value.map((job) => (
              <tr key={job.id}>
                <td>{formatTime(job.startedAt)}</td>
                <td>{job.kind}</td>
                <td>{job.featureGroupName ? <a href={href({ page: 'group', name: job.featureGroupName })}>{job.featureGroupName}</a> : '–'}</td>
                <td>{job.trigger ?? '–'}</td>
                <td>
                  <span class={`status status-${job.status}`}>{job.status}</span>
                </td>
                <td class="number">{formatDuration(job.durationMs)}</td>
                <td class={job.error ? 'wrap error-text' : 'wrap muted'}>{resultText(job)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
