import { useState } from 'preact/hooks';
import { ErrorMessage } from '../components/error-message.js';
import { signIn, type Session } from '../session.js';

/** Sign-in with an access key: the page derives a token from it and keeps only the token. */
export function SignInPage({ onSignedIn, notice }: { onSignedIn: (session: Session) => void; notice?: string }) {
  const [accessKeyId, setAccessKeyId] = useState('');
  const [secret, setSecret] = useState('');
  const [error, setError] = useState<Error>();
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      onSignedIn(await signIn(accessKeyId.trim(), secret.trim()));
    } catch (e) {
      setError(e as Error);
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="sign-in">
      <form onSubmit={submit} class="card">
        <h1>Floe</h1>
        <p class="muted">Sign in with an access key. The server printed where its first admin key is kept; `floe keys create` makes more.</p>
        {notice && <p class="notice">{notice}</p>}
        <label>
          Access key ID
          <input name="accessKeyId" autocomplete="username" required value={accessKeyId} onInput={(e) => setAccessKeyId(e.currentTarget.value)} />
        </label>
        <label>
          Secret access key
          <input name="secretAccessKey" type="password" autocomplete="current-password" required value={secret} onInput={(e) => setSecret(e.currentTarget.value)} />
        </label>
        <ErrorMessage error={error} />
        <button type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
