import { UnauthenticatedError } from '../../domain/index.js';
import type { AccessKey } from '../../registry/index.js';
import type { AccessKeyStore } from '../../sdk/index.js';
import type { Principal } from './principal.js';
import { parseAuthorization, verifySignature, type SignatureClaim, type SignedRequest } from './sigv4.js';

const NOT_CACHED = Symbol('not cached');

/**
 * Decides who sent a request; throws (or rejects with) UnauthenticatedError (403, nothing
 * changed) when it cannot. Synchronous when it needs nothing it has to wait for: most requests,
 * whose key is cached, are then decided without a promise.
 */
export interface Authenticator {
  authenticate(request: SignedRequest): Principal | Promise<Principal>;
}

export interface SigV4AuthenticatorOptions {
  /** Where access keys live (the registry). */
  keys: Pick<AccessKeyStore, 'getAccessKey'>;
  /** A key that needs no registry entry (FLOE_ACCESS_KEY_ID / FLOE_SECRET_ACCESS_KEY): always admin. */
  staticKey?: { accessKeyId: string; secretAccessKey: string };
  /** Default 15 minutes, as AWS. */
  maxSkewMs?: number;
  /** Default false: a signature must cover the body. */
  allowUnsignedPayload?: boolean;
  /** How long a looked-up key is trusted before the registry is asked again (default 5 s; deletes take effect within it). */
  keyCacheMs?: number;
  /** Milliseconds since the epoch; tests pass a fixed clock. */
  clock?: () => number;
}

/** Verifies AWS Signature Version 4 against the keys of the registry (and an optional static admin key). */
export class SigV4Authenticator implements Authenticator {
  private readonly cache = new Map<string, { key: AccessKey | undefined; until: number }>();
  private readonly maxSkewMs: number;
  private readonly keyCacheMs: number;
  private readonly clock: () => number;
  private readonly staticKey: AccessKey | undefined;

  constructor(private readonly options: SigV4AuthenticatorOptions) {
    const fixed = options.staticKey;
    this.staticKey = fixed && { accessKeyId: fixed.accessKeyId, secretAccessKey: fixed.secretAccessKey, role: 'admin', createdAt: new Date(0) };
    this.maxSkewMs = options.maxSkewMs ?? 15 * 60_000;
    this.keyCacheMs = options.keyCacheMs ?? 5_000;
    this.clock = options.clock ?? Date.now;
  }

  authenticate(request: SignedRequest): Principal | Promise<Principal> {
    const authorization = findHeader(request.rawHeaders, 'authorization');
    const claim = parseAuthorization(authorization);
    const now = this.clock();
    const key = this.cachedKey(claim.accessKeyId, now);
    if (key === NOT_CACHED) return this.lookup(claim.accessKeyId, now).then((found) => this.verify(request, claim, found, now));
    return this.verify(request, claim, key, now);
  }

  private verify(request: SignedRequest, claim: SignatureClaim, key: AccessKey | undefined, now: number): Principal {
    if (!key) {
      throw new UnauthenticatedError(`Authorization: the access key ID '${claim.accessKeyId}' is not known to this server`, {
        field: 'Authorization',
      });
    }
    verifySignature(request, claim, key.secretAccessKey, {
      now,
      maxSkewMs: this.maxSkewMs,
      allowUnsignedPayload: this.options.allowUnsignedPayload ?? false,
    });
    return { accessKeyId: key.accessKeyId, role: key.role, ...(key.featureGroups ? { featureGroups: key.featureGroups } : {}) };
  }

  /** The static key, or a registry answer still trusted (undefined: the key is unknown); NOT_CACHED otherwise. */
  private cachedKey(accessKeyId: string, now: number): AccessKey | undefined | typeof NOT_CACHED {
    if (this.staticKey?.accessKeyId === accessKeyId) return this.staticKey;
    const cached = this.cache.get(accessKeyId);
    return cached && cached.until > now ? cached.key : NOT_CACHED;
  }

  private async lookup(accessKeyId: string, now: number): Promise<AccessKey | undefined> {
    const key = await this.options.keys.getAccessKey(accessKeyId);
    if (this.cache.size >= 10_000) this.cache.clear(); // unknown IDs must not grow it without bound
    this.cache.set(accessKeyId, { key, until: now + this.keyCacheMs });
    return key;
  }
}

function findHeader(rawHeaders: string[], name: string): string | undefined {
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    if (rawHeaders[i]!.toLowerCase() === name) return rawHeaders[i + 1];
  }
  return undefined;
}
