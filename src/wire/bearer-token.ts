import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Bearer tokens of the native API, derived from an access key:
 * `floe1.<access key id>.<expiry, epoch seconds>.<HMAC-SHA256(secret, "floe-bearer-token\n<id>\n<expiry>"), base64url>`.
 *
 * Whoever holds the secret can mint one (the remote SDK does, without a round trip), and the
 * server can check one with nothing but the key: no token table, any server behind a load
 * balancer accepts it, deleting the key revokes every token made from it, and the key's current
 * role and group limits always apply. `POST /v1/tokens`, signed with SigV4, mints one for clients
 * that would rather not hold the secret.
 */
export const TOKEN_PREFIX = 'floe1';
/** Longest lifetime a token may claim, so a leaked token is short-lived. */
export const MAX_TOKEN_LIFETIME_SECONDS = 12 * 3600;
export const DEFAULT_TOKEN_LIFETIME_SECONDS = 3600;

function signature(accessKeyId: string, secretAccessKey: string, expiresAt: number): Buffer {
  return createHmac('sha256', secretAccessKey).update(`floe-bearer-token\n${accessKeyId}\n${expiresAt}`).digest();
}

export function deriveBearerToken(accessKeyId: string, secretAccessKey: string, expiresAt: number): string {
  return `${TOKEN_PREFIX}.${accessKeyId}.${expiresAt}.${signature(accessKeyId, secretAccessKey, expiresAt).toString('base64url')}`;
}

export interface TokenClaim {
  accessKeyId: string;
  /** Epoch seconds. */
  expiresAt: number;
  signature: Buffer;
}

const SIGNATURE = /^[A-Za-z0-9_-]{43}$/; // 32 bytes in unpadded base64url
const EXPIRY = /^[1-9]\d{0,11}$/; // epoch seconds, no leading zeros

/**
 * The parts of a token, or undefined when it is not shaped like one. Only the one canonical
 * spelling of a token is accepted: Node's base64url decoder would also take padding, '+' and '/',
 * stray characters and unused trailing bits, and a leading zero would spell the same expiry, so
 * one signature would stand for many token strings (a cache or a deny list keyed on the string
 * would be bypassed). The signature is re-encoded and compared.
 */
export function parseBearerToken(token: string): TokenClaim | undefined {
  const parts = token.split('.');
  if (parts.length !== 4 || parts[0] !== TOKEN_PREFIX || !/^[A-Za-z0-9]{1,128}$/.test(parts[1]!) || !EXPIRY.test(parts[2]!)) return undefined;
  if (!SIGNATURE.test(parts[3]!)) return undefined;
  const sig = Buffer.from(parts[3]!, 'base64url');
  if (sig.length !== 32 || sig.toString('base64url') !== parts[3]) return undefined;
  return { accessKeyId: parts[1]!, expiresAt: Number(parts[2]), signature: sig };
}

export function tokenSignatureMatches(claim: TokenClaim, secretAccessKey: string): boolean {
  return timingSafeEqual(claim.signature, signature(claim.accessKeyId, secretAccessKey, claim.expiresAt));
}
