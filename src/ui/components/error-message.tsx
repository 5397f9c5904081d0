import { ApiError } from '../api/native-client.js';

/** An error as the API named it: its code, the field at fault, the message. */
export function ErrorMessage({ error }: { error: Error | undefined }) {
  if (!error) return null;
  const api = error instanceof ApiError ? error : undefined;
  return (
    <div class="error" role="alert">
      {api && <strong>{api.code}</strong>}
      {api?.field && <span class="field"> ({api.field})</span>}
      {api ? ': ' : ''}
      {error.message}
    </div>
  );
}
