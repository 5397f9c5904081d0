/**
 * A native API bearer token, derived in the browser from the access key as the server checks it
 * (src/wire/bearer-token.ts): `floe1.<id>.<expiry>.<base64url HMAC-SHA256(secret, "floe-bearer-token\n<id>\n<expiry>")>`.
 * The secret never leaves the page: only the token is sent, and only the token is kept.
 */
export const TOKEN_LIFETIME_SECONDS = 12 * 3600; // the longest the server accepts

function base64url(bytes: ArrayBuffer): string {
  let binary = '';
  for (const byte of new Uint8Array(bytes)) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export async function deriveBearerToken(accessKeyId: string, secretAccessKey: string, expiresAt: number): Promise<string> {
  const text = new TextEncoder();
  const key = await crypto.subtle.importKey('raw', text.encode(secretAccessKey), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const signature = await crypto.subtle.sign('HMAC', key, text.encode(`floe-bearer-token\n${accessKeyId}\n${expiresAt}`));
  return `floe1.${accessKeyId}.${expiresAt}.${base64url(signature)}`;
}
