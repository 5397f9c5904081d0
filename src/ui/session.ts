import { deriveBearerToken, TOKEN_LIFETIME_SECONDS } from './api/bearer-token.js';
import { NativeClient } from './api/native-client.js';
import type { Identity } from './api/types.js';

/** A signed-in key: its token (never the secret) and who the server says it is. */
export interface Session extends Identity {
  token: string;
  /** Epoch seconds. */
  expiresAt: number;
}

// sessionStorage, not localStorage: the token goes when the tab closes.
const KEY = 'floe.session';

export function loadSession(): Session | undefined {
  try {
    const session = JSON.parse(sessionStorage.getItem(KEY) ?? 'null') as Session | null;
    return session && session.expiresAt > Date.now() / 1000 + 60 ? session : undefined;
  } catch {
    return undefined;
  }
}

export function clearSession(): void {
  sessionStorage.removeItem(KEY);
}

/** Derives a token from the key, asks the server who it belongs to (which checks it), and keeps it. */
export async function signIn(accessKeyId: string, secretAccessKey: string): Promise<Session> {
  const expiresAt = Math.floor(Date.now() / 1000) + TOKEN_LIFETIME_SECONDS;
  const token = await deriveBearerToken(accessKeyId, secretAccessKey, expiresAt);
  const identity = await new NativeClient(token).whoami();
  const session = { ...identity, token, expiresAt };
  sessionStorage.setItem(KEY, JSON.stringify(session));
  return session;
}
