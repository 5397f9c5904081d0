import { timingSafeEqual } from 'node:crypto';
import { UnauthenticatedError } from '../../domain/index.js';
import type { AccessKey } from '../../registry/index.js';
import type { AccessKeyStore } from '../../sdk/index.js';
import { deriveBearerToken, MAX_TOKEN_LIFETIME_SECONDS, parseBearerToken, tokenSignatureMatches } from '../../wire/index.js';
import type { Principal } from './principal.js';

export interface BearerTokensOptions {
  keys: Pick<AccessKeyStore, 'getAccessKey'>;
  /** The FLOE_ACCESS_KEY_ID / FLOE_SECRET_ACCESS_KEY admin key, if set. */
  staticKey?: { accessKeyId: string; secretAccessKey: string };
  /** How long a looked-up key is trusted (default 5 s, as SigV4): deleting a key revokes its tokens within it. */
  keyCacheMs?: number;
  /** Milliseconds since the epoch. */
  clock?: () => number;
}

function refuse(message: string): never {
  throw new UnauthenticatedError(`Authorization: ${message}`, { field: 'Authorization' });
}

/**
 * Bearer tokens of the native API (format in wire/bearer-token.ts): minted for an access key,
 * verified against the key's current secret, so they carry the key's role and group limits and
 * die with it.
 */
export class BearerTokens {
  private readonly cache = new Map<string, { key: AccessKey | undefined; until: number }>();
  /**
   * Tokens already verified, by their text (each token has one accepted spelling), until the
   * earlier of their expiry and the end of their key's cache entry: a client sends one token for
   * many requests, and a deleted key stops its tokens exactly as soon as without this cache.
   */
  private readonly verified = new Map<string, { principal: Principal; until: number }>();
  private readonly clock: () => number;

  constructor(private readonly options: BearerTokensOptions) {
    this.clock = options.clock ?? Date.now;
  }

  /** A token for a known key, valid for `lifetimeSeconds`. */
  async issue(accessKeyId: string, lifetimeSeconds: number): Promise<{ token: string; expiresAt: Date }> {
    const key = await this.lookup(accessKeyId);
    if (!key) refuse(`the access key ID '${accessKeyId}' is not known to this server`);
    const expiresAt = Math.floor(this.clock() / 1000) + lifetimeSeconds;
    return { token: deriveBearerToken(key.accessKeyId, key.secretAccessKey, expiresAt), expiresAt: new Date(expiresAt * 1000) };
  }

  /** A token for a key whose secret the caller proves it has (an OAuth2 client-credentials exchange). */
  async exchange(accessKeyId: string, secretAccessKey: string, lifetimeSeconds: number): Promise<{ token: string; expiresAt: Date }> {
    const key = await this.lookup(accessKeyId);
    const given = Buffer.from(secretAccessKey);
    const known = Buffer.from(key?.secretAccessKey ?? '');
    // Unknown keys and wrong secrets get the same answer, after the same constant-time comparison.
    if (!key || given.length !== known.length || !timingSafeEqual(given, known)) refuse(`the access key ID '${accessKeyId}' and this secret do not match a key of this server`);
    return this.issue(accessKeyId, lifetimeSeconds);
  }

  /** The principal of a token verified before and still trusted, without waiting: the common case of a request. */
  verifiedPrincipal(token: string): Principal | undefined {
    const known = this.verified.get(token);
    return known && known.until > this.clock() ? known.principal : undefined;
  }

  async authenticate(token: string): Promise<Principal> {
    const known = this.verifiedPrincipal(token);
    if (known) return known;
    const claim = parseBearerToken(token);
    if (!claim) refuse("the bearer token is malformed (expected 'floe1.<access key id>.<expiry>.<signature>')");
    const now = Math.floor(this.clock() / 1000);
    if (claim.expiresAt <= now) refuse(`the bearer token expired at ${new Date(claim.expiresAt * 1000).toISOString()}; get a new one`);
    if (claim.expiresAt > now + MAX_TOKEN_LIFETIME_SECONDS + 300) refuse(`the bearer token claims a lifetime beyond ${MAX_TOKEN_LIFETIME_SECONDS / 3600} hours`);
    const { key, until } = await this.lookupEntry(claim.accessKeyId);
    if (!key) refuse(`the access key ID '${claim.accessKeyId}' is not known to this server`);
    if (!tokenSignatureMatches(claim, key.secretAccessKey)) refuse('the bearer token was not made with this access key’s secret');
    const principal: Principal = { accessKeyId: key.accessKeyId, role: key.role, ...(key.featureGroups ? { featureGroups: key.featureGroups } : {}) };
    if (this.verified.size >= 10_000) this.verified.clear(); // many distinct tokens must not grow it without bound
    this.verified.set(token, { principal, until: Math.min(until, claim.expiresAt * 1000) });
    return principal;
  }

  private async lookup(accessKeyId: string): Promise<AccessKey | undefined> {
    return (await this.lookupEntry(accessKeyId)).key;
  }

  /** The key and until when it is trusted without asking the registry again. */
  private async lookupEntry(accessKeyId: string): Promise<{ key: AccessKey | undefined; until: number }> {
    const fixed = this.options.staticKey;
    if (fixed && fixed.accessKeyId === accessKeyId) {
      return { key: { accessKeyId, secretAccessKey: fixed.secretAccessKey, role: 'admin', createdAt: new Date(0) }, until: Number.POSITIVE_INFINITY };
    }
    const now = this.clock();
    const cached = this.cache.get(accessKeyId);
    if (cached && cached.until > now) return cached;
    const entry = { key: await this.options.keys.getAccessKey(accessKeyId), until: now + (this.options.keyCacheMs ?? 5_000) };
    if (this.cache.size >= 10_000) this.cache.clear();
    this.cache.set(accessKeyId, entry);
    return entry;
  }
}
