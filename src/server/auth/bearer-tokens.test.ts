import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UnauthenticatedError } from '../../domain/index.js';
import { openRegistry, type Registry } from '../../registry/index.js';
import { deriveBearerToken } from '../../wire/index.js';
import { generateAccessKey } from './access-keys.js';
import { BearerTokens } from './bearer-tokens.js';

describe('bearer tokens', () => {
  let dir: string;
  let registry: Registry;
  let now = Date.parse('2026-01-01T00:00:00Z');
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'floe-tokens-'));
    registry = await openRegistry({ path: join(dir, 'registry.sqlite') });
  });
  afterAll(async () => {
    await registry.close();
    await rm(dir, { recursive: true, force: true });
  });
  const refusal = (promise: Promise<unknown>) => promise.then(() => expect.unreachable('accepted'), (e: unknown) => e as UnauthenticatedError);

  it('carries the key role and group limits, and dies with the key', async () => {
    const key = generateAccessKey('writer', ['scores']);
    await registry.putAccessKey(key);
    const tokens = new BearerTokens({ keys: registry, keyCacheMs: 0, clock: () => now });
    const { token, expiresAt } = await tokens.issue(key.accessKeyId, 600);
    expect(expiresAt.getTime()).toBe(now + 600_000);
    expect(await tokens.authenticate(token)).toEqual({ accessKeyId: key.accessKeyId, role: 'writer', featureGroups: ['scores'] });
    // Minted by the holder of the secret alone, it is the same token.
    expect(deriveBearerToken(key.accessKeyId, key.secretAccessKey, now / 1000 + 600)).toBe(token);
    now += 601_000;
    expect((await refusal(tokens.authenticate(token))).message).toMatch(/expired at 2026-01-01T00:10:00.000Z/);
    const fresh = (await tokens.issue(key.accessKeyId, 600)).token;
    await registry.deleteAccessKey(key.accessKeyId);
    const revoked = await refusal(tokens.authenticate(fresh));
    expect(revoked).toBeInstanceOf(UnauthenticatedError);
    expect(revoked.message).toMatch(/not known/);
  });

  it('keeps a verified token no longer than its key is cached, nor past its expiry', async () => {
    const key = generateAccessKey('reader');
    await registry.putAccessKey(key);
    const tokens = new BearerTokens({ keys: registry, keyCacheMs: 5_000, clock: () => now });
    const token = (await tokens.issue(key.accessKeyId, 3)).token; // the key is cached from here for 5 s
    now += 1_000;
    expect(await tokens.authenticate(token)).toMatchObject({ accessKeyId: key.accessKeyId });
    now += 2_000; // past the token's expiry, within the key's cache
    expect((await refusal(tokens.authenticate(token))).message).toMatch(/expired/);
    const longer = (await tokens.issue(key.accessKeyId, 600)).token;
    expect(await tokens.authenticate(longer)).toMatchObject({ accessKeyId: key.accessKeyId });
    await registry.deleteAccessKey(key.accessKeyId);
    now += 1_999; // the key's cache entry (from the first issue) still holds: as without verified tokens
    expect(await tokens.authenticate(longer)).toMatchObject({ accessKeyId: key.accessKeyId });
    now += 1; // it ends, and the deleted key's tokens with it
    expect((await refusal(tokens.authenticate(longer))).message).toMatch(/not known/);
  });

  it('accepts only the canonical spelling of a token', async () => {
    const key = generateAccessKey('reader');
    await registry.putAccessKey(key);
    const tokens = new BearerTokens({ keys: registry, keyCacheMs: 0, clock: () => now });
    const { token } = await tokens.issue(key.accessKeyId, 600);
    expect(await tokens.authenticate(token)).toMatchObject({ accessKeyId: key.accessKeyId });
    const [prefix, id, expiry, sig] = token.split('.') as [string, string, string, string];
    const standard = Buffer.from(sig, 'base64url').toString('base64'); // '+', '/' and '=' padding
    // The last character carries 2 unused bits: flipping them decodes to the same 32 bytes.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet.indexOf(sig.at(-1)!);
    const trailingBits = sig.slice(0, -1) + alphabet[last ^ 1]!;
    expect(Buffer.from(trailingBits, 'base64url').equals(Buffer.from(sig, 'base64url'))).toBe(true);
    const variants = [
      `${prefix}.${id}.${expiry}.${sig}=`,
      `${prefix}.${id}.${expiry}.${standard}`,
      `${prefix}.${id}.${expiry}.${trailingBits}`,
      `${prefix}.${id}.0${expiry}.${sig}`,
      `${prefix}.${id}.${expiry}.${sig.slice(0, 20)}!${sig.slice(20)}`,
      `${prefix}.${id}.${expiry}.${sig} `,
      `${prefix.toUpperCase()}.${id}.${expiry}.${sig}`,
    ];
    for (const variant of variants) {
      expect(await refusal(tokens.authenticate(variant)), variant).toBeInstanceOf(UnauthenticatedError);
    }
  });

  it('accepts the static admin key of the environment', async () => {
    const tokens = new BearerTokens({ keys: registry, staticKey: { accessKeyId: 'FLOEENVKEY', secretAccessKey: 's3cret' }, clock: () => now });
    const token = deriveBearerToken('FLOEENVKEY', 's3cret', Math.floor(now / 1000) + 60);
    expect(await tokens.authenticate(token)).toEqual({ accessKeyId: 'FLOEENVKEY', role: 'admin' });
    const tampered = token.replace('FLOEENVKEY', 'FLOEENVKEZ');
    expect(await refusal(tokens.authenticate(tampered))).toBeInstanceOf(UnauthenticatedError);
  });
});
