import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../domain/index.js';
import { startTestS3Server } from '../../test-support/s3-server.js';
import { LocalObjectStore } from './local-object-store.js';
import { objectStoreBehaviour } from './object-store.suite.js';
import { openObjectStore } from './open-object-store.js';
import { S3ObjectStore } from './s3-object-store.js';
import { parseS3Uri } from './s3-uri.js';

objectStoreBehaviour('local directory', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'floe-local-objects-'));
  return { store: await LocalObjectStore.open(join(dir, 'warehouse')), cleanup: () => rm(dir, { recursive: true, force: true }) };
});

objectStoreBehaviour('S3 (s3rver on loopback), under a prefix', async () => {
  const server = await startTestS3Server();
  return { store: await S3ObjectStore.open(`s3://${server.bucket}/teams/ml`, server.s3), cleanup: server.close };
});

objectStoreBehaviour('S3 (s3rver on loopback), bucket root', async () => {
  const server = await startTestS3Server();
  return { store: await S3ObjectStore.open(`s3://${server.bucket}`, server.s3), cleanup: server.close };
});

describe('warehouse URIs', () => {
  it('parses s3://bucket/prefix and refuses bad ones naming the field', () => {
    expect(parseS3Uri('s3://my-bucket/a/b/')).toEqual({ bucket: 'my-bucket', prefix: 'a/b' });
    expect(parseS3Uri('s3://my-bucket')).toEqual({ bucket: 'my-bucket', prefix: '' });
    for (const bad of ['s3://', 's3://B/x', 's3://ok-bucket/a/../b', 's3://ok-bucket/a//b']) {
      expect(() => parseS3Uri(bad), bad).toThrow(expect.objectContaining({ field: 'warehouse' }) as Error);
    }
  });

  it('refuses an unknown scheme and a bucket that does not exist, with a clear error', async () => {
    await expect(openObjectStore('gs://bucket/x')).rejects.toBeInstanceOf(ValidationError);
    const server = await startTestS3Server();
    try {
      await expect(openObjectStore('s3://no-such-bucket/x', server.s3)).rejects.toThrow(/warehouse: cannot open 's3:\/\/no-such-bucket\/x': the bucket does not exist/);
    } finally {
      await server.close();
    }
  });
});
