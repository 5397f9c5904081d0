import { useState } from 'preact/hooks';
import type { NativeClient } from '../api/native-client.js';
import type { Row } from '../api/types.js';
import { ErrorMessage } from '../components/error-message.js';
import { formatCell } from '../components/format.js';

/** GetRecord by identifier: the latest live record of the online store, feature by feature. */
export function OnlineLookup({ api, group }: { api: NativeClient; group: string }) {
  const [recordId, setRecordId] = useState('');
  const [result, setResult] = useState<{ recordId: string; record: Row | null }>();
  const [error, setError] = useState<Error>();
  const lookUp = async (event: Event) => {
    event.preventDefault();
    setError(undefined);
    try {
      setResult({ recordId, record: await api.getRecord(group, recordId) });
    } catch (e) {
      setResult(undefined);
      setError(e as Error);
    }
  };
  return (
    <div>
      <form class="inline" onSubmit={lookUp}>
        <input aria-label="Record identifier" placeholder="Record identifier" required value={recordId} onInput={(e) => setRecordId(e.currentTarget.value)} />
        <button type="submit">Look up</button>
      </form>
      <ErrorMessage error={error} />
      {result &&
        (result.record ? (
          <table class="data key-value" data-testid="online-record">
            <tbody>
              {Object.entries(result.record).map(([name, value]) => (
                <tr key={name}>
                  <th>{name}</th>
                  <td class={value === null ? 'null' : undefined}>{formatCell(value)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <p class="muted" data-testid="online-record">
            No live record for '{result.recordId}' (never written, deleted, or expired).
          </p>
        ))}
    </div>
  );
}
