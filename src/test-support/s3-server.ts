import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
// s3rver ships no types; its constructor and run/close are all the tests use.
// @ts-expect-error -- untyped CommonJS module
import S3rver from 's3rver';

export interface TestS3Server {
  endpoint: string;
  bucket: string;
  /** s3rver's fixed development credentials (it checks signatures against them). */
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** The options a FeatureStore or S3ObjectStore takes to reach it. */
  s3: { endpoint: string; region: string; forcePathStyle: boolean; credentials: { accessKeyId: string; secretAccessKey: string } };
  client: S3Client;
  close(): Promise<void>;
}

/** An S3-compatible server (s3rver) on a free loopback port over a temp directory, with one empty bucket. */
export async function startTestS3Server(bucket = 'floe-warehouse'): Promise<TestS3Server> {
  const dir = await mkdtemp(join(tmpdir(), 'floe-s3-'));
  const server = new S3rver({ port: 0, address: '127.0.0.1', directory: dir, silent: true }) as {
    run(): Promise<{ port: number }>;
    close(): Promise<void>;
  };
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
  const s3 = { endpoint, region: 'us-east-1', forcePathStyle: true, credentials };
  const client = new S3Client({ ...s3, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' });
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  return {
    endpoint,
    bucket,
    credentials,
    s3,
    client,
    close: async () => {
      client.destroy();
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
